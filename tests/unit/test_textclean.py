"""clean_text: what reaches the store is plain, printable text a terminal cannot act on."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.inert import inert
from newstui.textclean import clean_line, clean_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("The <i>Kommersant</i> daily", "The Kommersant daily"),
        ("<a href='x'>link</a> and <!-- a comment --> text", "link and  text"),
        ("x < y and a<3", "x < y and a<3"),
        ("Grell &amp; Sons &lt;b&gt; &eacute;t&eacute; &#8212; &#x41;", "Grell & Sons <b> été — A"),
        ("line one<br>line two", "line one\nline two"),
        ("crlf\r\nand\rcr", "crlf\nand\ncr"),
    ],
)
def test_markup_removed_and_entities_decoded(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_nfc() -> None:
    decomposed = "Zoe\u0308 Ferrand, Ine\u0302s"
    assert clean_text(decomposed) == "Zoë Ferrand, Inês"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


# Escape sequences, controls and invisible characters: clean_text removes them with
# the very function that neutralises shown text (newstui.inert), whose table of cases
# is tests/unit/test_inert.py. Here: that it does, and what only the importer adds.


@given(st.text())
def test_without_markup_it_is_inert_then_nfc(text: str) -> None:
    assert clean_text(text, markup=False) == unicodedata.normalize(
        "NFC", inert(text, lines=True))


def test_an_entity_that_decodes_to_an_escape_is_removed() -> None:
    assert clean_text("&#27;[31mred") == "[31mred"  # decoded to ESC, then removed


def test_emoji_joiners_kept() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(family) == family


@pytest.mark.parametrize("text", ["[bold]x[/bold]", "[red on white]alarm[/]",
                                  "[link=http://x]y[/link]", ":smile: [[escaped]]"])
def test_rich_markup_kept_literally(text: str) -> None:
    assert clean_text(text) == text
    assert clean_text(text, markup=False) == text
    assert clean_line(text) == text


def test_markup_false_keeps_tags_and_entities_as_text() -> None:
    assert clean_text("<IBM> &lt; 5", markup=False) == "<IBM> &lt; 5"


@pytest.mark.parametrize(
    "raw",
    ["<i>x</i> &amp;lt; \x1b[31m y", "e\u0301\u200b\u0301", "&#27;&#91;31m", "a\r\n\x85b",
     "\ud800 lone surrogate", "[bold]x[/bold]\u202e"],
)
def test_idempotent_without_markup(raw: str) -> None:
    once = clean_text(raw, markup=False)
    assert clean_text(once, markup=False) == once


def test_clean_line_collapses_whitespace() -> None:
    assert clean_line("  a\tb\u00a0\u00a0c\n d \u3000 ") == "a b c d"
