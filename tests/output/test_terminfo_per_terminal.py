"""The layer uses the capabilities of the terminal it draws on. Python's curses reads
one terminfo entry per process — a later `setupterm` for another TERM silently changes
nothing — and serve-ssh's forker built an app to warm up (which read the server's own
TERM) before forking each session: every reader then drew with the server's terminal's
capabilities (insert/delete line, erase characters, background colour erase) whatever
the client's TERM said. Run in fresh processes: the order of reads is the point."""

from __future__ import annotations

import subprocess
import sys

import pytest

FRESH = """
import json, sys
from newstui.tui.shadow import Capabilities
print(json.dumps(Capabilities.from_terminfo(sys.argv[1]).__dict__))
"""

AFTER_A_WARM_UP = """
import json, os, sys
os.environ["TERM"] = "xterm-256color"  # the server's own terminal
import tempfile
from pathlib import Path
from newstui.archive import Archive
from newstui.tui.app import NewsApp
NewsApp(Archive.open(Path(tempfile.mkdtemp()) / "a.json"))  # what the forker warms up
from newstui.tui.shadow import Capabilities
print(json.dumps(Capabilities.from_terminfo(sys.argv[1]).__dict__))  # a session's TERM
"""

SECOND_TERM = """
import json, sys
from newstui.tui.shadow import Capabilities
Capabilities.from_terminfo("xterm-256color")
print(json.dumps(Capabilities.from_terminfo(sys.argv[1]).__dict__))
"""


def _caps(script: str, term: str) -> dict[str, bool]:
    import json

    done = subprocess.run([sys.executable, "-c", script, term], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def vt100() -> dict[str, bool]:
    caps = _caps(FRESH, "vt100")
    xterm = _caps(FRESH, "xterm-256color")
    if caps == xterm:
        pytest.skip("terminfo for vt100 and xterm-256color does not differ here")
    assert not caps["il_dl"] and xterm["il_dl"]  # what the tests below tell apart
    return caps


def test_a_session_forked_after_the_warm_up_reads_its_own_terminal(
        vt100: dict[str, bool]) -> None:
    assert _caps(AFTER_A_WARM_UP, "vt100") == vt100


def test_a_second_terminal_in_one_process_is_never_given_the_first_ones_capabilities(
        vt100: dict[str, bool]) -> None:
    caps = _caps(SECOND_TERM, "vt100")
    # Unknowable in this process, so nothing beyond CUP and text is assumed.
    assert not caps["il_dl"] and not caps["ech"] and not caps["bce"]
