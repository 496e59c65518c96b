"""The low-bandwidth driver sends runs of spaces as erase + move, and nothing else
changes: a terminal emulator shows the same screen either way."""

from __future__ import annotations

import pyte

from newstui.tui.driver import compact


def render(data: str) -> list[str]:
    screen = pyte.Screen(40, 3)
    pyte.Stream(screen).feed(data)
    return screen.display


def test_runs_of_spaces_become_erase_and_move_with_the_same_picture() -> None:
    frame = ("\x1b[1;1H" + "X" * 40 + "\x1b[2;1Hheadline" + " " * 32
             + "\x1b[3;1H  a" + " " * 20 + "b" + " " * 16)
    # Draw over a screen full of junk, as a redraw does.
    junk = "".join(f"\x1b[{row};1H" + "#" * 40 for row in (1, 2, 3))
    assert render(junk + compact(frame)) == render(junk + frame)
    assert len(compact(frame)) < len(frame) - 30
    assert compact("short  gaps stay") == "short  gaps stay"
