"""Keys in one write to a real terminal (one SSH packet): all of them count."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.pty_terminal import PtyTerminal, newstui_command, terminal_env

from newstui.archive import Archive, bundled_samples

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"
COTTON = "Saltgrave Cotton Mill Reopens With 120 Jobs"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    Archive.open(path).import_paths([bundled_samples()])
    return path


@pytest.mark.parametrize("keys", [b"\x1b[B\r", b"\r\r"])
def test_into_the_results_and_open_in_one_write(db: Path, tmp_path: Path,
                                                keys: bytes) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(db)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        term.type("/cotton")
        term.wait_for("1 match")
        os.write(term.master, keys)  # ↓ then Enter (or Enter, Enter) in one write
        term.wait_for("article 1 of 1")
        term.wait_for("SALTGRAVE · 18 June 2015")
        os.write(term.master, b"q\x1b")  # back to the results, back to the list
        term.wait_for("20 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()


def test_open_and_next_in_one_write(db: Path, tmp_path: Path) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(db)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        os.write(term.master, b"\rn")
        term.wait_for("article 2 of 20")
        term.press("q")
        term.wait_for("20 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
