"""The installed reader in a real terminal when it cannot go on: a damaged store or
reading-state file is one line on stderr and exit status 1 (not a loop, not a
traceback); a crash is exit status 1, never 0."""

from __future__ import annotations

import re
import sys
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
    assert b"planted crash" in term.raw  # Textual shows what went wrong
