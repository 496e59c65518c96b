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


@pytest.mark.parametrize(("raw", "shown"), [
    ("plain [bold]markup[/] stays", "plain [bold]markup[/] stays"),
    ("\x1b]52;c;SE9TVElMRUNMSVA=\x07copied", "copied"),
    ("\x1b]0;PWNED\x07title", "title"),
    ("\x1b[2J\x1b[31mred\x1b[0m", "red"),
    ("\x9b4243A\x9d0;CONE\x9cc1", "c1"),
    ("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "link"),
    ("report_\u202egnp.exe", "report_gnp.exe"),
    ("\u2066isolated\u2069 \u200bzero", "isolated zero"),
    ("two\nlines\tand a tab", "two lines and a tab"),
    ("Søren in Łódź, 日本 👍", "Søren in Łódź, 日本 👍"),
    ("a bell\x07 and DEL\x7f", "a bell and DEL"),
])
def test_one_line(raw: str, shown: str) -> None:
    assert inert(raw) == shown


def test_lines_keep_line_breaks() -> None:
    assert inert("one\r\ntwo\x1b[2J\n\tthree\x9b", lines=True) == "one\ntwo\n\tthree"


@given(st.text())
def test_nothing_forbidden_survives(text: str) -> None:
    assert FORBIDDEN.search(inert(text)) is None
    assert "\n" not in inert(text)
    assert FORBIDDEN.search(inert(text, lines=True)) is None
