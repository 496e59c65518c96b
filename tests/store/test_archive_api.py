"""The Archive API the feeds, serve and pg work builds on: upsert (added / updated /
unchanged; an update keeps the reading state; the index follows in one commit), delete
(reading state and index entries go too), and a reader's own reading-state file."""

from __future__ import annotations

from pathlib import Path

import orjson

from newstui.archive import Archive
from newstui.article import Article, ReadingState, Summary
from newstui.store import ArticleStore


def item(guid: str, headline: str, *body: str) -> Article:
    """A feed item: its id names the item, so a new text is a newer version."""
    return Article(headline, body or ("Body.",), feed="https://example.org/feed",
                   guid=guid, published="2024-05-01")


def search_ids(archive: Archive, text: str) -> list[str]:
    return [hit.article.id for hit in archive.search(text).hits]


def test_upsert_reports_added_updated_unchanged_and_keeps_reading_state(
    tmp_path: Path,
) -> None:
    archive = Archive.open(tmp_path / "a.json")
    first = archive.upsert([item("1", "Harbour reopens", "Boats are back."),
                            item("2", "Mill closes")])
    assert [a.headline for a in first.added] == ["Harbour reopens", "Mill closes"]
    assert first.updated == first.unchanged == []
    one = first.added[0]
    archive.store.set_state(one.id, ReadingState(read=True, starred=True, position=4))

    newer = item("1", "Harbour reopens after storm", "Trawlers are back.")
    assert newer.id == one.id
    second = archive.upsert([newer, item("2", "Mill closes")])
    assert [a.id for a in second.updated] == [one.id]
    assert [a.headline for a in second.unchanged] == ["Mill closes"]
    assert second.added == []

    reopened = Archive.open(tmp_path / "a.json")
    stored = reopened.store.get(one.id)
    assert stored is not None and stored.headline == "Harbour reopens after storm"
    assert len(reopened.store) == 2
    assert reopened.store.state(one.id) == ReadingState(read=True, starred=True, position=4)
    # The index followed: the new text is found, the old one no longer.
    assert search_ids(reopened, "trawlers") == [one.id]
    assert search_ids(reopened, "boats") == []
    assert reopened.index().is_current(reopened.store.store_id, reopened.store.generation)


def test_an_unchanged_upsert_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    archive = Archive.open(path)
    archive.upsert([item("1", "Harbour reopens")])
    before = path.stat().st_mtime_ns, ArticleStore(path).generation
    result = archive.upsert([item("1", "Harbour reopens")])
    assert result.changed is False and len(result.unchanged) == 1
    assert (path.stat().st_mtime_ns, ArticleStore(path).generation) == before


def test_delete_removes_article_state_and_index_entry(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "a.json")
    added = archive.upsert([item("1", "Harbour reopens"), item("2", "Mill closes"),
                            item("3", "Ferry sails")]).added
    for article in added:
        archive.store.set_state(article.id, ReadingState(starred=True))
    removed = archive.delete([added[0].id, "0000000000000000", added[1].id])
    assert removed == [added[0].id, added[1].id]
    reopened = Archive.open(tmp_path / "a.json")
    assert [s.id for s in reopened.store.summaries()] == [added[2].id]
    assert set(reopened.store.states()) == {added[2].id}
    assert search_ids(reopened, "harbour") == [] and search_ids(reopened, "ferry")
    assert archive.delete([added[0].id]) == []  # already gone: nothing written


def test_a_reader_keeps_its_own_reading_state(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    [one] = Archive.open(path).upsert([item("1", "Harbour reopens")]).added
    alice = Archive.open(path, state_path=tmp_path / "alice.state.json")
    alice.store.set_state(one.id, ReadingState(read=True))
    assert Archive.open(path).store.state(one.id) == ReadingState()
    assert Archive.open(path, state_path=tmp_path / "alice.state.json").store.state(
        one.id).read
    assert not (tmp_path / "a.state.json").exists()
    assert one.id in orjson.loads((tmp_path / "alice.state.json").read_bytes())["state"]


def test_summary_is_the_records_companion_in_article_py() -> None:
    assert Summary.__module__ == "newstui.article"


def test_a_summary_row_split_across_lines_is_never_listed_twice(tmp_path: Path) -> None:
    """A fast read that fails part-way used to start again the slow way and yield the
    rows already given a second time (25 summaries for 20 articles)."""
    from newstui.archive import bundled_samples
    from newstui.store_format import CorruptStoreError

    store_path = tmp_path / "a.json"
    Archive.open(store_path).import_paths([bundled_samples()])
    [path] = (tmp_path / "a.segments").glob("*.json")
    data = path.read_bytes()
    rows_at = data.index(b'"list":[\n') + 9
    for _ in range(5):
        rows_at = data.index(b"\n", rows_at) + 1
    comma = data.index(b'","', rows_at) + 2
    path.write_bytes(data[:comma] + b"\n" + data[comma:])  # still valid JSON
    assert len(orjson.loads(path.read_bytes())["articles"]) == 20
    seen: list[str] = []
    try:
        for summary in ArticleStore(store_path).iter_summaries():
            seen.append(summary.id)
    except CorruptStoreError as exc:
        assert str(path) in str(exc) and "--repair" in str(exc)
    assert len(seen) == len(set(seen)) <= 20
