"""Run a program in a real pseudo-terminal and read its screen through a terminal
emulator (pyte), as a person at an 80×24 terminal would see it."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Callable, Sequence

import pyte

#: How long to wait for what should appear (seconds). Only a safety net for a hung
#: program: a test waits for what it should see, and a loaded machine (CI beside
#: other jobs ran at load 13 on 2 cores) may take many times longer than a quiet one.
WAIT = 90.0


class PtyTerminal:
    """A program on the far side of a pty, with pyte as the screen."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], cols: int = 80,
                 rows: int = 24) -> None:
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()  # every byte the program wrote
        master, slave = pty.openpty()
        self._set_size(slave, cols, rows)
        self.process = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True, close_fds=True,
        )
        os.close(slave)
        self.master = master

    @staticmethod
    def _set_size(fd: int, cols: int, rows: int) -> None:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def resize(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self._set_size(self.master, cols, rows)
        self.screen.resize(rows, cols)
        self.process.send_signal(signal.SIGWINCH)

    def read(self, timeout: float = 0.1) -> None:
        """Take whatever the program has written within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the program exited and the pty closed
                return
            if not data:
                return
            self.raw.extend(data)
            self.stream.feed(data)

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, needle: str, timeout: float = WAIT) -> str:
        """Read until `needle` is on screen; fail with the screen if it never is."""
        return self.wait_until(needle, timeout=timeout)

    def wait_until(self, *needles: str, timeout: float = WAIT,
                   check: Callable[[str], bool] | None = None) -> str:
        """Read until every one of `needles` is on screen at once (and `check` holds
        for the screen, if given): a frame can arrive in several reads, so what one
        piece of it shows says nothing of the rest. Fail with the screen if never."""
        deadline = time.monotonic() + timeout
        while True:
            self.read(0.05)
            text = self.text
            if all(n in text for n in needles) and (check is None or check(text)):
                return text
            if time.monotonic() >= deadline:
                wanted = ", ".join(map(repr, needles)) + (" and the check" if check else "")
                raise AssertionError(f"never on screen together: {wanted}\n{text}")

    def line(self, row: int) -> str:
        """One row of the screen, as shown."""
        return self.screen.display[row]

    def press(self, *keys: str | bytes, pause: float = 0.05) -> None:
        """Type keys one at a time, as a person would."""
        for key in keys:
            os.write(self.master, key.encode() if isinstance(key, str) else key)
            self.read(pause)

    def type(self, text: str, pause: float = 0.05) -> None:
        self.press(*text, pause=pause)

    def wait_exit(self, timeout: float = WAIT) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.read(0.05)
            code = self.process.poll()
            if code is not None:
                self.read(0.1)
                return code
        raise AssertionError(f"the program did not exit:\n{self.text}")

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        os.close(self.master)


KEYS = {
    "enter": b"\r",
    "escape": b"\x1b",
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "backspace": b"\x7f",
}


def newstui_command() -> str:
    """The installed `newstui` script beside this interpreter (what a user runs)."""
    import sys
    from pathlib import Path

    import pytest

    script = Path(sys.executable).parent / "newstui"
    if not script.exists():
        pytest.skip(f"the installed newstui command is not at {script}")
    return str(script)


def terminal_env(home: object, **extra: str) -> dict[str, str]:
    """A reader's terminal: 80×24 xterm-256color, UTF-8, HOME in the test's folder, and
    none of the caller's NEWSTUI_/TEXTUAL_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI", "TEXTUAL"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(home),
               COLUMNS="80", LINES="24", **extra)
    return env
