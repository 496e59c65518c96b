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


class LowBandwidthDriver(LinuxDriver):
    def write(self, data: str) -> None:
        super().write(compact(data))
