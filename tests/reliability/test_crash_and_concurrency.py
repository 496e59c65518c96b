"""Nothing lost: imports killed at random moments, power-loss ordering, and several
writers at once. Each test really runs `newstui` processes against one store.

Short form in the suite; `pytest --long` runs the counts in docs/reliability.md.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from support.batches import write_batches

from newstui.archive import Archive
from newstui.check import check
from newstui.files import WriteLock
from newstui.store import ArticleStore


def newstui(*args: str) -> list[str]:
    return [sys.executable, "-m", "newstui", *args]


def stored_ids(db: Path) -> set[str]:
    store = ArticleStore(db)
    return {a.id for a in store.articles()}


def test_killed_imports_lose_nothing(tmp_path: Path, long_form: bool) -> None:
    """SIGKILL `newstui import` at random moments. After every kill: the store opens,
    `check` finds it consistent, every earlier successful import is there, and the
    killed import's articles are all there or none."""
    trials = 200 if long_form else 8
    rng = random.Random(20261129)
    db = tmp_path / "store.json"
    batches = write_batches(tmp_path, trials + 1, size=150)

    # The first import runs to the end: it is what a kill must never undo, and its
    # duration tells when an import writes (at its end: it reads and parses first).
    started = time.monotonic()
    subprocess.run(newstui("--db", str(db), "import", "-q", str(batches[0][0])), check=True,
                   capture_output=True, timeout=120)
    duration = time.monotonic() - started
    committed = set(batches[0][1])

    outcomes = {"finished": 0, "killed, all in (index stale)": 0,
                "killed, all in (index current)": 0, "killed, none in": 0}
    for trial, (path, ids) in enumerate(batches[1:]):
        started = time.monotonic()
        process = subprocess.Popen(newstui("--db", str(db), "import", "-q", str(path)),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Most kills land around the write at the end; some anywhere. Every tenth
        # import runs to the end, to follow how long an import takes as the store grows.
        if trial % 10 != 9:
            time.sleep(rng.uniform(0.35, 1.0) * duration if rng.random() < 0.8
                       else rng.uniform(0, duration))
            process.send_signal(signal.SIGKILL)
        process.wait()  # no limit: on a loaded machine a finishing import took > 60 s
        if process.returncode == 0:
            duration = time.monotonic() - started
        present = stored_ids(db)  # the store opens and parses
        report = check(db)
        assert report.consistent, report.problems
        assert committed <= present, "an earlier successful import lost articles"
        landed = ids & present
        assert landed in (set(), ids), f"a killed import left {len(landed)} of {len(ids)}"
        if process.returncode == 0:
            outcomes["finished"] += 1
            assert landed == ids
        elif not landed:
            outcomes["killed, none in"] += 1
        else:
            state = "stale" if report.index_stale else "current"
            outcomes[f"killed, all in (index {state})"] += 1
        if landed:
            committed |= ids
    print(f"\n{trials} trials: {outcomes}")
    # After all that, search still agrees with the store (a stale index is rebuilt).
    archive = Archive.open(db)
    some = next(iter(committed))
    assert archive.store.get(some) is not None
    results = archive.search('"batch 0"', limit=500)
    assert results.total == len(batches[0][1])


def test_crash_between_store_and_index_leaves_a_stale_index_that_is_rebuilt(
    tmp_path: Path,
) -> None:
    """Power loss after the store write but before the index update: the index must be
    seen as stale and rebuilt, never trusted silently."""
    db = tmp_path / "store.json"
    batches = write_batches(tmp_path, 2, size=20)
    archive = Archive.open(db)
    archive.import_paths([batches[0][0]])
    # The store gains the second batch; the index is never told (the crash).
    from newstui.importer import read_file

    articles, _ = read_file(batches[1][0])
    ArticleStore(db).add_many(articles)
    report = check(db)
    assert report.consistent and report.index_stale
    results = Archive.open(db).search('"batch 1"', limit=100)
    assert results.total == 20, "the stale index was trusted"
    assert not check(db).index_stale


def test_four_writers_and_a_reader_at_once(tmp_path: Path, long_form: bool) -> None:
    """Four imports of different sets into one store at once while a fifth process
    reads: every article ends up present, nobody sees a traceback, and a writer that
    had to wait said so."""
    db = tmp_path / "store.json"
    size = 400 if long_form else 120
    existing, *batches = write_batches(tmp_path, 5, size=size)
    subprocess.run(newstui("--db", str(db), "import", "-q", str(existing[0])), check=True,
                   capture_output=True, timeout=120)
    # Hold the lock while the writers start, so each of them must wait for it.
    holder = ArticleStore(db)
    reads: list[subprocess.CompletedProcess[str]] = []
    with WriteLock(holder.lock_path):
        writers = [subprocess.Popen(newstui("--db", str(db), "import", str(path)),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for path, _ in batches]
        # Released only once every writer has said it waits (its first line on stderr):
        # a fixed pause let a slow writer on a loaded machine arrive after the others.
        waited = [w.stderr.readline() if w.stderr is not None else "" for w in writers]
        # The reader starts before the lock is released and reads until the last
        # writer has finished, so it reads while they write however fast they are (a
        # loop begun after the release could find them all done on a loaded machine).
        reader = threading.Thread(target=_search_until_done, args=(db, writers, reads))
        reader.start()
        # One read done with the four writers waiting (a search never needs the lock
        # on a current index; the limit only turns a deadlock into a failure).
        deadline = time.monotonic() + 600
        while not reads and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reads, "a search could not run while writers waited for the lock"
    reader.join()
    for done in reads:
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    outputs = [w.communicate() for w in writers]
    for writer, said, (_out, err) in zip(writers, waited, outputs, strict=True):
        assert writer.returncode == 0, err
        assert "Traceback" not in err
        assert "waiting for another newstui process" in said
    present = stored_ids(db)
    for _, ids in [existing, *batches]:
        assert ids <= present
    assert check(db).consistent
    assert len(reads) >= 2  # one while the writers waited, one at least after


def _search_until_done(db: Path, writers: list[subprocess.Popen[str]],
                       reads: list[subprocess.CompletedProcess[str]]) -> None:
    """`newstui search` again and again until every writer has exited (and once more
    after: the last read sees every set)."""
    while True:
        running = any(w.poll() is None for w in writers)
        reads.append(subprocess.run(newstui("--db", str(db), "search", "batch", "--limit", "1"),
                                    capture_output=True, text=True))
        if not running:
            return


@pytest.mark.skipif(os.name != "posix", reason="fsync of a folder is POSIX")
def test_the_write_path_fsyncs_file_and_folder(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Power loss: the data is fsynced before the rename, the folder after it."""
    calls: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        calls.append("dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    db = tmp_path / "store.json"
    batches = write_batches(tmp_path, 1, size=3)
    from newstui.importer import read_file

    ArticleStore(db).add_many(read_file(batches[0][0])[0])
    assert calls[:2] == ["file", "dir"]
