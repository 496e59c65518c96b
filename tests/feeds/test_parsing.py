"""Feed documents -> articles (no network)."""

from __future__ import annotations

import time

import pytest
from support.feed_samples import (
    ATOM,
    BROKEN,
    ENTITY_BOMB,
    RSS091,
    RSS1,
    RSS2_RICH,
    WRONG_ENCODING,
    oversized,
)

from newstui.feeds.parsing import FeedError, looks_like_feed, parse_feed
from newstui.textclean import html_to_paragraphs

FEED = "http://example.test/feed.xml"


def test_rss2_content_encoded_media_enclosure_and_untitled_items() -> None:
    parsed = parse_feed(RSS2_RICH, FEED)
    assert parsed.title == "Rich & Full"
    first, second = parsed.articles
    assert first.headline == "Trawlers return to port"
    # content:encoded wins over the teaser; scripts, styles and attributes never leak.
    assert first.body[:2] == ("The fleet came home early & safe.", "Second paragraph.")
    assert not any("var a" in p or "color" in p or "steal" in p for p in first.body)
    assert first.body[-1] == "Enclosure: http://example.test/podcast.mp3 (audio/mpeg)"
    assert first.caption == "Boats at the quay."
    assert first.credit == "Photo Agency"
    assert first.author == "Ann Writer"
    assert first.published == "2026-11-28T07:30:00+00:00"  # an instant, in UTC
    assert (first.url, first.guid, first.feed) == (
        "http://example.test/trawlers", "http://example.test/trawlers", FEED)
    assert first.has_identity
    # No title and no date: headed by its first words, left undated.
    assert second.headline.startswith("An item with neither title nor date")
    assert second.published is None and second.updated is None
    # A guid is a permalink unless it says otherwise: resolved against the feed URL.
    assert second.guid == "http://example.test/no-title"


def test_rss1_and_rss091() -> None:
    (item,) = parse_feed(RSS1, FEED).articles
    assert item.headline == "RSS one item"
    assert item.body == ("Text of the RSS 1.0 item.",)
    assert item.updated == "2026-11-27T09:00:00+00:00"  # dc:date, as feedparser reads it
    (old,) = parse_feed(RSS091, FEED).articles
    assert old.headline == "RSS 0.91 item" and old.url == "http://example.test/old1"


def test_atom_text_html_and_xhtml_content() -> None:
    text, html, xhtml = parse_feed(ATOM, FEED).articles
    assert text.body == ("Line one <not a tag>.",)
    assert text.author == "Tex Plain"
    assert html.body == ("First & best.", "Second.")
    assert html.headline == "Html <b>entry</b>"  # escaped markup in an html title is text
    assert xhtml.body == ("Xhtml para one.", "Para two.")
    assert text.guid == "urn:e1"


def test_broken_xml_is_read_and_reported() -> None:
    parsed = parse_feed(BROKEN, FEED)
    assert parsed.articles and parsed.articles[0].headline == "Still readable"
    assert parsed.warnings and "broken" in parsed.warnings[0]


def test_wrong_declared_encoding_is_read() -> None:
    parsed = parse_feed(WRONG_ENCODING, FEED, "application/rss+xml")
    (item,) = parsed.articles
    assert item.headline == "Café opens"
    assert item.body == ("Crème brûlée for all.",)


def test_entity_bomb_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(FeedError, match="entities"):
        parse_feed(ENTITY_BOMB, FEED)
    assert time.monotonic() - started < 5  # generous: a bomb would take minutes


def test_oversized_refused_before_parsing() -> None:
    with pytest.raises(FeedError, match="too large"):
        parse_feed(oversized(9), FEED)


def test_not_a_feed() -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"<html><body><p>hello</p></body></html>", FEED)
    with pytest.raises(FeedError):
        parse_feed(b"just some words", FEED)
    assert looks_like_feed(RSS2_RICH) and looks_like_feed(ATOM) and looks_like_feed(RSS1)
    assert not looks_like_feed(b"<?xml version='1.0'?><opml version='2.0'/>")


def test_same_item_twice_and_control_characters() -> None:
    from support.feed_samples import rss2

    data = rss2([("g1", "Bell\x07 &#x1b;[31mred", "a"), ("g1", "Again", "b")])
    # Raw BEL is not XML; feedparser reads it leniently. Either way nothing leaks.
    parsed = parse_feed(data, FEED)
    assert len(parsed.articles) == 1
    assert "\x1b" not in parsed.articles[0].headline
    assert "\x07" not in parsed.articles[0].headline


@pytest.mark.parametrize(("html", "expected"), [
    ("<script>var a=1;</script>text", ["text"]),
    ("<p title='x'>a &amp; b</p><p>c</p>", ["a & b", "c"]),
    ("one<br>two<br><br>three", ["one", "two", "three"]),
    ("<div><ul><li>x</li><li>y</li></ul></div>", ["x", "y"]),
    ("\u202eevil\u202c &lt;b&gt;", ["evil <b>"]),
])
def test_html_to_paragraphs(html: str, expected: list[str]) -> None:
    assert html_to_paragraphs(html) == expected


@pytest.mark.parametrize("document", [RSS2_RICH, RSS1, RSS091, ATOM],
                         ids=["rss2", "rss1", "rss091", "atom"])
def test_fast_path_and_feedparser_agree(document: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """lxml reads well-formed feeds; feedparser the rest. The same feed must give the
    same articles (ids included) whichever path reads it."""
    from newstui.feeds import fastparse

    fast = parse_feed(document, FEED)
    monkeypatch.setattr(fastparse, "parse_fast", lambda data, feed_id: None)
    slow = parse_feed(document, FEED)
    assert fast.title == slow.title
    assert [a.to_record() for a in fast.articles] == [a.to_record() for a in slow.articles]
