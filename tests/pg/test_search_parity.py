"""One grammar, two back ends: the same queries run on the tantivy index (the TinyDB
store) and on PostgreSQL full-text search must find the same articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newstui.archive import Archive, bundled_samples
from newstui.article import Article
from newstui.pg.store import PgArchive

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

EXTRA = [
    Article(headline="Zürich bankers meet in Genève", body=("Talks on the crème brûlée tax.",),
            dateline="ZÜRICH", published="2011-05-02", credit="Reuters"),
    Article(headline="A mid-1990s revival", body=("The state-owned firm returned.",),
            published="1999-01-01"),
    Article(headline="Undated note", body=("No date here, only harbour news.",)),
]

SAMPLE_QUERIES = [
    "cotton", "harbour", "zoe", "zoë", "ZURICH", "zurich geneve", "creme brulee",
    '"water limits"', '"port avelin"', '"avelin port"', "harbour -ferry", "harbour OR cotton",
    "harbour OR cotton OR mosaic", "headline:harbour", "body:harbour", "caption:mosaic",
    "dateline:marrowby", "credit:afp", "credit:reuters", "-marrowby on:2016", "on:2016",
    "after:2015-01-01", "before:2010", 'on:"dec 2009"', "after:2009 before:2012 council",
    "mid-1990s", '"state-owned"', "state", "owned", "headline:\"mid 1990s\"",
    "harbour -headline:harbour", "dateline:zurich OR credit:afp", "rail strike",
    "marrowby -dateline:marrowby", "the", "£12",
]

CORPUS_QUERIES = [
    "oil prices", '"maternity pay"', "blair OR brown", "election -labour", "headline:chelsea",
    "dateline:london", "music award", "broadband -bt", '"prime minister"', "euro OR dollar",
    "yukos", "gaming", "headline:\"world cup\"", "film OR cinema -oscar", "virus email",
    "iraq war", "rugby wales", "body:tsunami", "ipod", "economy growth",
]


def _ids(results: object) -> list[str]:
    return [hit.article.id for hit in results.hits]  # type: ignore[attr-defined]


def _compare(tantivy: Archive, pg: PgArchive, queries: list[str], limit: int) -> None:
    differing = []
    for query in queries:
        expected = tantivy.search(query, limit)
        found = pg.search(query, limit)
        same_total = expected.total == found.total
        # The full sets must agree; ranked lists may differ in order (BM25 vs ts_rank),
        # so compare the sets where every match fits in the limit.
        if expected.total <= limit:
            same = set(_ids(expected)) == set(_ids(found))
        else:
            same = True
        if not (same and same_total):
            differing.append((query, expected.total, found.total))
    assert not differing, differing


@pytest.fixture
def both(tmp_path: Path, pg_url: str) -> Iterator[tuple[Archive, PgArchive]]:
    tantivy = Archive.open(tmp_path / "store.json")
    tantivy.import_paths([bundled_samples()])
    tantivy.add(list(EXTRA))
    pg = PgArchive.open(pg_url)
    pg.import_paths([bundled_samples()])
    pg.add(list(EXTRA))
    yield tantivy, pg
    pg.close()


def test_same_hits_on_the_samples(both: tuple[Archive, PgArchive]) -> None:
    tantivy, pg = both
    _compare(tantivy, pg, SAMPLE_QUERIES, limit=50)


def test_same_order_where_one_article_is_clearly_best(both: tuple[Archive, PgArchive]) -> None:
    tantivy, pg = both
    for query in ("harbour", "mosaic", "cotton mill", "headline:zurich OR geneve"):
        assert _ids(pg.search(query))[0] == _ids(tantivy.search(query))[0], query


def test_snippets_mark_the_same_words(both: tuple[Archive, PgArchive]) -> None:
    tantivy, pg = both
    for query in ("cotton", "zoe", "harbour"):
        [expected, found] = (a.search(query, 1).hits[0].snippet for a in (tantivy, pg))
        marked = {expected.text[lo:hi].casefold() for lo, hi in expected.highlights}
        assert marked == {found.text[lo:hi].casefold() for lo, hi in found.highlights}
        assert "«" in found.marked()


def test_same_hits_on_the_bbc_corpus(tmp_path: Path, pg_url: str) -> None:
    bbc = CORPUS / "bbc"
    if not bbc.is_dir():
        pytest.skip(f"corpus not found at {bbc}: the shared test corpus is not on this machine")
    tantivy = Archive.open(tmp_path / "bbc.json")
    tantivy.import_paths([bbc])
    pg = PgArchive.open(pg_url)
    pg.import_paths([bbc])
    assert len(pg.store) == len(tantivy.store)
    _compare(tantivy, pg, CORPUS_QUERIES, limit=3000)
    pg.close()


def test_a_query_matching_more_than_are_ranked(both: tuple[Archive, PgArchive]) -> None:
    """Past RANKED matches the database ranks the newest RANKED + 1 and says "more than
    RANKED" instead of counting them all; `count` still counts exactly, the same as
    tantivy's total, and every hit shown is a real match."""
    tantivy, pg = both
    pg.RANKED = 3
    for query in ("harbour OR cotton OR mosaic", "after:2009", "-marrowby"):
        expected = tantivy.search(query, 50)
        assert expected.total > 3, query
        found = pg.search(query, 2)
        assert (found.total, found.exact) == (3, False), query
        assert found.describe_total() == "more than 3 matches"
        assert len(found.hits) == 2
        assert set(_ids(found)) <= set(_ids(expected)), query
        assert pg.count(query) == expected.total, query
    exact = pg.search("mosaic", 50)
    assert exact.exact and exact.total == tantivy.search("mosaic", 50).total
