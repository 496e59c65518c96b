"""`newstui check`: is the store whole, do ids match content, does the index agree —
and, with `--repair`, put it right without losing anything that can be read.

Repair never deletes: a store file that does not parse is kept beside the repaired one
(`NAME.json.broken-<time>`), the last good backup is restored, and every record that
can still be read from the broken file is added back.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newstui.article import Article, RecordError, record_id
from newstui.files import WriteLock, atomic_write
from newstui.search import IndexDamagedError, SearchIndex
from newstui.store import ArticleStore
from newstui.store_format import (
    ARTICLES,
    META,
    CorruptStoreError,
    StoreError,
    bump_generation,
    check_meta,
    load_tables,
)


@dataclass
class CheckReport:
    """What `check` found (`problems`) and what a repair would do or did (`actions`)."""

    path: Path
    articles: int = 0
    problems: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    index_stale: bool = False
    untouchable: bool = False  # someone else's file, or a newer newstui's: never repaired

    @property
    def consistent(self) -> bool:
        """The store itself is whole. A stale index is not a fault: it is derived and
        rebuilt by itself at the next search."""
        return not self.problems


def check(path: Path) -> CheckReport:
    """Look, change nothing."""
    report = CheckReport(path)
    try:
        tables = load_tables(path)
    except CorruptStoreError as exc:
        report.problems.append(str(exc))
        report.actions.append(_restore_plan(path))
        return report
    refusal = _not_ours(tables)
    if refusal:
        report.problems.append(f"{path}: {refusal}")
        report.actions.append("nothing: repair only mends newstui stores of this version")
        report.untouchable = True
        return report
    records = tables.get(ARTICLES, {})
    report.articles = len(records)
    bad_ids, damaged = _check_records(records)
    for key in damaged:
        report.problems.append(f"record {key!r} is damaged: {damaged[key]}")
    if damaged:
        report.actions.append(f"set aside {len(damaged)} damaged record(s) in a .damaged file")
    if bad_ids:
        report.problems.append(
            f"{len(bad_ids)} article id(s) do not match their content "
            f"(e.g. {next(iter(bad_ids))!r})")
        report.actions.append(f"give {len(bad_ids)} article(s) the id their content has")
    _check_index(path, tables, report)
    return report


def repair(path: Path) -> CheckReport:
    """Check, then put right what was found, under the store's write lock."""
    store = ArticleStore(path)
    with WriteLock(store.lock_path):
        report = check(path)
        if report.untouchable:
            return report
        planned = bool(report.actions)
        report.actions = []  # that was the plan; what is done is listed as it happens
        if not report.consistent:
            try:
                load_tables(path)
            except CorruptStoreError:
                _restore(path, report)
            else:
                _fix_records(path, report)
    if planned or report.index_stale:
        from newstui.archive import Archive

        count = Archive.open(path).reindex()
        report.actions.append(f"rebuilt the search index ({count} articles)")
    return report


# -- checks -----------------------------------------------------------------------


def _not_ours(tables: dict[str, Any]) -> str | None:
    """Why a well-formed TinyDB file must not be touched, or None."""
    if tables and ARTICLES not in tables and META not in tables:
        return "a TinyDB file, but not a newstui store (no 'articles' table)"
    try:
        check_meta(Path(""), tables.get(META, {}).get("store", {}))
    except CorruptStoreError as exc:
        return str(exc).removeprefix(": ").removesuffix("; left untouched").removesuffix(
            ". Left untouched")
    return None


def _check_records(records: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(key -> id its content has, for mismatches; key -> reason, for damaged ones)."""
    bad_ids: dict[str, str] = {}
    damaged: dict[str, str] = {}
    for key, record in records.items():
        try:
            article = Article.from_record(record)
        except RecordError as exc:
            damaged[key] = str(exc)
            continue
        if key != article.id or record.get("id") != article.id:
            bad_ids[key] = article.id
    return bad_ids, damaged


def _check_index(path: Path, tables: dict[str, Any], report: CheckReport) -> None:
    store = ArticleStore(path)
    index_path = store.index_path
    meta = tables.get(META, {}).get("store", {})
    generation, store_id = int(meta.get("generation", 0)), str(meta.get("store_id", ""))
    if not index_path.exists():
        if tables.get(ARTICLES):
            report.index_stale = True
            report.actions.append("build the missing search index")
        return
    try:
        index = SearchIndex(index_path)
        indexed = index.ids()
    except (IndexDamagedError, OSError, ValueError) as exc:
        report.index_stale = True
        report.actions.append(f"rebuild the damaged search index ({exc})")
        return
    stored = set(tables.get(ARTICLES, {}))
    if not index.is_current(store_id, generation) or indexed != stored:
        missing, extra = len(stored - indexed), len(indexed - stored)
        report.index_stale = True
        report.actions.append(
            f"rebuild the search index (stale: {missing} article(s) missing from it, "
            f"{extra} it should not have)")


def _restore_plan(path: Path) -> str:
    backup = _backup(path)
    if backup is not None:
        return (f"restore the last good backup {backup} ({_count(backup)} articles), "
                f"then add back whatever can be read from the damaged file")
    return "salvage the readable articles from the damaged file into a new store"


# -- repairs ------------------------------------------------------------------------


def _backup(path: Path) -> Path | None:
    backup = path.with_name(path.name + ".bak")
    try:
        tables = load_tables(backup)
    except StoreError:
        return None
    return backup if backup.exists() and ARTICLES in tables else None


def _count(path: Path) -> int:
    return len(load_tables(path).get(ARTICLES, {}))


def _restore(path: Path, report: CheckReport) -> None:
    broken = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, broken)
    report.actions.append(f"kept the damaged file as {broken}")
    backup = _backup(path)
    tables: dict[str, Any] = load_tables(backup) if backup is not None else {}
    if backup is not None:
        report.actions.append(f"restored the last good backup ({_count(backup)} articles)")
    records = tables.setdefault(ARTICLES, {})
    salvaged = 0
    for article in salvage(broken.read_bytes()):
        if article.id not in records:
            records[article.id] = article.to_record()
            salvaged += 1
    report.actions.append(f"salvaged {salvaged} more article(s) from the damaged file")
    _bump(tables)
    atomic_write(path, orjson.dumps(tables))
    report.articles = len(records)
    report.problems.clear()


def _fix_records(path: Path, report: CheckReport) -> None:
    tables = load_tables(path)
    records = tables.get(ARTICLES, {})
    bad_ids, damaged = _check_records(records)
    if damaged:
        aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        atomic_write(aside, orjson.dumps({k: records[k] for k in damaged}))
        report.actions.append(f"set aside {len(damaged)} damaged record(s) in {aside}")
    fixed: dict[str, Any] = {}
    for key, record in records.items():
        if key in damaged:
            continue
        if key in bad_ids:
            record = {**record, "id": bad_ids[key]}
            key = bad_ids[key]
        fixed.setdefault(key, record)
    tables[ARTICLES] = fixed
    _bump(tables)
    atomic_write(path, orjson.dumps(tables), backup=True)
    report.articles = len(fixed)
    report.problems.clear()


def _bump(tables: dict[str, Any]) -> None:
    """A repaired store is a new write: the index must not be taken as current."""
    meta = tables.setdefault(META, {})
    meta["store"] = bump_generation(meta.get("store", {}))


_RECORD_START = re.compile(rb'\{"id":"[0-9a-f]{16}"')


def salvage(data: bytes) -> list[Article]:
    """Every article record that can still be read from a damaged store file.

    Records are written with `id` first, so each starts `{"id":"<16 hex>"`; each such
    start is decoded on its own, so a truncated or garbled file loses only the records
    that were actually damaged.
    """
    found: list[Article] = []
    decoder = _RawDecoder()
    for match in _RECORD_START.finditer(data):
        record = decoder.decode_at(data, match.start())
        if not isinstance(record, dict):
            continue
        try:
            article = Article.from_record(record)
        except RecordError:
            continue
        if article.id == record_id(article):
            found.append(article)
    return found


class _RawDecoder:
    """Decode one JSON value starting at an offset, ignoring what follows it."""

    def __init__(self) -> None:
        import json

        self._decoder = json.JSONDecoder()

    def decode_at(self, data: bytes, start: int) -> Any:
        # Records are small; decode a window, widening it if the record is larger.
        window = 1 << 16
        while True:
            chunk = data[start:start + window].decode("utf-8", "replace")
            try:
                value, _end = self._decoder.raw_decode(chunk)
                return value
            except ValueError:
                if start + window >= len(data):
                    return None
                window *= 4
