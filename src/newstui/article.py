"""The Article record: one news article as stored, exported and shown.

An article is immutable once imported; what changes as a person reads it (read,
starred, position) is `ReadingState`, kept in its own table so articles stay exactly
as imported.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

#: Fields that make up an article's identity. `source` and `imported_at` are left out
#: on purpose: the same story imported from two places is one article.
CONTENT_FIELDS = ("headline", "dateline", "updated", "published", "caption", "credit", "body")

#: Where a feed item came from and who wrote it. Optional: written only when set, so a
#: record without them is byte for byte what earlier releases wrote.
LINK_FIELDS = ("url", "feed", "guid", "author")

#: Every field of a stored or exported record, in the order they are written.
RECORD_FIELDS = ("id", *CONTENT_FIELDS, *LINK_FIELDS, "source", "imported_at")


class RecordError(ValueError):
    """A record (e.g. a line of a JSON export) that cannot be turned into an Article."""


@dataclass(frozen=True, slots=True)
class Article:
    """One news article.

    Dates are ISO 8601 strings (`2016-07-27` or `2016-07-27T14:05:00`) or None:
    kept as text so a date-only value never grows an invented time of day.
    """

    headline: str
    body: tuple[str, ...]
    dateline: str | None = None
    updated: str | None = None
    published: str | None = None
    caption: str | None = None
    credit: str | None = None
    source: str | None = None
    imported_at: str | None = None
    url: str | None = None     # the article's own page (a feed item's link)
    feed: str | None = None    # the feed it arrived from
    guid: str | None = None    # the feed's id for the item
    author: str | None = None
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", record_id(self))

    @property
    def has_identity(self) -> bool:
        """Whether the id names the item (a feed's guid or link) rather than the text:
        then a changed text is a newer version of the same article, not a new one."""
        return identity_key(self) is not None

    @property
    def date(self) -> str | None:
        """The date the article is filed under: published, else last updated."""
        return self.published or self.updated

    def with_import(self, source: str | None, imported_at: str) -> Article:
        """A copy stamped with where and when it was imported."""
        return replace(self, source=source if source is not None else self.source,
                       imported_at=imported_at)

    def to_record(self) -> dict[str, Any]:
        """The JSON record: what the store holds and `newstui export` writes."""
        return {
            "id": self.id,
            "headline": self.headline,
            "dateline": self.dateline,
            "updated": self.updated,
            "published": self.published,
            "caption": self.caption,
            "credit": self.credit,
            "body": list(self.body),
            **{name: getattr(self, name) for name in LINK_FIELDS
               if getattr(self, name) is not None},
            "source": self.source,
            "imported_at": self.imported_at,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], trust_id: bool = False) -> Article:
        """Rebuild an article from a stored or exported record.

        The id is recomputed from the content, so an imported record cannot smuggle in
        an id that does not match what it holds; only the store, which wrote the id
        itself, passes `trust_id` to skip the hashing.
        """
        if not isinstance(record, dict):
            raise RecordError("a record must be a JSON object")
        headline = _text(record, "headline", required=True)
        body = record.get("body")
        if isinstance(body, str):
            body = [p for p in body.split("\n\n") if p.strip()]
        if body is None:
            body = []
        if not isinstance(body, list) or not all(isinstance(p, str) for p in body):
            raise RecordError("'body' must be a list of paragraph strings")
        return cls(
            headline=headline or "",
            body=tuple(body),
            dateline=_text(record, "dateline"),
            updated=_iso(record, "updated"),
            published=_iso(record, "published"),
            caption=_text(record, "caption"),
            credit=_text(record, "credit"),
            source=_text(record, "source"),
            imported_at=_text(record, "imported_at"),
            url=_text(record, "url"),
            feed=_text(record, "feed"),
            guid=_text(record, "guid"),
            author=_text(record, "author"),
            id=str(record.get("id") or "") if trust_id else "",
        )


@dataclass(frozen=True, slots=True)
class Summary:
    """What the list shows of an article: read from the store without the article's
    text, so a list of half a million articles stays small."""

    id: str
    headline: str
    dateline: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class ReadingState:
    """What one reader has done with one article."""

    read: bool = False
    starred: bool = False
    position: int = 0  # first visible line of the article screen

    def to_record(self) -> dict[str, Any]:
        return {"read": self.read, "starred": self.starred, "position": self.position}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ReadingState:
        return cls(
            read=bool(record.get("read", False)),
            starred=bool(record.get("starred", False)),
            position=max(0, int(record.get("position", 0) or 0)),
        )


def record_id(article: Article) -> str:
    """The id an article is stored under: its identity where it has one (a feed item),
    else its content."""
    key = identity_key(article)
    if key is None:
        return content_id(article)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def identity_key(article: Article) -> str | None:
    """What names a feed item across fetches: the feed and its guid, else the feed and
    the item's link. None for an article known only by its text."""
    if article.feed and (article.guid or article.url):
        return "\x1f".join(("item", article.feed, article.guid or article.url or ""))
    return None


def content_id(article: Article) -> str:
    """A stable id derived from the article's content: 16 hex digits of SHA-256.

    64 bits keeps the chance of any collision among a million articles below 1e-7.
    """
    digest = hashlib.sha256()
    for name in CONTENT_FIELDS:
        value = getattr(article, name)
        if isinstance(value, tuple):
            value = "\x1e".join(value)
        digest.update(name.encode())
        digest.update(b"\x1f")
        digest.update((value or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x1d")
    return digest.hexdigest()[:16]


def _text(record: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise RecordError(f"missing '{key}'")
        return None
    if not isinstance(value, str):
        raise RecordError(f"'{key}' must be a string, not {type(value).__name__}")
    return value


def _iso(record: dict[str, Any], key: str) -> str | None:
    value = _text(record, key)
    if value is None:
        return None
    try:
        if "T" in value or " " in value:
            datetime.fromisoformat(value)
        else:
            date.fromisoformat(value)
    except ValueError:
        raise RecordError(f"'{key}' is not an ISO 8601 date: {value!r}") from None
    return value
