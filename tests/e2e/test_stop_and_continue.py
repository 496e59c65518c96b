"""Stop and continue: a reader stopped with SIGSTOP (a debugger, `kill -STOP`, a shell)
and continued must take keys as before, quit at once, and give the terminal back as
it found it."""

from __future__ import annotations

import signal
import termios
import time
from pathlib import Path
from typing import Any

import pytest
from support.pty_terminal import PtyTerminal, newstui_command, terminal_env

from newstui.archive import Archive, bundled_samples

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    Archive.open(path).import_paths([bundled_samples()])
    return path


def _state(pid: int) -> str:
    """The process's state letter in /proc ("T": stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _stop_and_continue(term: PtyTerminal, while_stopped: list[Any] | None = None) -> None:
    term.process.send_signal(signal.SIGSTOP)
    while _state(term.process.pid) != "T":  # stopped for certain, not "after a while"
        time.sleep(0.01)
    if while_stopped is not None:
        # What a job-control shell does when its job stops: the terminal back in the
        # modes the shell uses (cooked: line by line, echoed).
        termios.tcsetattr(term.master, termios.TCSANOW, while_stopped)
    term.process.send_signal(signal.SIGCONT)
    term.read(0.5)


@pytest.mark.parametrize("rounds", [1, 3])
def test_after_stop_and_continue_q_quits_and_the_terminal_is_restored(
        db: Path, tmp_path: Path, rounds: int) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(db)], terminal_env(tmp_path))
    try:
        before = termios.tcgetattr(term.master)
        term.wait_for(NEWEST)
        for _ in range(rounds):
            _stop_and_continue(term)
        term.press("/")
        term.wait_for("Type to search")  # keys still reach the reader
        term.press("\x1b")
        term.wait_for(NEWEST)
        term.press("q")
        assert term.wait_exit() == 0
        after = termios.tcgetattr(term.master)
    finally:
        term.close()
    assert b"Traceback" not in term.raw
    # The modes the reader found, not the raw ones it set: a shell prompt echoes again.
    assert after == before
    assert after[3] & termios.ICANON and after[3] & termios.ECHO


def test_continued_in_a_cooked_terminal_the_reader_takes_raw_keys_again(
        db: Path, tmp_path: Path) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(db)], terminal_env(tmp_path))
    try:
        cooked = termios.tcgetattr(term.master)
        term.wait_for(NEWEST)
        _stop_and_continue(term, while_stopped=cooked)
        term.press("/")  # no Enter: in cooked mode it would wait for the end of the line
        term.wait_for("Type to search")
        term.press("\x1b")
        term.wait_for(NEWEST)
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
