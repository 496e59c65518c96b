"""The article highlights what the search matched: words folded by the index's own
analyzer, not by Unicode decomposition (which leaves ø, Ł, Æ, Đ as they are)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.archive import Archive
from newstui.article import Article
from newstui.highlight import fold, match_spans, query_phrases
from newstui.query import parse_query
from newstui.search import shared_analyzer

TEXT = ("Søren Ødegård met the mayor of Łódź, an Æsir scholar, Đorđe, and the "
        "Straße committee; İstanbul's ﬁnest came too. 日本語の新聞 and 東京.")


@pytest.mark.parametrize(("query", "marked"), [
    ("soren", ["Søren"]), ("odegard", ["Ødegård"]), ("lodz", ["Łódź"]),
    ("aesir", ["Æsir"]), ("dorde", ["Đorđe"]), ("strasse", ["Straße"]),
    ("finest", ["ﬁnest"]), ('"soren odegard"', ["Søren Ødegård"]),
    ("SØREN", ["Søren"]), ("日本", ["日本"]), ("東京", ["東京"]),
])
def test_folded_letters_are_highlighted(query: str, marked: list[str]) -> None:
    spans = match_spans(TEXT, query_phrases(parse_query(query)))
    assert [TEXT[s:e] for s, e in spans] == marked


@pytest.mark.parametrize("word", ["Søren", "Łódź", "Æsir", "Đorđe", "Straße", "ﬁnest",
                                  "İstanbul", "Zürich", "ÉCOLE", "Ørsted"])
def test_fold_is_the_index_analyzer(word: str) -> None:
    assert [fold(word)] == shared_analyzer().analyze(word)


def test_what_the_search_marks_the_article_marks(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "s.json")
    archive.add([Article(headline="Visit", body=(TEXT,), published="2016-01-01")])
    for text in ("soren lodz", "aesir", "dorde strasse"):
        results = archive.search(text)
        hit = results.hits[0]
        in_snippet = {fold(hit.snippet.text[s:e]) for s, e in hit.snippet.highlights}
        spans = match_spans(TEXT, query_phrases(results.query))
        in_article = {fold(TEXT[s:e]) for s, e in spans}
        assert in_snippet and in_snippet == in_article, text
