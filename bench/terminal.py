"""A program in a real pseudo-terminal at 80×24, its output read by pyte, with the
timing the cases need: when did something first show, when did the screen settle,
how many bytes did a key cost. Built on the end-to-end tests' PtyTerminal."""

from __future__ import annotations

import os
import select
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from common import REPO

sys.path.insert(0, str(REPO / "tests"))  # the tests' helpers: tests/support
from support.pty_terminal import PtyTerminal

APP_CURSOR_ON, APP_CURSOR_OFF = b"\x1b[?1h", b"\x1b[?1l"
PAGE_DOWN = b"\x1b[6~"
ENTER, ESCAPE = b"\r", b"\x1b"


class Timeout(Exception):
    pass


class Terminal(PtyTerminal):
    """PtyTerminal plus timestamps: `last_byte` is when the program last wrote."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.started = time.perf_counter()
        if cwd is not None:
            # PtyTerminal has no cwd argument; newsboat finds its files relative to it.
            here = os.getcwd()
            os.chdir(cwd)
            try:
                super().__init__(argv, env)
            finally:
                os.chdir(here)
        else:
            super().__init__(argv, env)
        self.last_byte = self.started

    def pump(self, timeout: float) -> bool:
        """Read one chunk if one arrives within `timeout`; True if it did."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.last_byte = time.perf_counter()
        self.raw.extend(data)
        self.stream.feed(data)
        return True

    def until(self, check: Callable[[], bool], timeout: float = 60.0) -> float:
        """Read until `check()` holds; the moment it first did (perf_counter)."""
        deadline = time.perf_counter() + timeout
        if check():
            return time.perf_counter()
        while time.perf_counter() < deadline:
            if self.pump(min(0.05, deadline - time.perf_counter())) and check():
                return self.last_byte
        raise Timeout(f"screen never showed what was awaited:\n{self.text}")

    def until_text(self, needle: str, timeout: float = 60.0) -> float:
        return self.until(lambda: needle in self.text, timeout)

    def settle(self, quiet: float = 0.5, timeout: float = 15.0) -> float:
        """Read until nothing has come for `quiet` seconds; when the last byte came."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.pump(quiet):
                break
        return self.last_byte

    def send(self, data: bytes | str) -> float:
        os.write(self.master, data.encode() if isinstance(data, str) else data)
        return time.perf_counter()

    @property
    def application_cursor(self) -> bool:
        """Whether the program switched on application cursor keys (DECCKM) last."""
        return self.raw.rfind(APP_CURSOR_ON) > self.raw.rfind(APP_CURSOR_OFF)

    def arrow(self, direction: str) -> bytes:
        """↑/↓ as this terminal would send them now: ESC O x in application mode."""
        final = {"up": b"A", "down": b"B"}[direction]
        return (b"\x1bO" if self.application_cursor else b"\x1b[") + final

    def peak_rss_kb(self) -> int:
        """VmHWM of the program (the process the pty runs), in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc status")

    def line_styles(self) -> list[tuple[str, str]]:
        """(text, backgrounds of its 3rd cell and of the cell before the last) for each
        screen row: the cursor row of a list is the one drawn on a different background
        (the whole row, or from the headline to the end of the row)."""
        rows = []
        for y in range(self.rows):
            line = self.screen.buffer[y]
            left, right = line[2], line[self.cols - 2]
            rows.append(("".join(line[x].data for x in range(self.cols)),
                         f"{left.bg}/{left.reverse}/{right.bg}/{right.reverse}"))
        return rows

    def close(self) -> None:
        try:
            super().close()
        except (OSError, ProcessLookupError):
            pass


def quit_newstui(term: Terminal) -> None:
    """Leave the reader as a reader would (so it saves and exits), then make sure."""
    try:
        for _ in range(4):
            term.send(ESCAPE)
            term.settle(0.1, 0.5)
        term.send("q")
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline and term.process.poll() is None:
            term.pump(0.05)
    finally:
        term.close()
