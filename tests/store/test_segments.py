"""The store of segments: an import rewrites only the open segment and the manifest;
sealed segments are never rewritten but by compaction; every segment is plain TinyDB
JSON; the index follows each write without a rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.store_helpers import manifest_of, segment_files, story
from tinydb import TinyDB

from newstui.archive import Archive
from newstui.article import ReadingState
from newstui.check import check
from newstui.search import SearchIndex
from newstui.store import ArticleStore


def test_an_import_rewrites_only_the_open_segment(tmp_path: Path, small_segments: int) -> None:
    db = tmp_path / "a.json"
    archive = Archive.open(db)
    archive.upsert([story(n) for n in range(12)])
    before = segment_files(db)
    assert list(before) == ["000001", "000002", "000003"]
    sealed = {name: (p.stat().st_ino, p.stat().st_mtime_ns) for name, p in before.items()
              if name != "000003"}
    archive.upsert([story(100)])
    after = segment_files(db)
    for name, identity in sealed.items():
        assert after[name] == before[name]
        assert (after[name].stat().st_ino, after[name].stat().st_mtime_ns) == identity
    assert after["000003"] != before["000003"]  # a new file, the old one kept for .bak
    assert before["000003"].exists() and (tmp_path / "a.json.bak").exists()
    assert len(ArticleStore(db)) == 13
    # Every segment is a TinyDB JSON file anyone can open.
    for path in after.values():
        with TinyDB(str(path), access_mode="r") as plain:
            assert len(plain.table("articles")) == manifest_of(db)["segments"][
                path.name[:6]]["rows"]


def test_the_list_merges_segments_newest_first(tmp_path: Path, small_segments: int) -> None:
    db = tmp_path / "a.json"
    archive = Archive.open(db)
    archive.upsert([story(n, day=1 + (n * 7) % 28) for n in range(17)])
    archive.upsert([story(99)])  # undated last, whatever its segment
    from newstui.article import Article

    archive.upsert([Article("Undated one", ("Body.",))])
    summaries = ArticleStore(db).summaries()
    dates = [s.date for s in summaries if s.date]
    assert dates == sorted(dates, reverse=True)
    assert summaries[-1].headline == "Undated one"
    assert len({s.id for s in summaries}) == len(summaries) == 19


def test_the_index_follows_each_write_without_a_rebuild(
    tmp_path: Path, small_segments: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "a.json"
    archive = Archive.open(db)
    archive.upsert([story(n) for n in range(7)])
    assert archive.search("paragraph").total == 7

    def no_rebuild(*args: object, **kwargs: object) -> int:
        raise AssertionError("the index was rebuilt for an import")

    monkeypatch.setattr(SearchIndex, "rebuild", no_rebuild)
    archive = Archive.open(db)
    archive.upsert([story(50)])
    [gone] = [s.id for s in archive.store.summaries() if s.headline == "Story number 3"]
    archive.delete([gone])
    archive = Archive.open(db)
    store = archive.store
    assert archive.index(refresh=False).is_current(store.store_id, store.generation)
    found = {hit.article.headline for hit in archive.search("paragraph", limit=50).hits}
    assert "Story number 50" in found and "Story number 3" not in found and len(found) == 7


def test_an_update_in_a_sealed_segment_and_compaction(tmp_path: Path,
                                                       small_segments: int) -> None:
    db = tmp_path / "a.json"
    archive = Archive.open(db)
    feed = "https://example.org/feed"
    from newstui.article import Article

    def item(n: int, text: str) -> Article:
        return Article(f"Item {n}", (text,), feed=feed, guid=str(n), published="2024-02-01")

    archive.upsert([item(n, "first") for n in range(10)])
    first = segment_files(db)["000001"]
    archive.store.set_state(item(0, "x").id, ReadingState(starred=True))
    result = archive.upsert([item(0, "second version")])
    assert [a.id for a in result.updated] == [item(0, "x").id]
    # The sealed segment is not rewritten: its old record is listed as dead.
    assert segment_files(db)["000001"] == first
    assert manifest_of(db)["segments"]["000001"]["dead"] == [item(0, "x").id]
    store = ArticleStore(db)
    assert len(store) == 10 and len(store.summaries()) == 10
    got = store.get(item(0, "x").id)
    assert got is not None and got.body == ("second version",)
    assert store.state(item(0, "x").id).starred
    # A second update in the same segment passes a quarter dead: compacted at once.
    archive.upsert([item(1, "second version")])
    entry = manifest_of(db)["segments"]["000001"]
    assert entry["dead"] == [] and entry["rows"] == 3
    assert segment_files(db)["000001"] != first
    assert check(db).consistent and len(ArticleStore(db)) == 10


def test_compact_drops_every_dead_record(tmp_path: Path, small_segments: int) -> None:
    db = tmp_path / "a.json"
    archive = Archive.open(db)
    archive.upsert([story(n) for n in range(10)])
    [one] = [s.id for s in archive.store.summaries() if s.headline == "Story number 0"]
    archive.delete([one])
    assert sum(len(e["dead"]) for e in manifest_of(db)["segments"].values()) == 1
    assert Archive.open(db).compact() == 1
    assert all(not e["dead"] for e in manifest_of(db)["segments"].values())
    archive = Archive.open(db)
    assert len(archive.store) == 9 and archive.search("paragraph").total == 9
    assert check(db).consistent


def test_leftovers_of_a_killed_write_are_removed_by_the_next(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    archive = Archive.open(db)
    archive.upsert([story(1)])
    stray = tmp_path / "a.segments" / "000009.g000099.json"
    stray.write_bytes(b"{}")
    assert "remove 1 segment file(s)" in " ".join(check(db).actions)
    archive.upsert([story(2)])
    assert not stray.exists()
