"""One file of articles (a segment of the store): read one way, chosen when it opens.

A file in the line layout (store_format.py) is read from a memory map: summaries a line
at a time, one article by its offset. Anything else that is still a whole TinyDB JSON
file (an older file, one another tool wrote) is parsed whole, once. The choice is made
at open and kept: a file whose layout turns out damaged part-way is reported as
damaged, never read a second time another way (which once listed rows twice).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from newstui.article import Article, RecordError, Summary
from newstui.files import FileWriteError, ReadOnlyError, atomic_write
from newstui.store_format import (
    ARTICLES,
    META,
    CorruptStoreError,
    LayoutError,
    LineReader,
    ReadOnlyStoreError,
    StoreError,
    encode,
    load_tables,
    newest_first,
    summary_of,
)

_REPAIR = "; `newstui check --repair` mends it"
#: The id at the start of a summary row (JSON escapes inside it are decoded if present).
_ROW_ID = re.compile(rb'\n\["((?:[^"\\]|\\.)*)",')


class ArticleFile:
    """A TinyDB JSON file of articles (table `articles`) and its `meta`."""

    def __init__(self, path: Path, must_exist: bool = False) -> None:
        self.path = Path(path)
        self._lines: LineReader | None = None
        self._tables: dict[str, dict[str, Any]] | None = None
        try:
            self._lines = LineReader(self.path)
        except FileNotFoundError:
            if must_exist:
                raise CorruptStoreError(f"{self.path}: missing{_REPAIR}") from None
            self._tables = {}
        except LayoutError:
            self._tables = load_tables(self.path)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        if self._tables is not None:
            _check_shape(self.path, self._tables)

    @property
    def in_layout(self) -> bool:
        return self._lines is not None

    @property
    def size(self) -> int:
        return self._lines.size if self._lines is not None else 0

    @property
    def meta(self) -> dict[str, Any]:
        """The file's `meta` record (`store` entry)."""
        if self._lines is not None:
            meta = self._lines.meta.get("store", {})
        else:
            assert self._tables is not None
            meta = self._tables.get(META, {}).get("store", {})
        return dict(meta) if isinstance(meta, dict) else {"schema": meta}

    def summaries(self) -> Iterator[Summary]:
        """What the list shows of every article in the file, newest first."""
        if self._lines is not None:
            try:
                yield from self._lines.summaries()
            except LayoutError as exc:
                raise self._damaged(exc) from None
            return
        assert self._tables is not None
        for record in newest_first(list(self._tables.get(ARTICLES, {}).values())):
            try:
                yield summary_of(record)
            except LayoutError as exc:
                raise self._damaged(exc) from None

    def ids(self) -> Iterator[str]:
        if self._lines is not None:
            try:
                for row in self._lines.rows():
                    yield row[0]
            except LayoutError as exc:
                raise self._damaged(exc) from None
            return
        assert self._tables is not None
        yield from self._tables.get(ARTICLES, {})

    def has(self, article_id: str) -> bool:
        """Whether the file holds a record under this id (without reading the others)."""
        if self._lines is not None:
            try:
                return self._lines.find_row(article_id) is not None
            except LayoutError as exc:
                raise self._damaged(exc) from None
        assert self._tables is not None
        return article_id in self._tables.get(ARTICLES, {})

    def ids_among(self, wanted: set[str]) -> list[str]:
        """Which of `wanted` the file holds: one pass over its rows, no row parsed
        unless it is one of them."""
        if self._lines is None:
            assert self._tables is not None
            return [key for key in self._tables.get(ARTICLES, {}) if key in wanted]
        try:
            rows = self._lines.ids_bytes()
        except LayoutError as exc:
            raise self._damaged(exc) from None
        found = []
        for match in _ROW_ID.finditer(rows):
            raw = match.group(1)
            key = raw.decode() if b"\\" not in raw else orjson.loads(b'"' + raw + b'"')
            if key in wanted:
                found.append(key)
        return found

    def count(self) -> int:
        """How many records the file holds."""
        if self._lines is not None:
            try:
                return self._lines.ids_bytes().count(b'\n["')
            except LayoutError as exc:
                raise self._damaged(exc) from None
        assert self._tables is not None
        return len(self._tables.get(ARTICLES, {}))

    def record(self, article_id: str, mapped: bool = True) -> dict[str, Any] | None:
        if self._lines is not None:
            try:
                return self._lines.record(article_id, mapped)
            except LayoutError as exc:
                raise self._damaged(exc) from None
        assert self._tables is not None
        return self._tables.get(ARTICLES, {}).get(article_id)

    def get(self, article_id: str) -> Article | None:
        record = self.record(article_id)
        return None if record is None else self.article(record)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every stored record, one at a time where the layout allows."""
        if self._lines is not None:
            try:
                yield from self._lines.records()
            except LayoutError as exc:
                raise self._damaged(exc) from None
            return
        assert self._tables is not None
        yield from self._tables.get(ARTICLES, {}).values()

    def tables(self) -> dict[str, dict[str, Any]]:
        """Every table, parsed whole (for a rewrite of this file)."""
        if self._tables is not None:
            return self._tables
        return load_tables(self.path)

    def article(self, record: dict[str, Any]) -> Article:
        try:
            return Article.from_record(record, trust_id=True)
        except RecordError as exc:
            raise CorruptStoreError(f"{self.path}: a stored record is damaged: {exc}"
                                    f"{_REPAIR}") from None

    def close(self) -> None:
        if self._lines is not None:
            self._lines.close()
            self._lines = None
            self._tables = {}

    def _damaged(self, exc: Exception) -> CorruptStoreError:
        return CorruptStoreError(f"{self.path}: the file is damaged ({exc}){_REPAIR}")


def _check_shape(path: Path, tables: dict[str, dict[str, Any]]) -> None:
    if tables and ARTICLES not in tables and META not in tables:
        raise CorruptStoreError(
            f"{path}: a TinyDB file, but not a newstui store (no 'articles' table); "
            "left untouched")
    for key, record in tables.get(ARTICLES, {}).items():
        if record.get("id") != key or not isinstance(key, str):
            raise CorruptStoreError(
                f"{path}: the record stored under {key!r} has "
                + ("no id" if "id" not in record else f"the id {record.get('id')!r}")
                + _REPAIR)


def write_file(path: Path, records: dict[str, dict[str, Any]], meta: dict[str, Any],
               backup: bool = True) -> None:
    """Write a file of articles in the line layout, atomically (old one kept as .bak)."""
    data = encode({META: {"store": meta}, ARTICLES: records})
    try:
        atomic_write(path, data, backup=backup)
    except ReadOnlyError as exc:
        raise ReadOnlyStoreError(str(exc)) from None
    except FileWriteError as exc:
        raise StoreError(str(exc)) from None

