"""The store's manifest: which segment files hold the archive, and which of their
records are no longer live.

`NAME.json` — a small TinyDB JSON file (tables `meta` and `segments`):

    {"meta": {"store": {"schema": 2, "store_id": ..., "generation": 42, ...}},
     "segments": {"000001": {"file": "000001.g000040.json", "rows": 2000,
                             "dead": ["<id>", ...],
                             "dated": 1990, "first": "2004-01-02", "last": "2016-07-27"},
                  ...}}

`dated`/`first`/`last` describe the segment's live records (how many have a date, the
first and last day): `stats` reads them instead of the rows. A manifest written before
they existed lacks them; such a segment is read when asked about, and the next write
fills them in.

Each segment file (`NAME.segments/<file>`) is a TinyDB JSON file of up to
SEGMENT_ARTICLES articles in the line layout (store_format.py). A segment is never
rewritten in place: a change writes a new file under a new name, and replacing the
manifest (atomically, the old one kept as `NAME.json.bak`) is the one moment the
change happens. A crash before it leaves the old manifest naming the old files, which
are still there; files no manifest names are removed by the next writer.

A record replaced by a newer version or deleted stays in its sealed segment, listed as
dead, until that segment is compacted (at once when a quarter of it is dead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newstui.store_format import META, CorruptStoreError, check_meta

SEGMENTS = "segments"
#: A segment holds at most this many records (or SEGMENT_BYTES of JSON): rewriting the
#: open one for an import of one article costs a few milliseconds, whatever the archive.
SEGMENT_ARTICLES = 2000
SEGMENT_BYTES = 4 << 20
#: A sealed segment is rewritten without its dead records once they pass this share.
COMPACT_SHARE = 0.25
_NAME = re.compile(r"^[0-9]{6}$")
_FILE = re.compile(r"^[0-9]{6}\.g[0-9]+\.json$")

#: Of a segment's live records: how many are dated, the first day and the last ("" when
#: none is dated).
Dates = tuple[int, str, str]


def dates_of(values: Iterable[str | None]) -> Dates:
    """The Dates of records with these dates (ISO strings; None for undated)."""
    dated = 0
    first = last = ""
    for value in values:
        if not value:
            continue
        day = value[:10]
        dated += 1
        if not first or day < first:
            first = day
        if day > last:
            last = day
    return dated, first, last


def merge_dates(parts: Iterable[Dates]) -> Dates:
    dated = 0
    first = last = ""
    for count, low, high in parts:
        if not count:
            continue
        dated += count
        first = low if not first or low < first else first
        last = high if high > last else last
    return dated, first, last
_HINT = "; `newstui check --repair` mends it"


@dataclass
class Segment:
    """One segment as the manifest describes it."""

    name: str
    file: str
    rows: int
    dead: set[str] = field(default_factory=set)
    #: Of the live records; None when not known (a manifest of an earlier release).
    dates: Dates | None = None

    @property
    def live(self) -> int:
        return self.rows - len(self.dead)

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"file": self.file, "rows": self.rows,
                                  "dead": sorted(self.dead)}
        if self.dates is not None:
            record["dated"], record["first"], record["last"] = self.dates
        return record


@dataclass
class Manifest:
    meta: dict[str, Any]
    segments: dict[str, Segment]

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    @property
    def live(self) -> int:
        return sum(s.live for s in self.segments.values())

    def files(self) -> set[str]:
        return {s.file for s in self.segments.values()}

    def next_name(self) -> str:
        last = max((int(n) for n in self.segments), default=0)
        return f"{last + 1:06d}"

    def encode(self) -> bytes:
        segments = {name: self.segments[name].to_record() for name in sorted(self.segments)}
        return orjson.dumps({META: {"store": self.meta}, SEGMENTS: segments})

    def copy(self) -> Manifest:
        return Manifest(dict(self.meta), {n: Segment(s.name, s.file, s.rows, set(s.dead),
                                                     s.dates)
                                          for n, s in self.segments.items()})

    @classmethod
    def from_tables(cls, path: Path, tables: dict[str, dict[str, Any]]) -> Manifest:
        """The manifest in parsed tables, checked: a hand edit that broke it is one
        clear CorruptStoreError."""
        meta = check_meta(path, tables.get(META, {}).get("store"))
        if not meta.get("store_id") or not isinstance(meta.get("store_id"), str):
            raise CorruptStoreError(f"{path}: the store has lost its id{_HINT}")
        segments: dict[str, Segment] = {}
        for name, record in sorted(tables.get(SEGMENTS, {}).items()):
            file, rows, dead = record.get("file"), record.get("rows"), record.get("dead", [])
            if (not _NAME.match(name) or not isinstance(file, str) or not _FILE.match(file)
                    or not isinstance(rows, int) or isinstance(rows, bool) or rows < 0
                    or not isinstance(dead, list)
                    or not all(isinstance(d, str) for d in dead) or len(dead) > rows):
                raise CorruptStoreError(
                    f"{path}: the manifest's entry for segment {name!r} is damaged{_HINT}")
            segments[name] = Segment(name, file, rows, set(dead), _dates(record, rows))
        return cls(meta, segments)


def _dates(record: dict[str, Any], rows: int) -> Dates | None:
    """A segment entry's Dates; None when it has none (an earlier release wrote it) or
    they do not make sense (a hand edit): derived data, read again from the segment."""
    dated, first, last = record.get("dated"), record.get("first"), record.get("last")
    if (not isinstance(dated, int) or isinstance(dated, bool) or not 0 <= dated <= rows
            or not isinstance(first, str) or not isinstance(last, str)):
        return None
    if dated == 0:
        return (0, "", "") if first == last == "" else None
    if not first or not last or len(first) > 10 or len(last) > 10 or first > last:
        return None
    return dated, first, last


def segment_file_name(name: str, generation: int) -> str:
    return f"{name}.g{generation:06d}.json"


def is_segment_file(name: str) -> bool:
    return bool(_FILE.match(name))
