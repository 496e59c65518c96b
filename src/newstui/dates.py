"""Reading dates with python-dateutil, without its traps.

dateutil fills every part a string leaves out from a default (today, unless told
otherwise), and its fuzzy mode reads "3 hours ago" as today at 03:00. Here each string
is parsed against two different defaults: a part that comes out differently was not in
the string, so it was invented, and the date is refused rather than guessed.

Time zones. A time given with an offset or a zone (`23:30-05:00`, `14:05 ET`, `09:00
BST`) is an instant: it is stored in UTC with an explicit offset
(`2016-07-27T04:30+00:00`), so searches and sorting compare instants, and it is shown in
the reader's local time (`local_moment`). A time without a zone is stored as written
(naive: the local time of wherever the article was filed) and shown as written. A zone
name that cannot be read leaves the time as written, and says so in a note.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

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


def parse_article_date(text: str, notes: list[str] | None = None) -> str:
    """Read the date of an article as an ISO 8601 string (date, or date and time).

    Slashed dates are month-first (the convention of the US-style archives we import),
    dotted ones day-first (`03.12.2009` is 3 December). A time with a zone or offset is
    stored as the same instant in UTC (`+00:00`). Raises DateError when the day, month
    or year is missing or the string is not a date. `notes` receives what was read with
    a caveat (a zone name not understood: the time is kept as written).
    """
    common = _common_form(text)
    if common is not None:
        return common
    parsed, given = _parse(text, notes)
    if not {"year", "month", "day"} <= given:
        missing = ", ".join(p for p in ("year", "month", "day") if p not in given)
        raise DateError(f"date {text.strip()!r} has no {missing}")
    if {"hour", "minute"} & given:
        try:
            offset = parsed.utcoffset() if parsed.tzinfo is not None else None
        except ValueError:
            # dateutil accepts "+25:00"; no zone is a day or more from UTC.
            raise DateError(f"date {text.strip()!r} has an offset from UTC of a day or "
                            "more") from None
        if offset is not None:
            parsed = parsed.astimezone(timezone.utc)
        return parsed.isoformat(timespec="minutes" if "second" not in given else "seconds")
    return parsed.date().isoformat()


_GMT_OFFSET = re.compile(r"\s*\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b")

# What a date line says when it gives no date we can store: "3 hours ago", "today".
_RELATIVE = re.compile(
    r"^(?:about\s+|over\s+|just\s+)?(?:\d+|an?|one|two|few)\s+"
    r"(?:sec|second|min|minute|hr|hour|day|week|month|year)s?\s+ago\b"
    r"|^(?:just\s+now|now|today|yesterday|tonight|this\s+(?:morning|afternoon|evening))\b",
    re.IGNORECASE,
)


def looks_like_date(text: str) -> bool:
    """Whether `text` is a date or time, even one that cannot be stored ("Tuesday",
    "3 hours ago", "Dec 3", "12/03/09") — as opposed to words that merely follow a
    label like "Updated" in a headline ("Updated guidance on rates")."""
    stripped = text.strip().rstrip(".,;")
    if not stripped or len(stripped) > 64:
        return False
    if _RELATIVE.match(stripped) or _date_shaped(stripped):
        return True
    try:
        _parse(stripped.removeprefix("on ").removeprefix("at "), [])
    except DateError as exc:
        return "two-digit year" in str(exc) or "out of range" in str(exc)
    return True


# The words a date or time is written with; anything else ("guidance", "farewell",
# "Olympics") makes a line words that follow a label, not a date.
_DATE_WORDS = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|"
    r"april|june|july|august|september|october|november|december|mon|tue|tues|wed|thu|"
    r"thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"am|pm|a|p|m|t|z|st|nd|rd|th|of|on|at|utc|gmt)$", re.IGNORECASE)
_DATE_TOKENS = re.compile(r"[^\W\d_]+|\d+|[^\s\w]|_")


def _date_shaped(text: str) -> bool:
    """Whether `text` is made of nothing but what dates are written with, numbers
    included: an impossible date ("29 Feb 2015", "25:00") is still a date line, whose
    date is left empty with a warning rather than the line taken for a headline."""
    tokens = _DATE_TOKENS.findall(text)
    if not any(t.isdigit() for t in tokens):
        return False
    return all(t.isdigit() or t in "-/.:,+()" or _is_date_word(t) for t in tokens)


def _is_date_word(word: str) -> bool:
    if not (word.isalpha() and word.isascii()):
        return False
    # A zone is written in capitals (EST, CEST); "new", "jobs" are words.
    return _DATE_WORDS.match(word) is not None or (word.isupper() and 2 <= len(word) <= 5)


def normalise_date(value: str, notes: list[str] | None = None) -> str:
    """A date from a record (`published`, `updated`) in the one form the store holds:
    `2016-07-27`, `2016-07-27T14:05[:SS]`, or an instant in UTC (`…+00:00`). ISO forms
    other than those (`20160727`, `2016-W30-3`, an offset) and anything else
    `parse_article_date` reads are converted; raises DateError for what it cannot read."""
    text = value.strip()
    if _CANONICAL.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise DateError(f"{text!r} is not a valid date") from None
        _check_year(moment.year, text)
        return text
    iso = _iso_variant(text)
    if iso is not None:
        return iso
    return parse_article_date(text, notes)


# The forms the store holds, which pass through unchanged (export, then import).
_CANONICAL = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?(?:\+00:00)?)?$"
)
_ISO_BASIC_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_WEEK_DATE = re.compile(r"^(\d{4})-?W(\d{2})-?([1-7])$")
_ISO_WEEK = re.compile(r"^\d{4}-?W\d{2}$")
_ISO_ORDINAL = re.compile(r"^(\d{4})-?(\d{3})$")


def _iso_variant(text: str) -> str | None:
    """ISO 8601 forms dateutil reads wrongly or not at all, in the store's form."""
    day: date | None = None
    if match := _ISO_BASIC_DATE.match(text):
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise DateError(f"{text!r} is not a valid date") from None
    elif match := _ISO_WEEK_DATE.match(text):
        try:
            day = date.fromisocalendar(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise DateError(f"{text!r} is not a valid week date") from None
    elif _ISO_WEEK.match(text):
        raise DateError(f"date {text!r} is a week, not a day")
    elif match := _ISO_ORDINAL.match(text):
        try:
            day = date(int(match[1]), 1, 1) + timedelta(days=int(match[2]) - 1)
        except (ValueError, OverflowError):
            raise DateError(f"{text!r} is not a valid date") from None
        if day.year != int(match[1]):
            raise DateError(f"{text!r} is not a valid date")
    elif "T" in text:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        _check_year(moment.year, text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
        seconds = moment.second or moment.microsecond or text.count(":") >= 2 + (
            moment.tzinfo is not None and ":" in text[19:])
        return moment.replace(microsecond=0).isoformat(
            timespec="seconds" if seconds else "minutes")
    if day is None:
        return None
    _check_year(day.year, text)
    return day.isoformat()


def local_moment(iso: str | None) -> datetime | date | None:
    """A stored date for showing: an instant (with an offset) in the local time zone,
    a time without one as written, a day as a date. None if empty or unreadable."""
    if not iso:
        return None
    try:
        if "T" in iso or " " in iso:
            moment = datetime.fromisoformat(iso)
            if moment.tzinfo is not None:
                return moment.astimezone()
            return moment
        return date.fromisoformat(iso)
    except ValueError:
        return None


def parse_query_date(text: str) -> DateSpan:
    """Read a date in a query (`after:2016-07-01`, `before:"dec 2009"`, `on:2009`) as the
    span of days it names. A year alone is the whole year; a month and year the month."""
    stripped = text.strip()
    if _YEAR_ONLY.match(stripped):
        year = _check_year(int(stripped), text)
        return DateSpan(date(year, 1, 1), date(year, 12, 31))
    # The forms an import reads without dateutil are read the same way here, so a date
    # typed in a query means what it means in an article (`12/03/2009`: 3 December).
    common = _common_form(stripped)
    if common is not None:
        day = date.fromisoformat(common[:10])
        return DateSpan(day, day)
    parsed, given = _parse(text, [])
    if "year" not in given or "month" not in given:
        raise DateError(f"cannot read {stripped!r} as a date (give at least a month and year)")
    if "day" in given:
        return DateSpan(parsed.date(), parsed.date())
    first = date(parsed.year, parsed.month, 1)
    next_month = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return DateSpan(first, next_month - timedelta(days=1))


def _parse(text: str, notes: list[str] | None = None) -> tuple[datetime, set[str]]:
    """Parse `text` and return the datetime and the names of the parts it really gave.
    A zone name it cannot read is put in `notes` (never a warning on stderr)."""
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
    # Imported here: the reader shows dates (local_moment) without needing dateutil.
    from dateutil import parser as dateparser

    # "GMT+3" in the news means three hours ahead of GMT; dateutil reads it the POSIX
    # way round (three hours behind), so it is given the plain offset instead.
    stripped = _GMT_OFFSET.sub(
        lambda m: f" {m[1]}{int(m[2]):02d}{m[3] or '00'}", stripped)

    dayfirst = bool(_DOTTED.match(stripped)) and not _SLASHED.match(stripped)
    unknown: list[str] = []

    def zone(name: str | None, offset: int | None) -> tzinfo | int | None:
        if offset is not None:
            return offset  # "+0100", "GMT+3": the offset says it all
        found = _zone(name or "")
        if found is None and name:
            unknown.append(name)
        return found

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # never on the user's terminal; see `notes`
        try:
            a = dateparser.parse(stripped, default=_DEFAULT_A, dayfirst=dayfirst, tzinfos=zone)
            b = dateparser.parse(stripped, default=_DEFAULT_B, dayfirst=dayfirst, tzinfos=zone)
        except (ValueError, OverflowError, TypeError) as exc:
            raise DateError(f"cannot read {stripped!r} as a date") from exc
    if unknown and notes is not None:
        notes.append(f"time zone {unknown[0]!r} in {stripped!r} not recognised; "
                     "time kept as written")
    given = {part for part in ("year", "month", "day", "hour", "minute", "second")
             if getattr(a, part) == getattr(b, part)}
    if "year" in given:
        _check_year(a.year, text)
        # A two-digit year ("3/12/09") is a guess at the century: refuse it.
        if re.search(r"\d{3,4}", stripped) is None:
            raise DateError(f"date {stripped!r} has a two-digit year")
    return a, given


_HOURS = {
    "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 1,
    "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "MSD": 4,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8,
    "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5,
    "NDT": -2.5, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AWST": 8, "ACST": 9.5,
    "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "SAST": 2, "WAT": 1,
    "CAT": 2, "EAT": 3, "PKT": 5, "ICT": 7, "WIB": 7,
}
# Names that say the region, not whether summer time applies: the date decides.
_REGIONS = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
            "PT": "America/Los_Angeles", "AKT": "America/Anchorage"}


def _zone(name: str) -> tzinfo | None:
    """dateutil's `tzinfos`: the common zone abbreviations of news pages. ("IST" is
    read as Irish Summer Time, as in British and Irish papers.)"""
    key = name.upper()
    if key in _HOURS:
        return timezone(timedelta(hours=_HOURS[key]), key)
    if key in _REGIONS:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(_REGIONS[key])
        except (ImportError, LookupError, OSError, ValueError):
            return None
    return None


def _check_year(year: int, text: str) -> int:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DateError(f"date {text.strip()!r} is out of range")
    return year
