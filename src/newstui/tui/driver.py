"""A terminal driver that sends the same picture in fewer bytes.

Textual pads every line it draws with spaces to the full width. Where erasing keeps
the background — the terminal says so (terminfo `bce`), or the background is the
terminal's own (the ANSI themes of low bandwidth) — a run of spaces is sent as "erase
N characters, move N right" (ECH + CUF): eight bytes or so instead of up to a whole
line.
"""

from __future__ import annotations

import re

from textual.drivers.linux_driver import LinuxDriver

_RUN_OF_SPACES = re.compile(" {12,}")


def _erase(match: re.Match[str]) -> str:
    count = len(match.group())
    return f"\x1b[{count}X\x1b[{count}C"


def compact(data: str) -> str:
    """`data` with each run of 12 or more spaces as ECH + CUF."""
    return _RUN_OF_SPACES.sub(_erase, data) if "            " in data else data


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
