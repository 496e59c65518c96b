"""`newstui search` on a terminal: each result's snippet is one line that shows its
match (windowed by newstui.snippets, as in the reader)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.pty_terminal import PtyTerminal, newstui_command, terminal_env

from newstui.archive import Archive, bundled_samples


@pytest.mark.parametrize("cols", [80, 50])
def test_search_snippets_show_their_match(tmp_path: Path, cols: int) -> None:
    db = tmp_path / "store.json"
    Archive.open(db).import_paths([bundled_samples()])
    term = PtyTerminal([newstui_command(), "--db", str(db), "search", "harbour"],
                       {**terminal_env(tmp_path), "COLUMNS": str(cols)}, cols=cols)
    try:
        assert term.wait_exit() == 0
    finally:
        term.close()
    lines = [line.rstrip() for line in term.text.splitlines() if line.strip()]
    snippets = [line for line in lines if line.startswith("    ")]
    assert len(snippets) == 3, lines
    for line in snippets:
        assert "harbour" in line.lower(), line
        assert len(line) <= cols
    assert re.search(rb"\x1b\[1mharbour\x1b\[0m", term.raw)  # marked in bold
