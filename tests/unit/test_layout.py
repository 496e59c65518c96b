"""The store's line layout: still TinyDB JSON, and readable a line at a time."""

from __future__ import annotations

from pathlib import Path

import orjson
from tinydb import TinyDB

from newstui.archive import Archive, bundled_samples
from newstui.article import Article
from newstui.store import ArticleStore
from newstui.store_format import LineReader as StoreReader
from newstui.store_format import encode


def records(*articles: Article) -> dict:
    return {a.id: a.to_record() for a in articles}


def test_layout_is_plain_tinydb_json_and_reads_back_line_by_line(tmp_path: Path) -> None:
    old = Article("Old news", ("First.",), updated="2001-01-01")
    new = Article('A "quoted"\\nheadline, with {braces}', ("Line one\nline two", "¶ £ ✓"),
                  published="2016-07-27", dateline="BRUSSELS")
    undated = Article("Undated", ("Body.",))
    tables = {"meta": {"store": {"schema": 1, "generation": 3, "store_id": "x"}},
              "articles": records(old, new, undated)}
    path = tmp_path / "store.json"
    path.write_bytes(encode(tables))
    whole = orjson.loads(path.read_bytes())
    assert whole["articles"] == tables["articles"]
    assert whole["meta"]["store"]["generation"] == 3
    # TinyDB itself reads it.
    assert len(TinyDB(str(path)).table("articles")) == 3
    reader = StoreReader(path)
    assert [s.headline for s in reader.summaries()] == [new.headline, old.headline, "Undated"]
    assert reader.record(new.id) == new.to_record()
    assert reader.record("0000000000000000") is None
    assert reader.meta["store"]["generation"] == 3


def test_an_empty_store_reads_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(encode({"meta": {"store": {"schema": 1}}, "articles": {}}))
    assert list(StoreReader(path).summaries()) == []
    assert orjson.loads(path.read_bytes())["articles"] == {}


def test_store_reads_summaries_without_parsing_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    Archive.open(path).import_paths([bundled_samples()])
    store = ArticleStore(path)
    summaries = store.summaries()
    # Nothing parsed whole: every segment read from its line layout.
    assert len(summaries) == 20 and all(f.in_layout for f in store._files.values())
    assert summaries[0].headline == "Ancient Mosaic Goes on Display in Marrowby Museum"
    article = store.get(summaries[3].id)
    assert article is not None and article.headline == summaries[3].headline
    assert store.resolve(summaries[3].id[:8]).id == summaries[3].id
    assert summaries[3].id in store and len(store) == 20
    assert all(f.in_layout for f in store._files.values())


def test_a_segment_in_plain_json_still_works_and_is_rewritten_in_the_layout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.json"
    Archive.open(path).import_paths(sorted(bundled_samples().iterdir())[:3])
    [segment] = (tmp_path / "store.segments").glob("*.json")
    segment.write_bytes(orjson.dumps(orjson.loads(segment.read_bytes())))  # one long line
    store = ArticleStore(path)
    assert len(store.summaries()) == 3
    assert store.get(store.summaries()[0].id) is not None
    Archive.open(path).import_paths(sorted(bundled_samples().iterdir())[3:5])
    [entry] = orjson.loads(path.read_bytes())["segments"].values()
    segment = tmp_path / "store.segments" / entry["file"]
    assert len(StoreReader(segment).meta) and len(list(StoreReader(segment).summaries())) == 5


def test_a_truncated_layout_is_not_read_line_by_line(tmp_path: Path) -> None:
    store_path = tmp_path / "store.json"
    Archive.open(store_path).import_paths([bundled_samples()])
    [path] = (tmp_path / "store.segments").glob("*.json")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 500])  # the summary rows are intact
    import pytest

    from newstui.store import CorruptStoreError
    from newstui.store_format import LayoutError

    with pytest.raises(LayoutError):
        StoreReader(path)
    with pytest.raises(CorruptStoreError, match=str(path)):
        ArticleStore(store_path).summaries()
