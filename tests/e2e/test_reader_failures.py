"""The installed reader in a real terminal when it cannot go on: a damaged store or
reading-state file is one line on stderr and exit status 1 (not a loop, not a
traceback); a crash, on the event loop or a worker thread, is one line too and exit
status 1, never 0, with nothing the reader did lost."""

from __future__ import annotations

import re
import sys
import termios
from pathlib import Path

import pytest
from support.pty_terminal import PtyTerminal, newstui_command, terminal_env

from newstui.archive import Archive, bundled_samples
from newstui.article import ReadingState

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    archive = Archive.open(path)
    archive.import_paths([bundled_samples()])
    archive.store.set_state("0" * 16, ReadingState(starred=True))  # a state file too
    return path


def _cut(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("which", ["store", "state"])
def test_a_damaged_file_is_one_line_and_status_1(db: Path, tmp_path: Path, which: str) -> None:
    damaged = db if which == "store" else db.with_suffix(".state.json")
    _cut(damaged)
    term = PtyTerminal([newstui_command(), "--db", str(db)], terminal_env(tmp_path))
    try:
        status = term.wait_exit()
    finally:
        term.close()
    assert status == 1
    assert b"Traceback" not in term.raw
    # What is printed once the reader has given the terminal back (its last mode reset).
    after = re.sub(r"\x1b\[[?<>=]?[0-9;]*[A-Za-z]", "",
                   term.raw.rsplit(b"\x1b[?1004l", 1)[-1].decode())
    lines = [line for line in after.splitlines() if line.strip()]
    assert len(lines) == 1, after
    assert lines[0].startswith("newstui: cannot read the archive:")
    assert damaged.name in lines[0]


CRASH = """
import re
import sys
from newstui.tui.screens.article_screen import ArticleScreen
def crash(self):
    raise RuntimeError("planted crash")
ArticleScreen.on_mount = crash
from newstui.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_reader_exits_non_zero_after_a_crash(db: Path, tmp_path: Path) -> None:
    term = PtyTerminal([sys.executable, "-c", CRASH, "--db", str(db)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        term.press("\r")  # open an article: its screen crashes
        status = term.wait_exit()
    finally:
        term.close()
    assert status == 1
    after = re.sub(r"\x1b\[[?<>=]?[0-9;]*[A-Za-z]", "",
                   term.raw.rsplit(b"\x1b[?1004l", 1)[-1].decode())
    lines = [line for line in after.splitlines() if line.strip()]
    assert len(lines) == 1, after  # what went wrong in one line, not a traceback
    assert "planted crash" in lines[0]
    report = re.search(r"traceback in (\S+)\)", lines[0])
    assert report is not None, lines[0]
    assert "RuntimeError: planted crash" in Path(report.group(1)).read_text()
    Path(report.group(1)).unlink()


WORKER_CRASH = """
import sys
from newstui.feeds.reader import BackgroundFetch
def crash(self, progress):
    raise RuntimeError("planted worker crash")
BackgroundFetch.run = crash  # runs on a worker thread (r: fetch feeds)
from newstui.cli import main
sys.exit(main(sys.argv[1:]))
"""
LONG = "Long Read Story About the Harbour Wall"


def test_a_crash_in_a_worker_thread_is_one_line_and_loses_nothing(tmp_path: Path) -> None:
    """A bug in a background worker (here: fetching feeds) ends the reader like any
    other failure: the terminal given back in the modes it had, one line on stderr
    naming the error, exit status 1 — and what the reader did is kept: the star, the
    read mark and where it was in the open article."""
    db = tmp_path / "store.json"
    page = tmp_path / "long.txt"
    page.write_text(f"Published: 2030-01-01\n\n{LONG}\n\n" + "\n\n".join(
        f"Paragraph {n} of the long read, with enough words to fill a line or two of "
        f"the article view." for n in range(1, 121)) + "\n", encoding="utf-8")
    Archive.open(db).import_paths([bundled_samples(), page])
    article_id = next(s.id for s in Archive.open(db).store.summaries() if s.headline == LONG)
    term = PtyTerminal([sys.executable, "-c", WORKER_CRASH, "--db", str(db)],
                       terminal_env(tmp_path))
    try:
        before = termios.tcgetattr(term.master)
        term.wait_for(LONG)
        term.press("\r")
        term.wait_until("article 1 of 21", "Paragraph 1 of")
        term.press(" ", " ")  # two pages down
        term.wait_for("Paragraph 20 of")
        term.press("s")
        term.wait_for("★ starred")
        term.press("r")  # fetch: the worker crashes
        status = term.wait_exit()
        after = termios.tcgetattr(term.master)
    finally:
        term.close()
    assert status == 1
    assert after == before  # the terminal is given back as it was found
    after_reset = re.sub(r"\x1b\[[?<>=]?[0-9;]*[A-Za-z]", "",
                         term.raw.rsplit(b"\x1b[?1004l", 1)[-1].decode())
    lines = [line for line in after_reset.splitlines() if line.strip()]
    assert len(lines) == 1, after_reset
    assert lines[0].startswith("newstui: ") and "planted worker crash" in lines[0]
    report = re.search(r"traceback in (\S+)\)", lines[0])
    assert report is not None, lines[0]
    assert "RuntimeError: planted worker crash" in Path(report.group(1)).read_text()
    Path(report.group(1)).unlink()
    state = Archive.open(db).store.state(article_id)
    assert state.starred and state.read
    assert state.position > 0  # where the reader was in the article
