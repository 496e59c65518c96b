"""The subscription list: each feed's URL, name, folders, and what the last fetch learnt
(ETag, Last-Modified, status, Retry-After, failures, gone).

Kept in its own small file beside the store, `NAME.feeds.json` (written atomically,
changed under its own lock `NAME.feeds.lock`), so a fetch that finds nothing new never
rewrites the archive, and the list survives a store rebuilt from an export.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from newstui.files import atomic_write, read_regular_file
from newstui.store import WriteLock

FORMAT = 1


class SubscriptionError(ValueError):
    """A subscription that cannot be added or found (the message says why)."""


@dataclass
class Subscription:
    """One feed. `feed_id` is the URL it was first subscribed under: articles carry it
    as their `feed` (their identity), so a permanent redirect that changes `url` does
    not turn every article into a new one."""

    url: str
    name: str | None = None
    folders: list[str] = field(default_factory=list)
    full_text: bool = False
    feed_id: str = ""
    title: str | None = None          # the feed's own title, from its last fetch
    etag: str | None = None
    last_modified: str | None = None
    last_fetched: str | None = None   # ISO 8601 UTC of the last attempt
    last_status: str | None = None    # "200 OK", "304 not modified", ...
    last_error: str | None = None     # why the last attempt failed, or None
    retry_after: str | None = None    # not fetched before this (ISO 8601 UTC)
    failures: int = 0                 # failed attempts in a row
    gone: bool = False                # 410 Gone: never fetched again

    def __post_init__(self) -> None:
        if not self.feed_id:
            self.feed_id = self.url

    @property
    def label(self) -> str:
        return self.name or self.title or self.url

    @property
    def host(self) -> str:
        try:
            return (urlsplit(self.url).hostname or "").lower()
        except ValueError:  # a hand-edited list: the fetch says what is wrong with it
            return ""

    def waiting_until(self, now: datetime) -> datetime | None:
        """When a Retry-After or back-off still holds, the time it ends."""
        if not self.retry_after:
            return None
        try:
            until = datetime.fromisoformat(self.retry_after)
        except ValueError:
            return None
        if until.tzinfo is None:
            until = until.replace(tzinfo=timezone.utc)
        return until if until > now else None

    def to_record(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], False, 0)
                or k == "url"}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Subscription:
        """A subscription from its record; a field of the wrong type (a hand edit) is
        read as absent, and names and folders are cleaned as when they were added."""
        values: dict[str, Any] = {}
        for name, kind in _FIELD_TYPES.items():
            value: Any = record.get(name)
            if kind is list:
                value = clean_folders(value) if isinstance(value, list) else None
            elif kind is int:
                ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
                value = min(int(value), 10_000) if ok else None
            elif not isinstance(value, kind):
                value = None
            if value is not None:
                values[name] = value
        if not isinstance(values.get("url"), str):
            raise SubscriptionError("a subscription without a URL")
        for name in ("name", "title"):
            if name in values:
                values[name] = clean_name(values[name])
        return cls(**values)


_FIELD_TYPES: dict[str, type] = {
    "url": str, "name": str, "folders": list, "full_text": bool, "feed_id": str,
    "title": str, "etag": str, "last_modified": str, "last_fetched": str,
    "last_status": str, "last_error": str, "retry_after": str, "failures": int,
    "gone": bool,
}
MAX_URL = 4096
MAX_NAME = 300


def clean_name(name: str | None) -> str | None:
    """A feed's name, title or folder as it is kept: one line of plain text (escape,
    control and bidi characters removed), at most MAX_NAME characters; None if empty."""
    if not name:
        return None
    if name.isprintable() and len(name) <= MAX_NAME and "  " not in name \
            and name == name.strip():
        return name  # nearly every name: no need to load the cleaner
    from newstui.textclean import clean_line

    return clean_line(name[:4 * MAX_NAME], markup=False)[:MAX_NAME].strip() or None


def clean_folders(folders: Iterable[object]) -> list[str]:
    """Folder paths cleaned like names (`News/World`: each part), empty ones dropped."""
    out: list[str] = []
    for folder in folders:
        if not isinstance(folder, str):
            continue
        parts = [clean_name(part) for part in folder.split("/")]
        path = "/".join(p for p in parts if p)
        if path and path not in out:
            out.append(path)
    return out


def shown_url(url: str) -> str:
    """A URL as a message may quote it: printable, one line, not endless."""
    from newstui.textclean import clean_line

    text = clean_line(url[:MAX_URL], markup=False)
    return text if len(text) <= 200 else text[:199] + "…"


def check_url(url: str) -> str:
    """The URL, if it is one newstui can fetch (http or https with a host); raises
    SubscriptionError saying what is wrong otherwise. Nothing is fetched."""
    url = url.strip()
    if any(c.isspace() for c in url) or not url.isprintable():
        raise SubscriptionError(f"not a URL (spaces or control characters): {shown_url(url)}")
    if len(url) > MAX_URL:
        raise SubscriptionError(f"not a URL (longer than {MAX_URL} characters): "
                                f"{shown_url(url)}")
    try:
        parts = urlsplit(url)
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # "http://[::1", a port that is not a number, ...
        raise SubscriptionError(f"not a URL: {shown_url(url)}") from None
    if scheme not in ("http", "https"):
        raise SubscriptionError(f"not an http or https URL: {shown_url(url)}")
    if not host or port == 0:
        raise SubscriptionError(f"no host in URL: {shown_url(url)}")
    return url


def feeds_path(store_path: Path | str) -> Path:
    """Where the subscription list of the store file at `store_path` lives."""
    store_path = Path(store_path)
    return store_path.with_name(store_path.stem + ".feeds.json")


class SubscriptionList:
    """The subscriptions of one store. Read with `load()`; change them inside
    `with subs.changing():`, which locks, re-reads, and writes once at the end.

    A store file keeps them in `NAME.feeds.json`; a PostgreSQL archive (a database URL:
    `for_archive` gives it) in its `feeds` table (newstui.pg.feeds), so every machine
    and front end sharing the database sees one list."""

    def __init__(self, store_path: Path | str, database: Any = None) -> None:
        from newstui.pg import is_database_url

        self._table: Any = None
        if database is not None or is_database_url(str(store_path)):
            from newstui.pg.feeds import FeedTable

            self._table = FeedTable(database or str(store_path))
            self.path: Path | str = self._table.path
        else:
            self.path = feeds_path(store_path)
            self.lock_path = self.path.with_suffix(".lock")
        self.items: list[Subscription] = []
        self._urls: set[str] = set()
        self.load()

    @classmethod
    def for_archive(cls, archive: Any) -> SubscriptionList:
        """The subscriptions of an open archive (a database's over its connection)."""
        from newstui.pg import is_database_url

        if is_database_url(str(getattr(archive.store, "url", ""))):
            return cls(archive.path, database=archive.store)
        return cls(archive.path)

    def load(self) -> None:
        self.items = self._read()
        self._reindex()

    def _read(self) -> list[Subscription]:
        if self._table is not None:
            return [Subscription.from_record(r) for r in self._table.records()]
        assert isinstance(self.path, Path)
        try:
            # Not read_bytes: a FIFO at this path would hang every feeds command.
            data = orjson.loads(read_regular_file(self.path))
        except FileNotFoundError:
            return []
        except (OSError, orjson.JSONDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise SubscriptionError(f"{self.path}: cannot read the subscriptions: {why}"
                                    ) from None
        records = data.get("feeds") if isinstance(data, dict) else None
        if not isinstance(records, list):
            raise SubscriptionError(f"{self.path}: not a newstui subscription list")
        return [Subscription.from_record(r) for r in records if isinstance(r, dict)]

    def _reindex(self) -> None:
        # Every URL a subscription is known by: `add` looks here, so an OPML file of
        # 20,000 outlines is not 20,000 scans of the list (it took 80 s).
        self._urls = {u for s in self.items for u in (s.url, s.feed_id)}

    def save(self) -> None:
        records = [s.to_record() for s in self.items]
        if self._table is not None:
            self._table.write(records)
            return
        assert isinstance(self.path, Path)
        payload = {"format": FORMAT, "feeds": records}
        atomic_write(self.path, orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n")

    @contextlib.contextmanager
    def changing(self) -> Iterator[SubscriptionList]:
        if self._table is not None:
            with self._table.locked():
                self.load()
                yield self
                self.save()
            return
        with WriteLock(self.lock_path, timeout=30):
            self.load()
            yield self
            self.save()

    def __iter__(self) -> Iterator[Subscription]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def find(self, key: str) -> Subscription:
        """The subscription with this URL, name or feed title; SubscriptionError if none
        or several."""
        for sub in self.items:
            if key in (sub.url, sub.feed_id):
                return sub
        matches = [s for s in self.items if key in (s.name, s.title)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise SubscriptionError(f"{shown_url(key)!r} names {len(matches)} feeds; use the URL")
        raise SubscriptionError(f"no subscription {shown_url(key)!r} (see `newstui feeds list`)")

    def select(self, keys: Iterable[str]) -> list[Subscription]:
        keys = list(keys)
        if not keys:
            return list(self.items)
        chosen: dict[str, Subscription] = {}
        for key in keys:
            sub = self.find(key)
            chosen[sub.feed_id] = sub
        return list(chosen.values())

    def add(self, url: str, name: str | None = None, folders: list[str] | None = None,
            full_text: bool = False) -> Subscription | None:
        """Add a subscription; None if that URL is already subscribed."""
        url = check_url(url)
        if url in self._urls:
            return None
        sub = Subscription(url=url, name=clean_name(name), folders=clean_folders(folders or []),
                           full_text=full_text)
        self.items.append(sub)
        self._urls.update((sub.url, sub.feed_id))
        return sub

    def remove(self, sub: Subscription) -> None:
        self.items = [s for s in self.items if s.feed_id != sub.feed_id]
        self._reindex()

    def replace(self, updated: Subscription) -> None:
        """Put a fetched copy back (matched by feed_id); gone if removed meanwhile."""
        for position, sub in enumerate(self.items):
            if sub.feed_id == updated.feed_id:
                # Name, folders and full text may have been edited during the fetch.
                updated.name, updated.folders, updated.full_text = (
                    sub.name, sub.folders, sub.full_text)
                self.items[position] = updated
                self._urls.add(updated.url)
                return
