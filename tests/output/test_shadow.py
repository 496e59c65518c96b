"""The shadow screen on hand-made frames: what it sends, and that a terminal emulator
shows the same as with Textual's own bytes."""

from __future__ import annotations

import pyte
from rich.cells import cell_len

from newstui.tui.shadow import (
    DEFAULT_STYLE,
    SYNC_END,
    SYNC_START,
    Capabilities,
    ShadowScreen,
    Style,
    sgr_transition,
)

W, H = 20, 6


def frame(rows: list[str], style: str = "0") -> str:
    """A full update as Textual writes it: each row positioned, styled, reset."""
    return "".join(f"\x1b[{y + 1};1H\x1b[{style}m{row}{' ' * (W - cell_len(row))}\x1b[0m"
                   for y, row in enumerate(rows))


class Pair:
    """Textual's bytes into one emulator, the layer's into the other."""

    def __init__(self, caps: Capabilities | None = None) -> None:
        self.shadow = ShadowScreen(W, H, caps)
        self.plain, self.layered = pyte.Screen(W, H), pyte.Screen(W, H)
        self._p, self._l = pyte.Stream(self.plain), pyte.Stream(self.layered)
        self.sent: list[str] = []

    def write(self, data: str, flush: bool = True) -> str:
        self._p.feed(data)
        out = self.shadow.write(data) + (self.shadow.flush() if flush else "")
        self._l.feed(out)
        self.sent.append(out)
        return out

    def same(self) -> bool:
        return all(self.plain.buffer[y][x] == self.layered.buffer[y][x]
                   for y in range(H) for x in range(W))


def rows(n: int = H, start: int = 0) -> list[str]:
    return [f"line {i:02d} text" for i in range(start, start + n)]


def test_an_unchanged_frame_sends_nothing_and_a_change_only_its_cells() -> None:
    pair = Pair()
    first = pair.write(frame(rows()))
    assert "line 05" in first  # the first frame: everything (nothing was known)
    assert pair.write(frame(rows())) == ""
    changed = rows()
    changed[2] = "line 02 TEXT"
    out = pair.write(frame(changed))
    assert "TEXT" in out and "line" not in out and len(out) < 15
    assert pair.same()


def test_an_escape_sequence_cut_between_two_writes() -> None:
    pair = Pair()
    pair.write(frame(rows()))
    data = frame([*rows()[:3], "line 03 next", *rows()[4:]])
    cut = data.index("\x1b[4;1H") + 3
    assert pair.write(data[:cut], flush=False) == ""
    pair.write(data[cut:])
    assert pair.same()
    assert not pair.shadow.blind


def test_shortest_attribute_change() -> None:
    bold_red: Style = ("31", None, frozenset({1}), None)
    red: Style = ("31", None, frozenset(), None)
    assert sgr_transition(bold_red, red) == "\x1b[22m"
    assert sgr_transition(red, ("32", None, frozenset(), None)) == "\x1b[32m"
    assert sgr_transition(red, DEFAULT_STYLE) == "\x1b[m"
    assert sgr_transition(None, red) == "\x1b]8;;\x1b\\\x1b[0;31m"
    many = ("38;5;1", "48;5;2", frozenset({1, 3, 4}), None)
    assert sgr_transition(many, DEFAULT_STYLE) == "\x1b[m"  # a reset is shorter


def test_wide_and_combining_characters() -> None:
    pair = Pair()
    pair.write(frame(["東京 e\u0301 a", *rows(H - 1)]))
    # A wide character replaced by two narrow ones, and the other way round.
    pair.write(frame(["ab京 e\u0301 b", *rows(H - 1)]))
    assert pair.same()
    pair.write(frame(["a東京\u0301 x", *rows(H - 1)]))
    assert pair.same()
    assert not pair.shadow.blind


def test_rows_that_moved_are_scrolled_by_the_terminal() -> None:
    pair = Pair()
    pair.write(frame(rows()))
    out = pair.write(frame(rows(start=1)))  # everything one line up
    assert pair.same()
    assert "\x1b[M" in out  # delete line: the terminal moves the rows itself
    assert "line 01" not in out and "line 06" in out
    out = pair.write(frame(rows()))  # and back down
    assert pair.same() and "\x1b[L" in out


def test_a_band_between_fixed_rows_scrolls_in_a_region() -> None:
    pair = Pair()
    body = [f"row {i:02d} body" for i in range(20)]
    pair.write(frame(["title", *body[0:4], "footer"]))
    out = pair.write(frame(["title", *body[1:5], "footer"]))
    assert pair.same()
    assert "title" not in out and "footer" not in out


def test_something_not_understood_passes_through_and_asks_for_a_repaint() -> None:
    asked = []
    pair = Pair()
    pair.shadow.on_lost = lambda: asked.append(True)
    pair.write(frame(rows()))
    odd = "\x1b[2J" + frame(rows(start=3))
    # Textual's own bytes, unchanged (after an attribute reset, for safety).
    assert pair.write(odd).replace("\x1b[m", "") == odd
    assert asked and pair.same()
    # That frame drew every cell after it: differences again from the next.
    assert not pair.shadow.blind
    assert "line 04" not in pair.write(frame(rows(start=4)))  # scrolled, 1 new row
    assert pair.same()
    assert pair.write(frame(rows(start=4))) == ""


def test_after_a_resize_everything_is_drawn_again() -> None:
    pair = Pair()
    pair.write(frame(rows()))
    pair.shadow.resize(W, H - 1)
    pair.plain.resize(H - 1, W)
    pair.layered.resize(H - 1, W)
    assert pair.shadow.blind
    out = pair.write(frame(rows(H - 1, start=7)))
    assert "line 07" in out and "line 11" in out and pair.same()
    assert not pair.shadow.blind


def test_while_the_sizes_disagree_textuals_bytes_pass_through() -> None:
    pair = Pair()
    pair.write(frame(rows()))
    pair.shadow.forget_terminal(passthrough=True)
    data = frame(rows(start=7))
    assert pair.write(data).replace("\x1b[m", "") == data


def test_back_at_textuals_size_rows_not_drawn_since_are_not_garbled() -> None:
    """The '?' footer: while the terminal was another size, frames went through as
    Textual wrote them (here: only the footer changed); back at Textual's size, a frame
    that leaves the footer alone must not send the footer's unknown cells ('?' on
    screen, and kept there while the footer did not change)."""
    pair = Pair()
    pair.write(frame(rows()))
    for footer in ("footer A", "footer B"):
        pair.shadow.forget_terminal(passthrough=True)
        pair.write(f"\x1b[{H};1H\x1b[0m{footer:{W}}\x1b[0m")
    pair.shadow.forget_terminal()
    for change in ("CHANGED", "again"):
        out = pair.write(f"\x1b[3;1H\x1b[0m{'line 02 ' + change:{W}}\x1b[0m")
        assert "?" not in out and "\x00" not in out
        assert pair.same()
        assert pair.layered.display[H - 1].rstrip() == "footer B"
    assert "line 01" not in out  # what Textual draws, as plain: nothing else
    # Once Textual has drawn every cell again, only the difference goes out.
    pair.write(frame(rows()))
    assert not pair.shadow.blind
    assert pair.write(frame(rows())) == ""


def test_synchronized_output_is_kept_and_other_sequences_keep_their_place() -> None:
    pair = Pair()
    pair.write(SYNC_START + frame(rows()) + SYNC_END)
    out = pair.write(SYNC_START + frame(rows(start=9)) + SYNC_END)
    assert out.startswith(SYNC_START) and out.endswith(SYNC_END)
    # A clipboard sequence goes out at once, not at the end of the next frame.
    assert pair.shadow.write("\x1b]52;c;aGk=\x07") == "\x1b]52;c;aGk=\x07"
    # A frame with no change sends no SYNC pair either.
    assert pair.write(SYNC_START + frame(rows(start=9)) + SYNC_END) == ""


def test_without_relative_moves_or_erase_it_uses_only_positions_and_text() -> None:
    caps = Capabilities(False, False, False, False, False, False, False, False)
    pair = Pair(caps)
    pair.write(frame(rows()))
    changed = rows()
    changed[1], changed[4] = "x", "line 04 text  more"
    out = pair.write(frame(changed))
    assert pair.same()
    for final in "CDABGdXKLMr":
        assert f"\x1b[{final}" not in out and not any(
            f"{n}{final}" in out for n in range(1, 30))
