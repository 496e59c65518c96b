"""The reader under the things that happen to it: a dropped connection (SIGHUP), a
shutdown (SIGTERM), an import in another process, a store it may not write."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.batches import write_batches
from support.pty_terminal import KEYS, PtyTerminal, newstui_command, terminal_env
from support.reader import loaded, screen_text, settle

from newstui.archive import Archive, bundled_samples
from newstui.check import check
from newstui.listing import arrange
from newstui.store import ArticleStore
from newstui.tui.widgets.article_list import ArticleList

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"






@pytest.fixture
def samples_db(tmp_path: Path) -> Path:
    db = tmp_path / "store.json"
    Archive.open(db).import_paths([bundled_samples()])
    return db


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_hangup_or_terminate_saves_reading_state_and_exits_cleanly(
    samples_db: Path, tmp_path: Path, signum: int
) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(samples_db)], terminal_env(tmp_path))
    try:
        term.wait_for(NEWEST)
        term.press("s", KEYS["enter"])  # star the newest, open it
        term.wait_for("MARROWBY · Updated 1 December 2016")
        term.press(" ")  # a page down: a reading position to keep
        term.read(0.5)
        term.process.send_signal(signum)
        status = term.wait_exit()
    finally:
        term.close()
    assert status == 128 + signum
    assert b"Traceback" not in term.raw
    store = ArticleStore(samples_db)
    newest = arrange(store.articles(), {})[0]
    state = store.state(newest.id)
    assert state.starred and state.read and state.position > 0
    assert check(samples_db).consistent


async def test_reader_sees_articles_another_process_imports(samples_db: Path,
                                                            tmp_path: Path) -> None:
    from newstui.tui.app import WATCH_INTERVAL, NewsApp

    app = NewsApp(Archive.open(samples_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("j", "s")  # a cursor position and a star to keep
        batch, ids = write_batches(tmp_path, 1, size=5)[0]
        done = subprocess.run([sys.executable, "-m", "newstui", "--db", str(samples_db),
                               "import", str(batch)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        await settle(pilot, WATCH_INTERVAL + 1.0)
        text = screen_text(pilot)
        assert "25 articles" in text.splitlines()[0]
        current = app.screen.query_one("#articles", ArticleList).current
        assert current is not None and current.headline != NEWEST  # kept its place
        await pilot.press("u")  # save state after the reload...
        app.model.flush()
    # ...and nothing the other process imported was overwritten by our older copy.
    store = ArticleStore(samples_db)
    assert ids <= {a.id for a in store.articles()}
    assert len(store) == 25
    assert any(s.starred for s in store.states().values())


@pytest.fixture
def read_only_db() -> Iterator[Path]:
    """A store on a read-only file system, as on a shared machine. Root can write any
    file whatever its mode, so as root (CI) the store is copied to a tmpfs that is
    then remounted read-only; otherwise its folder and files lose their write bits."""
    source = Path(tempfile.mkdtemp(prefix="newstui-ro-src-"))
    Archive.open(source / "store.json").import_paths([bundled_samples()])
    Archive.open(source / "store.json").search("harbour")  # build the index too
    if os.geteuid() != 0:
        for path in [*source.rglob("*"), source]:
            path.chmod(0o555 if path.is_dir() else 0o444)
        yield source / "store.json"
        for path in [source, *source.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(source)
        return
    mount_point = Path(tempfile.mkdtemp(prefix="newstui-ro-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"running as root and cannot mount a read-only tmpfs: {mounted.stderr}")
    try:
        shutil.copytree(source, mount_point, dirs_exist_ok=True)
        subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)
        yield mount_point / "store.json"
    finally:
        subprocess.run(["umount", str(mount_point)], capture_output=True)
        shutil.rmtree(source, ignore_errors=True)


def test_import_into_a_read_only_store_fails_with_one_line(read_only_db: Path,
                                                           tmp_path: Path) -> None:
    before = read_only_db.read_bytes()
    (tmp_path / "a.txt").write_text("A Headline\n\nSome body text here.\n")
    done = subprocess.run([sys.executable, "-m", "newstui", "--db", str(read_only_db), "import",
                           str(tmp_path / "a.txt")], capture_output=True, text=True,
                          env=terminal_env(tmp_path))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and str(read_only_db.parent) in lines[0]
    assert read_only_db.read_bytes() == before


def test_reader_opens_a_read_only_store_and_says_so(read_only_db: Path, tmp_path: Path) -> None:
    term = PtyTerminal([newstui_command(), "--db", str(read_only_db)], terminal_env(tmp_path))
    try:
        screen = term.wait_for(NEWEST)
        assert "read-only" in screen
        term.press("s", "/")  # starring works for this session; search works
        term.wait_for("Type to search")
        term.type("harbour")
        term.wait_for("match")
        term.press(KEYS["escape"])
        term.wait_for(NEWEST)
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert b"Traceback" not in term.raw


def test_a_terminal_that_vanishes_without_a_hangup_ends_the_reader(samples_db: Path,
                                                                   tmp_path: Path) -> None:
    """The terminal emulator closes and no SIGHUP comes (no controlling terminal):
    the reader must notice, save its state and exit — not spin on a dead descriptor."""
    term = PtyTerminal([newstui_command(), "--db", str(samples_db)], terminal_env(tmp_path))
    term.wait_for(NEWEST)
    term.press("s")
    term.read(0.3)
    os.close(term.master)  # the terminal is gone
    try:
        status = term.process.wait(15)
    finally:
        if term.process.poll() is None:
            term.process.kill()
    assert status == 128 + signal.SIGHUP
    store = ArticleStore(samples_db)
    assert any(s.starred for s in store.states().values())
