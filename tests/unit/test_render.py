"""Articles as plain text, as the CLI prints them."""

from __future__ import annotations

from support.core import article

from newstui.render import (
    cell_width,
    dateline_and_date,
    display_date,
    format_article,
    format_list_row,
    truncate,
)


def test_display_date() -> None:
    assert display_date("2016-07-27") == "27 July 2016"
    assert display_date("2009-12-03T14:05") == "3 December 2009 14:05"
    assert display_date(None) == ""
    assert display_date("garbage") == "garbage"


def test_heading_and_caption() -> None:
    a = article("Nato Seeks Russian Aid", "Frustration is growing.", dateline="BRUSSELS",
                updated="2016-07-27", caption="A Russian-made car.", credit="AP")
    assert dateline_and_date(a) == "BRUSSELS · Updated 27 July 2016"
    text = format_article(a)
    assert text.split("\n\n") == ["Nato Seeks Russian Aid", "BRUSSELS · Updated 27 July 2016",
                                  "  Photo: AP — A Russian-made car.", "Frustration is growing."]
    assert "\x1b" not in text


def test_body_wrapped_at_measure() -> None:
    a = article("Headline", "word " * 60)
    assert max(len(line) for line in format_article(a, width=200).splitlines()) <= 76


def test_truncate_counts_terminal_cells() -> None:
    assert cell_width("日本") == 4
    assert truncate("日本語のニュース", 7) == "日本語…"
    assert cell_width(truncate("日本語のニュース", 7)) <= 7
    assert truncate("short", 10) == "short"


def test_list_row() -> None:
    a = article("A Very Long Headline " * 10, published="2016-07-27",
                dateline="SALTGRAVE, Norland")
    row = format_list_row(a, 80)
    assert row.startswith(f"{a.id[:10]}  2016-07-27  SALTGRAVE, Norl…  A Very Long")
    assert cell_width(row) <= 80 and row.endswith("…")
