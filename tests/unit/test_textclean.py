"""clean_text: what reaches the store is plain, printable text a terminal cannot act on."""

from __future__ import annotations

import unicodedata

import pytest

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


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mred\x1b[0mb", "aredb"),                                  # CSI colours
        ("a\x1b[2J\x1b[Hb", "ab"),                                          # clear screen, home
        ("a\x9b31mred\x9b0mb", "aredb"),                                    # 8-bit CSI
        ("a\x1b]52;c;SGVsbG8=\x07b", "ab"),                                 # OSC 52 clipboard, BEL
        ("a\x1b]52;c;SGVsbG8=\x1b\\b", "ab"),                               # OSC 52, ST
        ("a\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC 8 link
        ("a\x1b]0;pwned title\x07b", "ab"),                                 # window title
        ("a\x9d0;title\x9cb", "ab"),                                        # 8-bit OSC
        ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),                                 # DCS (sixel)
        ("a\x00b\x07c\x08d\x7fe", "abcde"),                                 # C0 and DEL
        ("a\x85b", "a\nb"),                                                 # NEL is a line break
        ("a\x80b\x81c\x8ed", "abcd"),                                      # C1
        ("safe\u202eevil\u202c", "safeevil"),                               # bidi override
        ("a\u2066b\u2069c\u200fd\u061ce", "abcde"),                         # isolates, marks
        ("zero\u200bwidth\u2060join\ufeff", "zerowidthjoin"),
        ("trailing escape\x1b", "trailing escape"),
        ("&#27;[31mred", "[31mred"),                                        # entity -> ESC
    ],
)
def test_terminal_controls_removed(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


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
