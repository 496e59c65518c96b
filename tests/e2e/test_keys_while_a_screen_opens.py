"""Keys that arrive while the search screen is still opening (its widgets not made
yet, or made but not mounted, nothing focused): every one reaches the query box, in
order, and Enter still goes to the results.

The reader runs in a real pseudo-terminal with the search screen held open at one
step of its opening until the test says go (a file appears): the keys are written
while it is held, so they are read before the box exists, every time — not only
when a loaded machine happens to be slow."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from support.pty_terminal import KEYS, PtyTerminal, terminal_env

from newstui.archive import Archive, bundled_samples

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"
COTTON = "Saltgrave Cotton Mill Reopens With 120 Jobs"

HELD_OPEN = """
import os, sys, time
from newstui.tui.screens.search_screen import SearchScreen

gate, step = os.environ["NEWSTUI_TEST_GATE"], os.environ["NEWSTUI_TEST_STEP"]

def wait_for_the_test():
    open(gate + ".opening", "w").close()
    while not os.path.exists(gate):  # the event loop is held: keys read now wait
        time.sleep(0.01)

if step == "compose":  # before its widgets exist
    compose = SearchScreen.compose
    def held_compose(self):
        wait_for_the_test()
        yield from compose(self)
    SearchScreen.compose = held_compose
else:  # its widgets made, the screen not mounted yet
    def held_mount(self):
        wait_for_the_test()
    SearchScreen.on_mount = held_mount

from newstui.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    Archive.open(path).import_paths([bundled_samples()])
    return path


@pytest.mark.parametrize("step", ["compose", "mount"])
def test_keys_typed_while_the_search_screen_opens_all_count(db: Path, tmp_path: Path,
                                                            step: str) -> None:
    gate = tmp_path / "gate"
    env = terminal_env(tmp_path, NEWSTUI_TEST_GATE=str(gate), NEWSTUI_TEST_STEP=step)
    term = PtyTerminal([sys.executable, "-c", HELD_OPEN, "--db", str(db)], env)
    try:
        term.wait_for(NEWEST)
        os.write(term.master, b"/")
        opening = Path(f"{gate}.opening")
        while not opening.exists():  # the screen is opening and held there
            term.read(0.05)
            assert term.process.poll() is None, term.text
        os.write(term.master, b"cotton\r")  # the query, and Enter: to the results
        gate.touch()
        term.wait_until("1 match", COTTON,
                        check=lambda screen: "cotton" in screen.splitlines()[2])
        term.press(KEYS["enter"])  # the first Enter put the focus on the results
        term.wait_until("article 1 of 1", "SALTGRAVE · 18 June 2015")
        term.press("q")
        term.wait_for("1 match")
        term.press(KEYS["escape"])
        screen = term.wait_for("20 articles")
        assert "newest first" in screen  # no key of the query reached the list
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
