"""Dates read with python-dateutil, its guesses refused."""

from __future__ import annotations

from datetime import date

import pytest

from newstui.dates import DateError, DateSpan, parse_article_date, parse_query_date


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("07/27/2016", "2016-07-27"),
        ("Dec. 3, 2009 14:05", "2009-12-03T14:05"),
        ("2009-12-03", "2009-12-03"),
        ("03.12.2009", "2009-12-03"),          # dotted is day-first
        ("05.04.2012", "2012-04-05"),
        ("12/03/2009", "2009-12-03"),          # slashed is month-first
        ("3 December 2009", "2009-12-03"),
        ("27 July 2016 14:05:33", "2016-07-27T14:05:33"),
        ("2016-07-27 14:05", "2016-07-27T14:05"),
    ],
)
def test_article_dates(text: str, iso: str) -> None:
    assert parse_article_date(text) == iso


@pytest.mark.parametrize(
    "text",
    [
        "3 hours ago", "today", "yesterday", "now", "Tuesday", "3", "14:05", "noon",
        "Dec 3", "December 2009", "2009",
        "12/03/09", "3 Dec 09", "31.12.99", "Dec 3 '09",        # two-digit years
        "2009-02-30", "0001-01-01", "9999-01-01", "", "   ", "x" * 100,
    ],
)
def test_article_date_traps_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_article_date(text)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2009", date(2009, 1, 1), date(2009, 12, 31)),
        ("dec 2009", date(2009, 12, 1), date(2009, 12, 31)),
        ("February 2012", date(2012, 2, 1), date(2012, 2, 29)),
        ("2009-12", date(2009, 12, 1), date(2009, 12, 31)),
        ("2016-07-27", date(2016, 7, 27), date(2016, 7, 27)),
        ("27 July 2016", date(2016, 7, 27), date(2016, 7, 27)),
        ("07/27/2016", date(2016, 7, 27), date(2016, 7, 27)),
    ],
)
def test_query_spans(text: str, first: date, last: date) -> None:
    assert parse_query_date(text) == DateSpan(first, last)


@pytest.mark.parametrize("text", ["3 hours ago", "today", "Tuesday", "3", "dec", "12/03/09",
                                  "09", "1066", "3000", "tomorrow", "2009-13-01"])
def test_query_date_traps_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_query_date(text)
