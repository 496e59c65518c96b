"""The query language and the index: each query form, ranking, snippets, errors, and an
index that rebuilds itself when it is missing or stale."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support.core import article

from newstui.archive import Archive
from newstui.article import Article
from newstui.query import AnyOf, Term, parse_query
from newstui.search import QueryError
from newstui.store import ArticleStore

ARTICLES = {
    "cotton": article("Cotton Harvest Falls", "Farmers said the yield was poor this year.",
                      updated="2009-12-03", dateline="TASHKENT", caption="Bales wait in a yard.",
                      credit="Reuters"),
    "flood": article("Weather Report", "The cotton fields flooded after rain near Zürich.",
                     published="2016-07-27"),
    "phrase": article("Ministers Plan a Rise", "Ministers plan to raise maternity pay.",
                      published="2005-02-01"),
    "split": article("Talks Continue", "Maternity leave was discussed, and so was pay.",
                     published="2005-02-02"),
    "nato": article("Alliance Meets", "NATO envoys met in the Belgian capital.",
                    dateline="BRUSSELS", updated="2016-07-26"),
    "russia": article("Russia Talks to NATO", "Moscow spoke to the alliance.",
                      updated="2010-01-01T09:30"),
    "tie-old": article("Older One", "Identical words in both of these bodies.",
                       published="2001-01-01"),
    "tie-new": article("Newer One", "Identical words in both of these bodies.",
                       published="2002-01-01"),
    "undated": article("Undated Piece", "An undated story about Maternity wards."),
}
NAMES = {a.id: name for name, a in ARTICLES.items()}


@pytest.fixture
def archive(make_archive: Callable[..., Archive]) -> Archive:
    return make_archive(*ARTICLES.values())


def found(archive: Archive, query: str) -> list[str]:
    return [NAMES[hit.article.id] for hit in archive.search(query).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cotton", {"cotton", "flood"}),
        ("cotton flooded", {"flood"}),                      # words: AND
        ('"maternity pay"', {"phrase"}),                    # exact phrase
        ("maternity pay", {"phrase", "split"}),
        ("nato -russia", {"nato"}),                         # exclusion
        ("nato -moscow", {"nato"}),
        ('maternity -"maternity pay"', {"split", "undated"}),
        ("alliance OR cotton", {"cotton", "flood", "nato", "russia"}),
        ("yield OR flooded OR envoys", {"cotton", "flood", "nato"}),
        ("nato OR cotton fields", {"flood"}),               # OR binds tighter than AND
        ("headline:cotton", {"cotton"}),
        ("body:cotton", {"flood"}),
        ('headline:"harvest falls"', {"cotton"}),
        ("caption:bales", {"cotton"}),
        ("credit:reuters", {"cotton"}),
        ("dateline:brussels", {"nato"}),
        ("dateline:tashkent", {"cotton"}),
        ("headline:nato", {"russia"}),
        ("after:2016-07-01", {"flood", "nato"}),
        ("after:2016-07-27", {"flood"}),
        ("before:2005-02-02", {"phrase", "tie-old", "tie-new"}),
        ("on:2005", {"phrase", "split"}),
        ('on:"feb 2005"', {"phrase", "split"}),
        ("on:2005-02-01", {"phrase"}),
        ('after:"dec 2009" before:2011', {"cotton", "russia"}),
        ("on:2010-01-01", {"russia"}),                      # a dated time still counts
        ("after:07/27/2016", {"flood"}),
        ('before:"July 2016" maternity', {"phrase", "split"}),
        ("COTTON", {"cotton", "flood"}),                    # case-insensitive
        ("zurich", {"flood"}),                              # accent-insensitive
        ("ZÜRICH", {"flood"}),
        ("Bálés", {"cotton"}),
        ("nothingmatchesthis", set()),
    ],
)
def test_query_forms(archive: Archive, query: str, expected: set[str]) -> None:
    assert set(found(archive, query)) == expected


def test_headline_match_ranks_above_body_only(archive: Archive) -> None:
    assert found(archive, "cotton") == ["cotton", "flood"]
    assert found(archive, "nato")[0] == "russia"  # headline "Russia Talks to NATO"


def test_ties_newest_first(archive: Archive) -> None:
    assert found(archive, "identical") == ["tie-new", "tie-old"]


def test_date_only_query_lists_newest_first(archive: Archive) -> None:
    assert found(archive, "on:2005") == ["split", "phrase"]
    assert found(archive, "after:2009") == ["flood", "nato", "russia", "cotton"]


def test_limit_and_total(archive: Archive) -> None:
    results = archive.search("maternity", limit=1)
    assert len(results.hits) == 1
    assert results.total == 3


def test_snippet_marks_matched_terms(archive: Archive) -> None:
    [hit] = archive.search("body:flooded").hits
    assert "«flooded»" in hit.snippet.marked()
    assert hit.snippet.marked("[", "]").count("[flooded]") == 1
    [hit] = archive.search("zurich").hits
    assert "«Zürich»" in hit.snippet.marked()  # offsets counted in characters, not bytes
    [hit] = archive.search('"maternity pay"').hits
    assert "«maternity» «pay»" in hit.snippet.marked()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"maternity pay', "closing quote"),
        ('cotton "', "closing quote"),
        ("foo:bar", "unknown field foo:"),
        ("after:notadate", "after:"),
        ("before:2009-02-30", "not a valid date"),
        ('on:"3 hours ago"', "on:"),
        ("OR", "OR needs a word on each side"),
        ("cotton OR", "OR needs a word on each side"),
        ("OR cotton", "OR needs a word on each side"),
        ("", "nothing to search for"),
        ("   ", "nothing to search for"),
        ('""', "empty phrase"),
        ("headline:", "headline: needs a word"),
        ("after:", "after: needs a date"),
        ("-after:2009", "cannot be negated"),
        ("-", "no searchable words"),
    ],
)
def test_malformed_queries(archive: Archive, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as caught:
        archive.search(query)
    assert "\n" not in str(caught.value)


def test_parse_tree() -> None:
    query = parse_query('nato OR "arms control" -russia headline:putin on:2009')
    assert query.required == (
        AnyOf((Term("nato"), Term("arms control", phrase=True))),
        Term("putin", field="headline"),
    )
    assert query.excluded == (Term("russia"),)
    assert query.dates is not None
    assert (str(query.dates.first), str(query.dates.last)) == ("2009-01-01", "2009-12-31")


# -- the index keeps up with the store ---------------------------------------------------


def test_index_rebuilt_when_missing(tmp_path: Path, make_archive: Callable[..., Archive]) -> None:
    make_archive(*ARTICLES.values())
    shutil.rmtree(tmp_path / "store.index")
    reopened = Archive.open(tmp_path / "store.json")
    assert set(found(reopened, "cotton")) == {"cotton", "flood"}
    assert (tmp_path / "store.index").is_dir()


def test_index_rebuilt_when_stale(tmp_path: Path, make_archive: Callable[..., Archive]) -> None:
    make_archive(*ARTICLES.values())
    extra: Article = article("Cotton Prices Soar", "Traders were surprised.")
    # Written to the store alone, behind the index's back.
    ArticleStore(tmp_path / "store.json").add_many([extra])
    reopened = Archive.open(tmp_path / "store.json")
    hits = reopened.search("cotton").hits
    assert sorted(h.article.headline for h in hits) == [
        "Cotton Harvest Falls", "Cotton Prices Soar", "Weather Report"]
    assert hits[-1].article.headline == "Weather Report"  # the body-only match


def test_damaged_index_is_rebuilt(tmp_path: Path, make_archive: Callable[..., Archive]) -> None:
    make_archive(*ARTICLES.values())
    index = tmp_path / "store.index"
    for child in index.iterdir():
        if child.name == "meta.json":
            child.write_text("{garbage")
    reopened = Archive.open(tmp_path / "store.json")
    assert set(found(reopened, "cotton")) == {"cotton", "flood"}


def test_reindex_counts(archive: Archive) -> None:
    assert archive.reindex() == len(ARTICLES)
    assert len(archive.index()) == len(ARTICLES)


def test_bbc_maternity_pay(bbc_store: Path) -> None:
    results = Archive.open(bbc_store).search('"maternity pay"')
    assert results.hits[0].article.headline == "Labour plans maternity pay rise"
    assert "«maternity» «pay»" in results.hits[0].snippet.marked()
