"""End to end: the installed `newstui` in two real pseudo-terminals side by side, one
with the output layer (`--output shadow`), one with `--output plain`; the same keys to both;
after each key has settled, the two screens (pyte) are identical cell for cell, and the
layer sent fewer bytes."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from support.pty_terminal import KEYS, PtyTerminal, newstui_command, terminal_env

from newstui.archive import bundled_samples

PAGE_DOWN = b"\x1b[6~"


def settle(*terms: PtyTerminal, quiet: float = 0.3, timeout: float = 10.0) -> None:
    """Read from all until none has written for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = [len(term.raw) for term in terms]
        for term in terms:
            term.read(quiet / len(terms))
        if [len(term.raw) for term in terms] == before:
            return


def differences(a: PtyTerminal, b: PtyTerminal) -> list[str]:
    """Cells that differ, less the one a blinking text cursor may account for: the two
    programs blink on their own clocks (one cell, same character, other colours). The
    in-process differential test compares every cell of the same frames, blink or not."""
    found, blinks = [], []
    for y in range(a.rows):
        for x in range(a.cols):
            one, two = a.screen.buffer[y][x], b.screen.buffer[y][x]
            if one == two:
                continue
            if one.data == two.data:
                blinks.append((x, y))
                continue
            found.append(f"({x},{y}): {one} != {two}")
    if len(blinks) > 1:
        found += [f"{cell}: fg/bg swapped" for cell in blinks]
    return found


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "store.json"
    done = subprocess.run([newstui_command(), "--db", str(db), "import", str(bundled_samples())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return db


def test_same_screens_fewer_bytes_through_a_real_tty(store: Path, tmp_path: Path) -> None:
    """Typing into the search box included (a character typed there was once seen to
    stay missing: a frame written while the index pointed fd 2 at /dev/null; the reader
    now draws through a descriptor of its own).

    Resizes included: the test's environment fixes COLUMNS/LINES, so Textual keeps
    drawing at 80×24 in a terminal of another size — the layer must then send what
    plain would (it passes Textual's bytes through while the sizes disagree), and once
    the sizes agree again it must not send cells it does not know (the footer was once
    seen as a row of '?' after `G`, see tests/output/test_shadow.py)."""
    options: list[str] = []
    env = terminal_env(tmp_path)
    layered = PtyTerminal([newstui_command(), "--db", str(store), "--output", "shadow",
                           *options], env)
    plain = PtyTerminal([newstui_command(), "--db", str(store), "--output", "plain", *options],
                        env)
    keys: list[bytes | tuple[int, int]] = [
        *[KEYS["down"]] * 6, KEYS["up"], b"\r", *[KEYS["down"]] * 3, PAGE_DOWN, b" ", b"b",
        b"q", b"/", *[c.encode() for c in "harbour"], KEYS["down"], b"\r", b"q",
        KEYS["escape"], (100, 30), *[KEYS["down"]] * 3, b"\r", PAGE_DOWN, b"q", (80, 24),
        b"G", b"g", b"s", b"u",
    ]
    try:
        for term in (layered, plain):
            term.wait_for("Ancient Mosaic")
        settle(layered, plain, quiet=1.0)
        for step, key in enumerate(keys):
            for term in (layered, plain):
                if isinstance(key, tuple):
                    term.resize(*key)
                else:
                    term.press(key, pause=0.0)
            settle(layered, plain)
            found = differences(plain, layered)
            for _ in range(10):  # on a loaded machine a program can pause between frames
                if not found:
                    break
                settle(layered, plain, quiet=1.0)
                found = differences(plain, layered)
            assert not found, (f"after step {step} ({key!r}): {found[:5]}\nplain:\n{plain.text}"
                               f"\nlayered:\n{layered.text}")
        for term in (layered, plain):
            term.press("q")
            assert term.wait_exit() == 0
    finally:
        layered.close()
        plain.close()
    assert len(layered.raw) < 0.6 * len(plain.raw), (len(layered.raw), len(plain.raw))
    # A cell the layer does not know is never sent (it would show as '?').
    assert b"\x00" not in layered.raw
    # The terminal is given back as it was: main screen, cursor shown, attributes reset.
    tail = bytes(layered.raw[-200:])
    assert b"\x1b[?1049l" in tail and b"\x1b[?25h" in tail
