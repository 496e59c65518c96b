"""Stop and continue (SIGSTOP / SIGCONT) without losing the terminal.

Textual's Linux driver answers every SIGCONT by starting application mode again, as if
it had suspended itself through SIGTSTP. After a plain SIGSTOP (`kill -STOP`, a
debugger, a job-control shell) it had not: a second input thread and writer start
beside the first ones, the terminal modes "before" are taken from the already raw
terminal (so the reader leaves it raw on exit), and `q` can hang on the input thread
left behind. And while it was stopped, a shell may have put the terminal back into
cooked mode, so keys would wait for Enter.

Here a SIGCONT that does not end a SIGTSTP suspension re-applies the reader's
terminal modes (raw input, the alternate screen, mouse, focus and paste reports) and
repaints the whole screen; a SIGTSTP suspension is resumed by Textual, as before.
"""

from __future__ import annotations

import copy
import os
import termios
import tty
from typing import Any

from textual import events
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size

from newstui.tui.driver import LowBandwidthDriver, OwnDescriptor, QuietDriver


class ContinueRestoresModes(LinuxDriver):
    """A Linux driver whose SIGCONT restores the terminal instead of restarting."""

    def _sigcont_application(self, *_: object) -> None:
        if self._must_signal_resume:
            # Suspended by its own SIGTSTP handler (application mode was stopped):
            # Textual starts it again.
            super()._sigcont_application()
            return
        # Not here: a signal handler runs between two steps of whatever the main thread
        # was doing — perhaps inside the writer's queue, whose lock a write from here
        # would wait for forever. The event loop runs it next.
        loop = getattr(self._app, "_loop", None)
        if loop is not None:
            loop.call_soon_threadsafe(self.restore_modes)

    def restore_modes(self) -> None:
        """Put the terminal back the way the reader set it, and repaint everything."""
        if self._writer_thread is None:
            return  # not in application mode (starting or stopping): nothing to restore
        attrs = self.attrs_before
        if attrs is not None and os.isatty(self.fileno):
            raw: list[Any] = copy.deepcopy(attrs)
            raw[tty.LFLAG] = self._patch_lflag(raw[tty.LFLAG])
            raw[tty.IFLAG] = self._patch_iflag(raw[tty.IFLAG])
            raw[tty.CC][termios.VMIN] = 1
            try:
                termios.tcsetattr(self.fileno, termios.TCSANOW, raw)
            except termios.error:
                pass
        self.write("\x1b[?1049h")  # the alternate screen
        self._enable_mouse_support()
        self.write("\x1b[?25l")  # no cursor
        self.write("\x1b[?1004h")  # focus reports
        self._enable_bracketed_paste()
        self._disable_line_wrap()
        self.flush()
        # The screen may have been drawn over while stopped: draw all of it again.
        width, height = self._get_terminal_size()
        size = Size(width, height)
        self._app.post_message(events.Resize(size, size))


class ReaderDriver(OwnDescriptor, ContinueRestoresModes, QuietDriver):
    """The reader's driver on a terminal."""


class LowBandwidthReaderDriver(OwnDescriptor, ContinueRestoresModes, LowBandwidthDriver):
    """The reader's driver over a slow link."""
