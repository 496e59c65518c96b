"""The store's on-disk format: TinyDB JSON files that can also be read a line at a time,
and the checks every store file passes before it is trusted.

A segment of 2,000 articles is a few MB of JSON. Parsing it takes time and memory, yet
the list needs only headlines and dates, and the reader one article at a time. So each
file is written as valid TinyDB JSON (any JSON reader, TinyDB included, reads it whole)
laid out in lines:

    {"meta":{"store":{..., "layout":1}},
    "summaries":{"rows":{"list":[
    ["<id>","<headline>","<dateline>","<date>",<offset>,<length>],     newest first
    ...
    ]}},
    "articles":{
    "<id>":{...the record...},                                          same order
    ...
    }}

JSON escapes every newline inside a string, so a raw newline only ever ends a line
of the layout. `LineReader` reads the summary rows one line at a time and fetches one
article by its offset, from a memory map: nothing is read that is not shown.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import stat
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from newstui.article import Summary
from newstui.files import NotARegularFileError, open_regular_file
from newstui.listing import by_date

#: 1: one file holding every article. 2: a manifest and segment files (segments.py).
SCHEMA_VERSION = 2
LAYOUT_VERSION = 1
ARTICLES, META, STATE, SUMMARIES = "articles", "meta", "state", "summaries"
SETTINGS, HISTORY = "settings", "history"
_ROWS_START = b'"summaries":{"rows":{"list":[\n'
_ARTICLES_START = b'\n"articles":{\n'
_ROWS_END = b"\n]}},"


class StoreError(Exception):
    """A problem with the store a user can act on; the message names the file."""


class CorruptStoreError(StoreError):
    """The file is not a (whole) newstui store file; it is left untouched."""


class StoreLockedError(StoreError):
    """Another process kept the write lock for too long."""


class NotAStoreError(StoreError):
    """The store path names a folder, a FIFO or a device: not a store, and never
    "mended" (a repair would rename the user's folder, or a device)."""


class ReadOnlyStoreError(StoreError):
    """The store (or its folder) cannot be written."""


class UnknownArticleError(StoreError):
    """No article (or more than one) matches the id given."""


class LayoutError(ValueError):
    """The file is not in the line layout (written by another tool, or cut short)."""


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


# -- reading a file safely ----------------------------------------------------------


def open_regular(path: Path) -> int:
    """A read-only descriptor for `path`, which must be a regular file: a FIFO or a
    device where a store should be would hang or stream forever. Raises
    FileNotFoundError for a missing file."""
    try:
        return open_regular_file(path)
    except PermissionError:
        raise StoreError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise _not_a_store(path, "a directory") from None
    except NotARegularFileError:
        raise _not_a_store(path, "not a regular file (a FIFO or device)") from None


def refuse_what_is_not_a_store(path: Path) -> None:
    """A folder, FIFO or device at the store path is the wrong --db, not damage: it is
    never renamed aside or read (a FIFO would hang the repair)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing (or unreadable): the usual checks say so
    if not stat.S_ISREG(mode):
        raise _not_a_store(path, "a directory" if stat.S_ISDIR(mode)
                           else "not a regular file (a FIFO or device)")


def _not_a_store(path: Path, what: str) -> NotAStoreError:
    return NotAStoreError(f"{path}: {what}, not a store file; left untouched; give --db "
                          "the path of a store file")


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file (see `open_regular`)."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def load_tables(path: Path, missing_ok: bool = True) -> dict[str, dict[str, Any]]:
    """Read a TinyDB JSON file, checking its shape. A missing file is an empty store."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise CorruptStoreError(f"{path}: missing") from None
    return parse_tables(path, data)


def parse_tables(path: Path, data: bytes) -> dict[str, dict[str, Any]]:
    if not data.strip():
        raise CorruptStoreError(
            f"{path}: store file is empty (not a newstui store); left untouched")
    try:
        tables = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CorruptStoreError(
            f"{path}: not a valid store (bad JSON: {str(exc).split(':')[0]}); left untouched"
        ) from None
    if not isinstance(tables, dict) or not all(
        isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
        for t in tables.values()
    ):
        raise CorruptStoreError(f"{path}: JSON is not a TinyDB store; left untouched")
    return tables


# -- the store's metadata --------------------------------------------------------------


def check_meta(path: Path, meta: Any, newest: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The `meta` record of a store file, checked: a hand edit that broke it is one
    clear error, not a traceback later."""
    if not isinstance(meta, dict):
        raise CorruptStoreError(f"{path}: the store's metadata is not an object; left untouched")
    schema = meta.get("schema", 1)
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise CorruptStoreError(
            f"{path}: store schema version {schema!r} is not a number; left untouched")
    if schema > newest:
        raise CorruptStoreError(
            f"{path}: store schema version {schema} is newer than this newstui "
            f"understands ({newest}); upgrade newstui. Left untouched"
        )
    generation = meta.get("generation", 0)
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        raise CorruptStoreError(
            f"{path}: store generation {generation!r} is not a count of writes; "
            "left untouched")
    if not isinstance(meta.get("store_id", ""), str):
        raise CorruptStoreError(f"{path}: store id {meta.get('store_id')!r} is not text; "
                                "left untouched")
    return meta


def bump_generation(meta: dict[str, Any], schema: int = SCHEMA_VERSION) -> dict[str, Any]:
    """The metadata of the next write: one more generation (the index records which one
    it reflects), and an id and creation time for a new store."""
    meta = dict(meta)
    meta["schema"] = schema
    if not meta.get("store_id"):
        meta["store_id"] = os.urandom(16).hex()  # as uuid4().hex, without importing uuid
    meta.setdefault("created", now_iso())
    meta["generation"] = int(meta.get("generation", 0)) + 1
    return meta


# -- the line layout --------------------------------------------------------------------


def record_key(record: Any) -> str:
    """A stored record's id; a record without one is damaged."""
    key = record.get("id") if isinstance(record, dict) else None
    if not isinstance(key, str) or not key:
        raise LayoutError("a record has no id")
    return key


def summary_of(record: dict[str, Any]) -> Summary:
    return Summary(record_key(record), record.get("headline") or "", record.get("dateline"),
                   record.get("published") or record.get("updated"))


def newest_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored records in the list's order: newest first, undated last."""
    return by_date(records, lambda r: r.get("published") or r.get("updated"),
                   lambda r: r.get("headline") or "")


def encode(tables: dict[str, dict[str, Any]]) -> bytes:
    """A store file's tables as bytes in the layout above. Other tables (if any) go
    first, as plain JSON."""
    articles = tables.get(ARTICLES, {})
    meta = dict(tables.get(META, {}))
    store_meta = dict(meta.get("store", {}))
    store_meta["layout"] = LAYOUT_VERSION
    meta["store"] = store_meta
    others = {k: v for k, v in tables.items() if k not in (META, SUMMARIES, ARTICLES)}
    records = newest_first(list(articles.values()))
    lines = []
    rows = []
    offset = 0
    for record in records:
        key = record["id"]
        line = orjson.dumps(key) + b":" + orjson.dumps(record)
        rows.append(orjson.dumps([key, record.get("headline") or "", record.get("dateline"),
                                  record.get("published") or record.get("updated"),
                                  offset, len(line)]))
        lines.append(line)
        offset += len(line) + 2  # ",\n"
    head = b"{" + b"".join(orjson.dumps(k) + b":" + orjson.dumps(v) + b",\n"
                           for k, v in others.items())
    return b"".join([
        head, b'"meta":', orjson.dumps(meta), b",\n", _ROWS_START,
        b",\n".join(rows), _ROWS_END, _ARTICLES_START, b",\n".join(lines), b"\n}}",
    ])


class LineReader:
    """Reads a store file in the layout without parsing all of it. Raises LayoutError
    at once for a file that is not in the layout (or not whole).

    The head and the summary rows are read with pread (copies of just those bytes); the
    articles through a memory map, one at a time. Faulting the rows in through the map
    kept megabytes of each file resident (the page cache hands out large folios), so a
    list of half a million articles would have cost the whole archive in RSS.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = open_regular(path)
        try:
            self._size = os.fstat(self._fd).st_size
            if self._size < 16:
                raise LayoutError("too short for the layout")
            self._map = mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ)
            # A file cut short (a full disk, a copy interrupted) would still have its
            # rows at the top: only a file that ends as the layout ends is read this way.
            if os.pread(self._fd, 3, self._size - 3) != b"\n}}":
                raise LayoutError("the file does not end as the layout does")
            # A segment's head is a few hundred bytes: a small read first (every segment
            # is opened before the reader's first screenful), more only when needed.
            for length in (1 << 12, 1 << 16, 1 << 20):
                head = os.pread(self._fd, length, 0)
                rows_at = head.find(_ROWS_START)
                if rows_at >= 0 or len(head) < length:
                    break
            if rows_at < 0:
                raise LayoutError("no summary rows")
            meta_at = head.rfind(b'"meta":', 0, rows_at)
            try:
                self.meta: dict[str, Any] = orjson.loads(head[meta_at + 7:rows_at - 2])
            except orjson.JSONDecodeError as exc:
                raise LayoutError(f"meta: {exc}") from None
            if not isinstance(self.meta, dict) or not isinstance(self.meta.get("store"), dict):
                raise LayoutError("no store metadata")
            if self.meta["store"].get("layout") != LAYOUT_VERSION:
                raise LayoutError("another layout version")
        except BaseException:
            self.close()
            raise
        self._rows_at = rows_at + len(_ROWS_START)
        self._rows_end_at: int | None = None

    @property
    def _rows_end(self) -> int:
        """Where the summary rows end: found at first use, so opening a file to check
        its head (every segment, before every write) reads no row."""
        if self._rows_end_at is None:
            # Rows hold no raw newline, so the first end marker after them ends them.
            if os.pread(self._fd, 4, self._rows_at) == b"\n]}}":
                self._rows_end_at = self._rows_at - 1  # no rows at all
                return self._rows_end_at
            position, chunk = self._rows_at - 1, 1 << 18
            while position < self._size:
                piece = os.pread(self._fd, chunk + len(_ROWS_END), position)
                found = piece.find(_ROWS_END)
                if found >= 0:
                    self._rows_end_at = position + found
                    return self._rows_end_at
                if len(piece) < chunk:
                    break
                position += chunk
            raise LayoutError("summary rows end without the closing bracket")
        return self._rows_end_at

    @property
    def _articles_at(self) -> int:
        return self._rows_end + len(_ROWS_END) + len(_ARTICLES_START)

    @property
    def size(self) -> int:
        return self._size

    def ids_bytes(self) -> bytes:
        """The summary rows as bytes, from the newline before the first to the one
        after the last (to look for ids without parsing every row)."""
        start = self._rows_at - 1
        return os.pread(self._fd, self._rows_end + 1 - start, start)

    def rows(self) -> Iterator[list[Any]]:
        """Every summary row, newest first, read a line at a time from pieces of the
        file (16 KB, then larger): the first rows of a file cost one small read, not a
        read of all its rows — the reader's first screenful takes the first rows of
        every segment (267 of them at 530,000 articles) before any other."""
        if self._rows_end_at is None and os.pread(self._fd, 4, self._rows_at) == b"\n]}}":
            self._rows_end_at = self._rows_at - 1  # no rows at all
        if self._rows_end_at == self._rows_at - 1:
            return
        # data[at] is the newline before the next row; data starts at file offset base.
        base, data, at, piece = self._rows_at - 1, b"", 0, 1 << 14
        while True:
            if data.startswith(_ROWS_END, at):
                self._rows_end_at = base + at
                return
            line_end = data.find(b"\n", at + 1)
            if line_end < 0 or len(data) - at < len(_ROWS_END):
                more = os.pread(self._fd, piece, base + len(data))
                if not more:
                    raise LayoutError("summary rows end without the closing bracket")
                data, base, at = data[at:] + more, base + at, 0
                piece = min(piece * 4, 1 << 20)
                continue
            line = data[at + 1:line_end]
            try:
                row = orjson.loads(line[:-1] if line.endswith(b",") else line)
            except orjson.JSONDecodeError:
                raise LayoutError("a summary row is damaged") from None
            if not isinstance(row, list) or len(row) != 6 or not isinstance(row[0], str):
                raise LayoutError("a summary row is damaged")
            yield row
            at = line_end

    def summaries(self) -> Iterator[Summary]:
        for row in self.rows():
            yield Summary(row[0], row[1], row[2], row[3])

    def find_row(self, article_id: str) -> list[Any] | None:
        """The summary row of one article, found without parsing the others."""
        data = self.ids_bytes()
        at = data.find(b'\n["' + orjson.dumps(article_id)[1:-1] + b'",')
        if at < 0:
            return None
        line_end = data.find(b"\n", at + 1)
        line = data[at + 1:line_end if line_end >= 0 else len(data)]
        try:
            row = orjson.loads(line[:-1] if line.endswith(b",") else line)
        except orjson.JSONDecodeError:
            raise LayoutError("a summary row is damaged") from None
        return row if isinstance(row, list) and len(row) == 6 else None

    def record_at(self, article_id: str, offset: int, length: int,
                  mapped: bool = True) -> dict[str, Any]:
        """One record by its row's place. `mapped`: through the memory map (one article
        for the reader); else copied with pread (a pass over many: mapped, every page
        read would stay resident)."""
        start = self._articles_at + offset
        line = (self._map[start:start + length] if mapped
                else os.pread(self._fd, length, start))
        key, _, body = line.partition(b":")
        try:
            if orjson.loads(key) != article_id:
                raise LayoutError(f"article {article_id} is not where its row says")
            record: dict[str, Any] = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise LayoutError(f"article {article_id} is damaged") from None
        return record

    def record(self, article_id: str, mapped: bool = True) -> dict[str, Any] | None:
        """One article's stored record, read from its line."""
        row = self.find_row(article_id)
        if row is None:
            return None
        return self.record_at(article_id, row[4], row[5], mapped)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every record, one line at a time (memory: one record)."""
        for row in self.rows():
            yield self.record_at(row[0], row[4], row[5], mapped=False)

    def __del__(self) -> None:
        # A descriptor is not closed by collecting the int that names it.
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        if getattr(self, "_map", None) is not None:
            self._map.close()
            self._map = None  # type: ignore[assignment]
        if getattr(self, "_fd", -1) >= 0:
            os.close(self._fd)
            self._fd = -1
