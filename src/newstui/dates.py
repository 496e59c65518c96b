"""Reading dates with python-dateutil, without its traps.

dateutil fills every part a string leaves out from a default (today, unless told
otherwise), and its fuzzy mode reads "3 hours ago" as today at 03:00. Here each string
is parsed against two different defaults: a part that comes out differently was not in
the string, so it was invented, and the date is refused rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import parser as dateparser

_DEFAULT_A = datetime(2001, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2002, 2, 2, 1, 1, 1)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASHED = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}\b")
_DOTTED = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_YEAR_ONLY = re.compile(r"^\d{4}$")
EARLIEST_YEAR, LATEST_YEAR = 1800, 2200


class DateError(ValueError):
    """A date string that cannot be read with confidence."""


@dataclass(frozen=True, slots=True)
class DateSpan:
    """The days a query date covers: `2009` is a year, `dec 2009` a month."""

    first: date
    last: date


# The forms the archives use most, read without dateutil (a fifth of an import's time
# went to it): month-first slashes, ISO, day-first dots; a time may follow.
_COMMON = re.compile(
    r"^(?:(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})"
    r"|(?P<d3>\d{1,2})\.(?P<m3>\d{1,2})\.(?P<y3>\d{4}))"
    r"(?:[ T](?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2}))?)?$"
)


def _common_form(text: str) -> str | None:
    match = _COMMON.match(text.strip())
    if match is None:
        return None
    g = match.groupdict()
    year, month, day = (int(g["y"] or g["y2"] or g["y3"]), int(g["m"] or g["m2"] or g["m3"]),
                        int(g["d"] or g["d2"] or g["d3"]))
    if g["m"] and month > 12 >= day:  # "31/12/2016": slashes, but day first after all
        month, day = day, month
    try:
        moment = datetime(year, month, day, int(g["hh"] or 0), int(g["mm"] or 0),
                          int(g["ss"] or 0))
    except ValueError:
        return None  # let dateutil say what is wrong
    _check_year(year, text)
    if g["hh"] is None:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds" if g["ss"] else "minutes")


def parse_article_date(text: str) -> str:
    """Read the date of an article as an ISO 8601 string (date, or date and time).

    Slashed dates are month-first (the convention of the US-style archives we import),
    dotted ones day-first (`03.12.2009` is 3 December). Raises DateError when the day,
    month or year is missing or the string is not a date.
    """
    common = _common_form(text)
    if common is not None:
        return common
    parsed, given = _parse(text)
    if not {"year", "month", "day"} <= given:
        missing = ", ".join(p for p in ("year", "month", "day") if p not in given)
        raise DateError(f"date {text.strip()!r} has no {missing}")
    if {"hour", "minute"} & given:
        return parsed.replace(tzinfo=None).isoformat(timespec="minutes" if "second" not in given
                                                     else "seconds")
    return parsed.date().isoformat()


def parse_query_date(text: str) -> DateSpan:
    """Read a date in a query (`after:2016-07-01`, `before:"dec 2009"`, `on:2009`) as the
    span of days it names. A year alone is the whole year; a month and year the month."""
    stripped = text.strip()
    if _YEAR_ONLY.match(stripped):
        year = _check_year(int(stripped), text)
        return DateSpan(date(year, 1, 1), date(year, 12, 31))
    parsed, given = _parse(text)
    if "year" not in given or "month" not in given:
        raise DateError(f"cannot read {stripped!r} as a date (give at least a month and year)")
    if "day" in given:
        return DateSpan(parsed.date(), parsed.date())
    first = date(parsed.year, parsed.month, 1)
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return DateSpan(first, next_month - timedelta(days=1))


def _parse(text: str) -> tuple[datetime, set[str]]:
    """Parse `text` and return the datetime and the names of the parts it really gave."""
    stripped = text.strip().rstrip(".,;")
    if not stripped or len(stripped) > 64:
        raise DateError(f"cannot read {text.strip()[:64]!r} as a date")
    if _ISO_DATE.match(stripped):
        try:
            parsed = datetime.fromisoformat(stripped)
        except ValueError:
            raise DateError(f"{stripped!r} is not a valid date") from None
        _check_year(parsed.year, text)
        return parsed, {"year", "month", "day"}
    dayfirst = bool(_DOTTED.match(stripped)) and not _SLASHED.match(stripped)
    try:
        a = dateparser.parse(stripped, default=_DEFAULT_A, dayfirst=dayfirst)
        b = dateparser.parse(stripped, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError) as exc:
        raise DateError(f"cannot read {stripped!r} as a date") from exc
    given = {part for part in ("year", "month", "day", "hour", "minute", "second")
             if getattr(a, part) == getattr(b, part)}
    if "year" in given:
        _check_year(a.year, text)
        # A two-digit year ("3/12/09") is a guess at the century: refuse it.
        if re.search(r"\d{3,4}", stripped) is None:
            raise DateError(f"date {stripped!r} has a two-digit year")
    return a, given


def _check_year(year: int, text: str) -> int:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateError(f"date {text.strip()!r} is out of range")
    return year
