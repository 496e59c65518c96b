"""The store file's layout: TinyDB JSON that can also be read a line at a time.

A 100,000-article archive is a 130 MB JSON file. Parsing all of it takes seconds and
half a gigabyte, yet the list needs only headlines and dates, and the reader one
article at a time. So the file is written as valid TinyDB JSON (any JSON reader,
TinyDB included, reads it whole) laid out in lines:

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
of the layout. `StoreReader` reads the summary rows one line at a time (the newest
articles are on screen before the rest are read) and fetches one article by its
offset, from a memory map: nothing is read that is not shown.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from newstui.listing import by_date

LAYOUT_VERSION = 1
_ROWS_START = b'"summaries":{"rows":{"list":[\n'
_ARTICLES_START = b'\n"articles":{\n'


@dataclass(frozen=True, slots=True)
class Summary:
    """What the list shows of an article."""

    id: str
    headline: str
    dateline: str | None
    date: str | None


def summary_of(record: dict[str, Any]) -> Summary:
    return Summary(record["id"], record.get("headline") or "", record.get("dateline"),
                   record.get("published") or record.get("updated"))


def newest_first(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored records in the list's order: newest first, undated last."""
    return by_date(records, lambda r: r.get("published") or r.get("updated"),
                   lambda r: r.get("headline") or "")


def encode(tables: dict[str, dict[str, Any]]) -> bytes:
    """The store's tables as bytes in the layout above. Other tables (if any) go first,
    as plain JSON."""
    articles = tables.get("articles", {})
    meta = dict(tables.get("meta", {}))
    store_meta = dict(meta.get("store", {}))
    store_meta["layout"] = LAYOUT_VERSION
    meta["store"] = store_meta
    others = {k: v for k, v in tables.items() if k not in ("meta", "summaries", "articles")}
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
        b",\n".join(rows), b"\n]}},", _ARTICLES_START, b",\n".join(lines), b"\n}}",
    ])


class LayoutError(ValueError):
    """The file is not in the line layout (an older store, or written by another
    tool): read it whole instead."""


class StoreReader:
    """Reads a store file in the layout without parsing all of it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as handle:
            size = handle.seek(0, 2)
            if size == 0:
                raise LayoutError("empty file")
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        # A store cut short (a full disk, a copy interrupted) would still have its
        # rows at the top: only a file that ends as the layout ends is read this way;
        # anything else is parsed whole, which reports the damage.
        if self._map[-3:] != b"\n}}":
            raise LayoutError("the file does not end as the layout does")
        rows_at = self._map.find(_ROWS_START, 0, 1 << 20)
        if rows_at < 0:
            raise LayoutError("no summary rows")
        meta_at = self._map.rfind(b'"meta":', 0, rows_at)
        try:
            self.meta: dict[str, Any] = orjson.loads(self._map[meta_at + 7:rows_at - 2])
        except orjson.JSONDecodeError as exc:
            raise LayoutError(f"meta: {exc}") from None
        if self.meta.get("store", {}).get("layout") != LAYOUT_VERSION:
            raise LayoutError("another layout version")
        self._rows_at = rows_at + len(_ROWS_START)
        self._articles_at: int | None = None
        self._offsets: dict[str, tuple[int, int]] = {}

    def summaries(self) -> Iterator[Summary]:
        """Every article's summary, newest first, read a line at a time."""
        data = self._map
        position = self._rows_at
        end_marker = b"\n]}},"
        offsets = self._offsets
        while True:
            line_end = data.find(b"\n", position)
            if line_end < 0:
                raise LayoutError("summary rows end early")
            line = data[position:line_end]
            if not line and data[line_end + 1:line_end + 2] == b"]":
                position = line_end + 1  # no articles: an empty line, then "]"
                break
            if line.startswith(b"]"):
                break
            row = orjson.loads(line[:-1] if line.endswith(b",") else line)
            offsets[row[0]] = (row[4], row[5])
            yield Summary(row[0], row[1], row[2], row[3])
            position = line_end + 1
        if data[position - 1:position - 1 + len(end_marker)] != end_marker:
            raise LayoutError("summary rows end without the closing bracket")
        self._articles_at = position - 1 + len(end_marker) + len(_ARTICLES_START)

    def record(self, article_id: str) -> dict[str, Any] | None:
        """One article's stored record, read from its line."""
        if self._articles_at is None:
            for _ in self.summaries():
                pass
        place = self._offsets.get(article_id)
        if place is None or self._articles_at is None:
            return None
        start = self._articles_at + place[0]
        line = self._map[start:start + place[1]]
        key, _, body = line.partition(b":")
        if orjson.loads(key) != article_id:
            raise LayoutError(f"article {article_id} is not where its row says")
        record: dict[str, Any] = orjson.loads(body)
        return record

    def close(self) -> None:
        self._map.close()
