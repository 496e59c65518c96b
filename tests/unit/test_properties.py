"""Property tests: no input makes the parser or importer fail any other way than by saying
it found no article, and cleaned text never carries anything a terminal would act on."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newstui.article import Article
from newstui.importer import ImportFileError, article_from_json, read_file
from newstui.rawtext import NotAnArticleError, parse_page
from newstui.textclean import clean_line, clean_text

# Text drawn to hit the parser's paths: page fragments, dashes, markup and controls.
FRAGMENTS = st.sampled_from([
    "Get the latest updates as we post them — right on your browser", "Install",
    ". Last Updated: ", "Published: ", "07/27/2016", "Dec. 3, 2009 14:05", "03.12.2009",
    "3 hours ago", "BRUSSELS — ", "MOSCOW (AP) -- ", "NAZRAN, Russia - ", "APA ", "Reuters",
    "Igor Tabakov / MT", "Headline Words Here", "A sentence ends here.", "<i>", "</p>", "&amp;",
    "&#27;", "\x1b[31m", "\x9b", "\x1b]52;c;", "\u202e", "\n", "\n\n", " ", "\r\n", "\x00",
])
PAGES = st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)),
                                      max_size=40).map("".join))

FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b]")
PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(PAGES)
def test_parse_page_only_raises_not_an_article(text: str) -> None:
    try:
        parsed = parse_page(text)
    except NotAnArticleError:
        return
    assert parsed.articles
    for a in parsed.articles:
        assert a.headline and a.body
        for value in (a.headline, a.dateline, a.caption, a.credit, *a.body):
            assert value is None or not FORBIDDEN.search(value)


@PROPERTY
@given(data=st.one_of(st.binary(max_size=600), PAGES.map(lambda t: t.encode("utf-8", "replace"))),
       suffix=st.sampled_from([".txt", ".json", ".jsonl", ".html", ""]))
def test_read_file_only_raises_import_file_error(tmp_path: Path, data: bytes,
                                                 suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    try:
        articles, _ = read_file(path)
    except ImportFileError:
        return
    for a in articles:
        for value in (a.headline, a.dateline, a.caption, a.credit, *a.body):
            assert value is None or not FORBIDDEN.search(value)


@PROPERTY
@given(st.text())
def test_clean_text_output_is_inert(text: str) -> None:
    for markup in (True, False):
        cleaned = clean_text(text, markup)
        assert "\x1b" not in cleaned
        assert not FORBIDDEN.search(cleaned), repr(cleaned)
        assert not FORBIDDEN.search(clean_line(text, markup))


@PROPERTY
@given(st.text())
def test_clean_text_is_idempotent_without_markup(text: str) -> None:
    once = clean_text(text, markup=False)
    assert clean_text(once, markup=False) == once


@PROPERTY
@given(headline=st.text(min_size=1), body=st.lists(st.text(min_size=1), min_size=1, max_size=4),
       dateline=st.none() | st.text())
def test_json_record_round_trip(headline: str, body: list[str], dateline: str | None) -> None:
    try:
        first = article_from_json({"headline": headline, "body": body, "dateline": dateline})
    except ValueError:  # RecordError: nothing left after cleaning
        return
    again = article_from_json(first.to_record())
    assert again == first
    assert isinstance(again, Article)
