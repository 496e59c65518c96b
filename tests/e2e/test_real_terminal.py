"""End to end: the installed `newstui` command in a real pseudo-terminal at 80×24,
its output rendered by a terminal emulator (pyte), keys pressed as a reader would.

On the bundled samples (and one hostile article), so they run on a fresh clone."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.pty_terminal import KEYS, PtyTerminal, newstui_command, terminal_env

from newstui.archive import bundled_samples

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"
COTTON = "Saltgrave Cotton Mill Reopens With 120 Jobs"
HOSTILE = (
    "Hostile [bold]Markup[/bold] Story\n\n"
    "[@click=app.quit]Click me[/] then \x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07 "
    "\x1b]0;pwned\x07 \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 done.\n"
)




@pytest.fixture
def store(tmp_path: Path) -> Path:
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    db = tmp_path / "store.json"
    done = subprocess.run([newstui_command(), "--db", str(db), "import", str(bundled_samples()),
                           str(incoming)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return db




def test_read_search_and_quit_in_a_real_terminal(store: Path, tmp_path: Path) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(store)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        term.press("G")
        screen = term.wait_for("Hostile [bold]Markup[/bold] Story")  # markup shown literally
        term.press("g")

        term.press("/")
        term.wait_for("Type to search")
        term.type("cotton")
        screen = term.wait_for("1 match")
        assert COTTON in screen

        term.press(KEYS["enter"])  # into the results
        term.press(KEYS["enter"])  # open the first
        screen = term.wait_for("SALTGRAVE · 18 June 2015")
        assert COTTON in screen
        assert "Photo: Reuters — Bales of cotton wait to be unloaded" in screen

        term.press("q")  # back to the results
        term.wait_for("1 match")
        term.press(KEYS["escape"])  # back to the list
        term.wait_for("21 articles")

        term.press("G", KEYS["enter"])  # the hostile article (undated: last)
        screen = term.wait_for("Click me")
        assert "[@click=app.quit]Click me[/]" in screen
        term.press("q")
        term.wait_for("21 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    # Nothing from the article reached the terminal as a control sequence.
    assert b"pwned" not in term.raw
    assert b"aGVsbG8" not in term.raw
    assert b"evil.example" not in term.raw


def test_keys_typed_together_are_not_lost(store: Path, tmp_path: Path) -> None:
    """Over SSH, "/" and the query often arrive in one packet: none of it may go to the
    list (where "o" would change the order) instead of the query box."""
    term = PtyTerminal([newstui_command(), "--db", str(store)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        term.press("/cotton")
        # What the whole query finds, with the query in its box. ("co" finds one
        # article too: waiting for "1 match" alone could read the screen while the
        # box showed "co", and fail though no key was lost.)
        term.wait_until("1 match", COTTON, check=lambda screen: "cotton" in
                        screen.splitlines()[2])
        term.press(KEYS["escape"])
        screen = term.wait_for("21 articles")
        assert "newest first" in screen  # the "o" of "cotton" did not reorder the list
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()


def test_a_cursor_move_redraws_only_what_changed(store: Path, tmp_path: Path) -> None:
    """Over a slow link every byte counts: moving the cursor must redraw the two rows
    that changed, not the screen (a full list repaint is about 7 KB at 80×24)."""
    term = PtyTerminal([newstui_command(), "--db", str(store)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        term.read(1.0)  # let the first paint finish
        before = len(term.raw)
        term.press("j")
        term.read(0.5)
        assert 0 < len(term.raw) - before < 2000
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()


def test_urls_in_an_article_are_terminal_hyperlinks(tmp_path: Path) -> None:
    db = tmp_path / "links.json"
    page = tmp_path / "link.txt"
    page.write_text("Report Published Online\n\nThe full report is at "
                    "https://example.org/report-2016.pdf for anyone to read.\n",
                    encoding="utf-8")
    subprocess.run([newstui_command(), "--db", str(db), "import", str(page)], check=True,
                   capture_output=True, timeout=60)
    term = PtyTerminal([newstui_command(), "--db", str(db)], terminal_env(tmp_path))
    try:
        term.wait_for("Report Published Online")
        term.press(KEYS["enter"])
        screen = term.wait_for("https://example.org/report-2016.pdf")
        assert "The full report is at" in screen
        term.press("q")
        term.wait_for("1 article —")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert b"\x1b]8;id=" in term.raw and b";https://example.org/report-2016.pdf\x1b\\" in term.raw
