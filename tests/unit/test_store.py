"""The store: one atomic write per import, a backup of the previous version, one writer
at a time across processes, corrupt files refused and left as they were."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest
from support.core import SAMPLES, article

from newstui.archive import Archive
from newstui.article import ReadingState
from newstui.files import WriteLock
from newstui.store import ArticleStore, CorruptStoreError, UnknownArticleError


def test_add_and_read_back(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "s.json")
    a = article("Old News", "Body.", updated="2009-12-03", dateline="MOSCOW")
    b = article("New News", "Body.", published="2016-07-27")
    c = article("Undated", "Body.")
    added = store.add_many([a, b, c, a])
    assert [x.id for x in added] == [a.id, b.id, c.id]
    assert all(x.imported_at for x in added)
    reopened = ArticleStore(tmp_path / "s.json")
    assert len(reopened) == 3
    assert [x.headline for x in reopened.newest_first()] == ["New News", "Old News", "Undated"]
    got = reopened.get(a.id)
    assert got is not None and (got.headline, got.dateline, got.updated) == (
        "Old News", "MOSCOW", "2009-12-03")
    assert reopened.resolve(a.id[:6]).id == a.id
    assert reopened.add_many([a, b]) == []  # already present


def test_resolve_unknown_id(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "s.json")
    store.add_many([article("One")])
    with pytest.raises(UnknownArticleError, match="no article with id 'zzz'"):
        store.resolve("zzz")


def test_one_write_per_import_and_backup_of_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = ArticleStore(path)
    store.add_many([article("First")])
    before = path.stat().st_ino
    first_version = path.read_bytes()
    many = [article(f"Story {n}", f"Body {n}.") for n in range(200)]
    store.add_many(many)
    after = path.stat()
    # A new file replaced the old one (atomic rename, not an in-place rewrite), and the
    # backup is the very file that was there before: had the import written twice, the
    # backup would be the intermediate version.
    assert after.st_ino != before
    backup = tmp_path / "s.json.bak"
    assert backup.stat().st_ino == before
    assert backup.read_bytes() == first_version
    assert len(ArticleStore(path)) == 201
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_archive_import_writes_the_store_once(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    archive = Archive.open(path)
    archive.add([article("First")])
    before = path.stat().st_ino
    report = archive.import_paths([SAMPLES])
    assert len(report.added) == 20
    assert (tmp_path / "s.json.bak").stat().st_ino == before
    assert ArticleStore(path).generation == 2


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = ArticleStore(path)
    store.add_many([article("First")])
    stat = path.stat()
    store.add_many([article("First")])
    assert path.stat().st_ino == stat.st_ino
    assert path.stat().st_mtime_ns == stat.st_mtime_ns


HOLDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from newstui.article import Article
    from newstui.store import ArticleStore
    store = ArticleStore(Path(sys.argv[1]))
    release = Path(sys.argv[2])
    with store.writing():
        print("locked", flush=True)
        while not release.exists():
            time.sleep(0.01)
        store.add_many([Article("From the other process", ("Body.",))])
    print("done", flush=True)
""")


def test_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    ArticleStore(path).add_many([article("Already there")])
    release = tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(release)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        waited: list[Path] = []

        def on_wait(lock: Path) -> None:
            # Told once that it waits: only now let the other process finish.
            waited.append(lock)
            release.touch()

        store = ArticleStore(path, on_wait=on_wait)
        added = store.add_many([article("From this process")])
        assert waited == [tmp_path / "s.lock"]
        assert [a.headline for a in added] == ["From this process"]
        assert holder.wait(timeout=30) == 0
    finally:
        release.touch()
        if holder.poll() is None:
            holder.kill()
        holder.wait()
    headlines = sorted(a.headline for a in ArticleStore(path).articles())
    assert headlines == ["Already there", "From the other process", "From this process"]


def test_lock_is_not_needed_when_free(tmp_path: Path) -> None:
    waited: list[Path] = []
    with WriteLock(tmp_path / "x.lock", on_wait=waited.append):
        pass
    assert waited == []


CORRUPT = {
    "garbage": b"\x00\xff\xfe garbage \x01",
    "truncated": b'{"articles": {"abc": {"headline": "x", "bo',
    "empty": b"",
    "whitespace": b"  \n",
    "json list": b"[1, 2, 3]",
    "json string": b'"hello"',
    "tables not objects": b'{"articles": [1, 2]}',
    "foreign tinydb": b'{"_default": {"1": {"name": "x"}}}',
    "newer schema": b'{"articles": {}, "meta": {"store": {"schema": 99}}}',
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_store_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(CorruptStoreError) as caught:
        store = ArticleStore(path)
        store.add_many([article("Must not be written")])
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == content
    assert not (tmp_path / "s.json.bak").exists()


def test_corrupt_state_file_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    ArticleStore(path).add_many([article("One")])
    state = tmp_path / "s.state.json"
    state.write_bytes(b"{not json")
    with pytest.raises(CorruptStoreError, match=str(state)):
        ArticleStore(path).states()  # the state file may be read lazily
    with pytest.raises(CorruptStoreError, match=str(state)):
        ArticleStore(path).set_state(next(ArticleStore(path).articles()).id,
                                     ReadingState(read=True))
    assert state.read_bytes() == b"{not json"


def test_reading_state_round_trips_in_its_own_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    store = ArticleStore(path)
    [a, b] = store.add_many([article("One"), article("Two")])
    store_bytes = path.read_bytes()
    store.set_state(a.id, ReadingState(read=True, starred=True, position=12))
    store.set_state(b.id, ReadingState(read=True))
    assert path.read_bytes() == store_bytes  # starring does not rewrite the articles
    state_file = tmp_path / "s.state.json"
    assert set(orjson.loads(state_file.read_bytes())) == {"state"}
    assert "state" not in orjson.loads(path.read_bytes())

    reopened = ArticleStore(path)
    assert reopened.state(a.id) == ReadingState(read=True, starred=True, position=12)
    assert reopened.states() == {a.id: ReadingState(read=True, starred=True, position=12),
                                 b.id: ReadingState(read=True)}
    reopened.set_state(b.id, ReadingState())  # back to the default: forgotten
    assert ArticleStore(path).states() == {a.id: ReadingState(read=True, starred=True,
                                                              position=12)}
    # Importing more keeps the reading state.
    reopened.add_many([article("Three")])
    assert ArticleStore(path).state(a.id).starred


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_read_only_folder(tmp_path: Path) -> None:
    from newstui.store import ReadOnlyStoreError

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ReadOnlyStoreError):
            ArticleStore(folder / "s.json").add_many([article("One")])
    finally:
        folder.chmod(0o755)
