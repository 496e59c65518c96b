"""What `inert` leaves of text that tries to drive a terminal."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstui.inert import inert

#: What no shown text may hold: ESC and the other C0 controls but newline and tab,
#: DEL, C1 (8-bit CSI/OSC among them), bidi embeddings, overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


#: The one table of what must not reach a terminal (the reader shows text through
#: `inert`, the command line prints through it, and the importer's clean_text removes
#: the same through it): raw text, and what is left of it with line breaks kept.
CASES = [
    ("plain [bold]markup[/] stays", "plain [bold]markup[/] stays"),
    ("a\x1b[31mred\x1b[0mb", "aredb"),                                  # CSI colours
    ("a\x1b[2J\x1b[Hb", "ab"),                                          # clear screen, home
    ("a\x9b31mred\x9b0mb", "aredb"),                                    # 8-bit CSI
    ("\x9b4243A\x9d0;CONE\x9cc1", "c1"),                                # 8-bit CSI and OSC
    ("\x1b]52;c;SE9TVElMRUNMSVA=\x07copied", "copied"),                  # OSC 52, BEL
    ("a\x1b]52;c;SGVsbG8=\x1b\\b", "ab"),                               # OSC 52, ST
    ("\x1b]0;PWNED\x07title", "title"),                                  # window title
    ("a\x9d0;title\x9cb", "ab"),                                        # 8-bit OSC
    ("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "link"),         # OSC 8 link
    ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),                                 # DCS (sixel)
    ("trailing escape\x1b", "trailing escape"),
    ("a\x00b\x07c\x08d\x7fe", "abcde"),                                 # C0 and DEL
    ("a\x80b\x81c\x8ed", "abcd"),                                      # C1
    ("report_\u202egnp.exe", "report_gnp.exe"),                         # bidi override
    ("a\u2066b\u2069c\u200fd\u061ce", "abcde"),                         # isolates, marks
    ("\u2066isolated\u2069 \u200bzero", "isolated zero"),
    ("zero\u200bwidth\u2060join\ufeff", "zerowidthjoin"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    ("crlf\r\nand\rcr", "crlf\nand\ncr"),                                # every line break
    ("a\x85b\x0bc\x0cd\u2028e\u2029f", "a\nb\nc\nd\ne\nf"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),                  # cannot be encoded
    ("Søren in Łódź, 日本 👍", "Søren in Łódź, 日本 👍"),
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469\u200d\U0001f467"),
]


@pytest.mark.parametrize(("raw", "shown"), CASES)
def test_lines_kept(raw: str, shown: str) -> None:
    assert inert(raw, lines=True) == shown


@pytest.mark.parametrize(("raw", "shown"), CASES)
def test_one_line(raw: str, shown: str) -> None:
    """A headline, a file name, a notification: every line break and tab a space."""
    assert inert(raw) == shown.replace("\n", " ").replace("\t", " ")


@given(st.text())
def test_nothing_forbidden_survives(text: str) -> None:
    assert FORBIDDEN.search(inert(text)) is None
    assert "\n" not in inert(text)
    assert FORBIDDEN.search(inert(text, lines=True)) is None
