"""Terminal drivers that send the same picture in fewer bytes.

`ShadowDriver` (the default, `--output shadow`) keeps a shadow of the screen and sends
only the cells that changed (see `tui/shadow.py`). `QuietDriver` and
`LowBandwidthDriver` (`--output plain`) send Textual's own output, less repeats:

Textual pads every line it draws with spaces to the full width. Where erasing keeps
the background — the terminal says so (terminfo `bce`), or the background is the
terminal's own (the ANSI themes of low bandwidth) — a run of spaces is sent as "erase
N characters, move N right" (ECH + CUF): eight bytes or so instead of up to a whole
line.
"""

from __future__ import annotations

import contextlib
import os
import re
import termios
from dataclasses import replace
from typing import IO, Any

from textual.drivers.linux_driver import LinuxDriver

from newstui.tui.shadow import Capabilities, ShadowScreen

_RUN_OF_SPACES = re.compile(" {12,}")


def _erase(match: re.Match[str]) -> str:
    count = len(match.group())
    return f"\x1b[{count}X\x1b[{count}C"


def compact(data: str) -> str:
    """`data` with each run of 12 or more spaces as ECH + CUF."""
    return _RUN_OF_SPACES.sub(_erase, data) if "            " in data else data


class OwnDescriptor(LinuxDriver):
    """Draws through a file descriptor of its own: a duplicate of the terminal's fd 2.

    Calls into the search index point fd 2 at /dev/null for a moment, so that a Rust
    panic's text never lands on the user's screen (`search._native_calls`). Textual
    draws on fd 2 from its writer thread, so a frame written during a search was lost
    (a character typed into the search box stayed missing until the next change). A
    duplicate refers to the same terminal and is not moved by that."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._own_file: IO[str] | None = None
        terminal = self._file
        if terminal is None:
            return
        try:
            fd = os.dup(terminal.fileno())
        except (OSError, ValueError, AttributeError):
            return  # no descriptor to duplicate: draw where Textual would
        self._own_file = os.fdopen(fd, "w", encoding=terminal.encoding,
                                   errors=terminal.errors)
        self._file = self._own_file

    def close(self) -> None:
        super().close()
        if self._own_file is not None:
            with contextlib.suppress(OSError, ValueError):
                self._own_file.close()
            self._own_file = None


class QuietDriver(LinuxDriver):
    """Does not send an update that is the same as the one before it.

    Textual sometimes draws the very same update twice or three times in a row (a
    refresh asked for in several ticks, as a list finishes loading): the terminal
    already shows it. Every update positions the cursor itself, so repeating one
    changes nothing on screen."""

    _last = ""

    def write(self, data: str) -> None:
        if len(data) > 64 and data == self._last:
            return
        self._last = data
        super().write(self.encode(data))

    def encode(self, data: str) -> str:
        return data


class LowBandwidthDriver(QuietDriver):
    """Also sends runs of spaces as erase + move (see the module's docstring)."""

    def encode(self, data: str) -> str:
        return compact(data)


class ShadowDriver(LinuxDriver):
    """Sends only what changed on screen: Textual's writes go through a ShadowScreen,
    which answers with the difference at the end of each frame (a SYNC_END or a
    flush). Public driver hooks only: `write`, `flush`."""

    #: What the terminal can do; None: read from terminfo for $TERM when the driver
    #: starts (not before: serve-ssh's forker builds an app to warm up, and the terminfo
    #: entry a process reads first is the only one it can read — see terminal.py).
    capabilities: Capabilities | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base = self.capabilities or Capabilities.from_terminfo(os.environ.get("TERM", ""))
        caps = replace(base, onlcr=_tty_adds_cr(self._file))
        self.shadow = ShadowScreen(0, 0, caps, on_lost=self._repaint)
        self._real_size: tuple[int, int] | None = None

    def _size_now(self) -> None:
        size = self._app.size
        self.shadow.resize(size.width, size.height)
        # Textual learns of a resize some time after the terminal: until it draws at
        # the terminal's size, erasing to the end of a line (or scrolling) would reach
        # cells Textual does not draw. Pass its bytes through until the sizes agree.
        try:
            real = os.get_terminal_size(self._file.fileno()) if self._file else None
        except (OSError, ValueError):
            real = None
        if real is None:
            return
        now = (real.columns, real.lines)
        if now != (size.width, size.height):
            self._real_size = now
            self.shadow.forget_terminal(passthrough=True)
        elif now != self._real_size:
            # A terminal that changed size may have moved what it shows (reflowed,
            # dropped rows at the top): nothing on it is known any more.
            if self._real_size is not None:
                self.shadow.forget_terminal()
            self._real_size = now

    def write(self, data: str) -> None:
        self._size_now()
        out = self.shadow.write(data)
        if out:
            super().write(out)

    def flush(self) -> None:
        out = self.shadow.flush()
        if out:
            super().write(out)
        super().flush()

    def _repaint(self) -> None:
        """The shadow lost track (a sequence it does not follow): ask Textual to draw
        everything again, so the difference can be sent from then on."""
        app = self._app
        try:
            app.call_later(app.refresh, layout=True)
        except RuntimeError:  # no running app loop (it is closing): nothing to redraw
            pass


def _tty_adds_cr(file: IO[str] | None) -> bool:
    """Whether the tty turns LF into CR LF (OPOST and ONLCR, the usual setting)."""
    if file is None:
        return False
    try:
        oflag = termios.tcgetattr(file.fileno())[1]
    except (termios.error, OSError, ValueError, AttributeError):
        return False
    return bool(oflag & termios.OPOST and oflag & termios.ONLCR)
