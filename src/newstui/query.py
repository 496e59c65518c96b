"""The query language, parsed into a small tree the index turns into a real query.

    cotton harvest          both words (anywhere)
    "maternity pay"         the exact phrase
    -russia                 without the word
    nato OR alliance        either word (OR binds tighter than the implied AND)
    headline:putin          a word (or "phrase") in one field:
                            headline, dateline, caption, credit, body
    after:2016-07-01        dated on or after that day
    before:"dec 2009"       dated before it (a month or year starts on its first day)
    on:2009                 dated within it (a day, a month or a year)

Case and accents never matter. Pure: no index library here, so the grammar can be
tested (and explained to the user) on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from newstui.dates import DateSpan

TEXT_FIELDS = ("headline", "dateline", "caption", "credit", "body")

# Chinese and Japanese write words without spaces between them, so the index makes each
# of their characters a word of its own (Hiragana, Katakana with its long-vowel mark,
# CJK ideographs): `日本` is then the phrase 日 本, found inside any longer run. Korean
# (Hangul) puts spaces between words and is left as words.
CJK_CHARACTERS = ("\u3005\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                  "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f")
_CJK_RUN = re.compile(f"[{CJK_CHARACTERS}]{{2,}}")
# Every CJK character lies in this one range: a first scan for it is 5x faster than
# looking for runs (13 ms a MB of non-ASCII text), and most text has none.
_MAYBE_CJK = re.compile("[\u3005-\U0003134f]")
#: What separates the characters of a CJK run in the text the index tokenizes: a
#: character the tokenizer splits at and that no stored text contains (clean_text
#: removes it), so it can be taken out again exactly.
CJK_SEPARATOR = "\u200b"
#: The index's words before folding, for code that must find them in a text itself
#: (highlighting): letters and digits, but each CJK character a word alone.
WORD_PATTERN = re.compile(f"(?:(?![{CJK_CHARACTERS}])[^\\W_])+|[{CJK_CHARACTERS}]")


def index_text(text: str) -> str:
    """`text` as the index's tokenizer is given it: each CJK character of a run split
    from the next by CJK_SEPARATOR. Text without CJK is returned as is (one C-speed
    scan)."""
    if text.isascii() or _MAYBE_CJK.search(text) is None or _CJK_RUN.search(text) is None:
        return text
    return _CJK_RUN.sub(lambda m: CJK_SEPARATOR.join(m.group()), text)
DATE_FILTERS = ("after", "before", "on")


class QueryError(ValueError):
    """A query that cannot be understood; the message says what to change."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase, in one field or (field None) in any."""

    text: str
    field: str | None = None
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class AnyOf:
    """`a OR b OR c`."""

    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class DateRange:
    """Articles dated within [first, last] (either end open)."""

    first: date | None
    last: date | None


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every `required` clause must match, no `excluded` term may."""

    text: str
    required: tuple[Term | AnyOf, ...]
    excluded: tuple[Term, ...]
    dates: DateRange | None

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms a match is made of: what to highlight in a result."""
        found: list[Term] = []
        for clause in self.required:
            found.extend(clause.terms if isinstance(clause, AnyOf) else (clause,))
        return tuple(found)


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<word>[^\s"]+))
  | (?P<stray>")
    """,
    re.VERBOSE,
)


def parse_query(text: str) -> Query:
    """Parse `text`; raises QueryError with a message meant for the user."""
    if len(text) > 1000:
        raise QueryError("query is too long (1,000 characters at most)")
    required: list[Term | AnyOf] = []
    excluded: list[Term] = []
    first: date | None = None
    last: date | None = None
    pending_or = last_was_date = False
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match is not None  # the pattern matches any character
        position = match.end()
        if match.group("space"):
            continue
        unclosed = match.group("phrase") is not None and not match.group("closed")
        if match.group("stray") or unclosed:
            raise QueryError('a phrase is missing its closing quote (")')
        word = match.group("word")
        phrase = match.group("phrase")
        field = match.group("field")
        negated = bool(match.group("neg"))
        if field is None and word is not None and word.endswith(":"):
            # `headline:` or `after:` with nothing after it: the regex reads it as a
            # plain word, which would silently search for the field's name.
            name = word.lstrip("-")[:-1].lower()
            if name in DATE_FILTERS:
                raise QueryError(f"{name}: needs a date, e.g. {name}:2016-07-01")
            if name in TEXT_FIELDS:
                raise QueryError(f"{name}: needs a word or a phrase after it")
        value = phrase if phrase is not None else word
        if field is None and not negated and word == "OR":
            if last_was_date:
                raise QueryError(_DATES_AND_OR)
            if not required or pending_or:
                raise QueryError("OR needs a word on each side")
            pending_or = True
            continue
        last_was_date = field is not None and field.lower() in DATE_FILTERS
        if field is not None:
            field = field.lower()
            if field in DATE_FILTERS:
                if pending_or:
                    raise QueryError(_DATES_AND_OR)
                if negated:
                    raise QueryError(f"-{field}: a date filter cannot be negated; "
                                     "use before: or after: for the dates outside it")
                span = _date(field, value)
                if field in ("after", "on"):
                    first = max(first, span.first) if first else span.first
                if field in ("before", "on"):
                    bound = span.last if field == "on" else date.fromordinal(
                        span.first.toordinal() - 1)
                    last = min(last, bound) if last else bound
                continue
            if field not in TEXT_FIELDS:
                known = ", ".join(f"{f}:" for f in (*TEXT_FIELDS, *DATE_FILTERS))
                raise QueryError(f"unknown field {field}: (known: {known})")
            if not value or not value.strip():
                raise QueryError(f"{field}: needs a word or a phrase after it")
        if negated and not value:
            raise QueryError("'-' needs a word right after it, e.g. -russia")
        if value is None or not value.strip():
            if phrase is not None:
                raise QueryError('an empty phrase ("") matches nothing')
            continue
        term = Term(value, field, phrase is not None)
        if negated:
            if pending_or:
                raise QueryError("a word after OR cannot be excluded")
            excluded.append(term)
            continue
        if pending_or:
            previous = required.pop()
            options = previous.terms if isinstance(previous, AnyOf) else (previous,)
            required.append(AnyOf((*options, term)))
            pending_or = False
        else:
            required.append(term)
    if pending_or:
        raise QueryError("OR needs a word on each side")
    if first and last and first > last:
        raise QueryError(f"no date is both on or after {first.isoformat()} and on or before "
                         f"{last.isoformat()}: the date filters exclude each other")
    dates = DateRange(first, last) if first or last else None
    if not required and not excluded and dates is None:
        raise QueryError("nothing to search for")
    return Query(text, tuple(required), tuple(excluded), dates)


_DATES_AND_OR = ("dates cannot be combined with OR (every date filter must hold); for "
                 "several years use one range, e.g. after:2015 before:2017")


def _date(name: str, value: str | None) -> DateSpan:
    if not value:
        raise QueryError(f"{name}: needs a date, e.g. {name}:2016-07-01")
    # python-dateutil loads only when a query has a date in it.
    from newstui.dates import DateError, parse_query_date

    try:
        return parse_query_date(value)
    except DateError as exc:
        raise QueryError(f"{name}: {exc}") from None
