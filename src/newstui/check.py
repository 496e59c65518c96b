"""`newstui check`: is the store whole — manifest, every segment, every record, the
reading-state file — and does the index agree; with `--repair`, put it right without
losing anything that can be read.

One segment is read at a time, so checking half a million articles takes the memory
of a segment. Repair never deletes: a damaged file is kept beside the store
(`*.broken-<time>`), records that cannot be used go to a `.damaged-<time>` file, the
previous version of a lost segment is taken from the backup, and every record that can
still be read from a damaged file is put back.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import re
import shutil
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newstui import migrate
from newstui.article import Article, RecordError, record_id
from newstui.files import atomic_write
from newstui.manifest import Manifest, Segment, is_segment_file, segment_file_name
from newstui.segment import ArticleFile
from newstui.store import LEGACY, ArticleStore, _write_segment, tidy
from newstui.store_format import (
    ARTICLES,
    META,
    SCHEMA_VERSION,
    CorruptStoreError,
    LayoutError,
    LineReader,
    StoreError,
    bump_generation,
    load_tables,
    refuse_what_is_not_a_store,
)

_HINT = "; `newstui check --repair` mends it"


@dataclass
class CheckReport:
    """What `check` found (`problems`) and what a repair would do or did (`actions`)."""

    path: Path
    articles: int = 0
    problems: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    index_stale: bool = False
    untouchable: bool = False  # someone else's file, or a newer newstui's: never repaired
    #: Articles a repair gave the id their content has: old id -> new (their reading
    #: state moves with them).
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        """The store itself is whole. A stale index is not a fault: it is derived and
        rebuilt by itself at the next search."""
        return not self.problems


@dataclass
class _SegmentFinding:
    """What is wrong with one segment (empty: nothing)."""

    missing: bool = False
    unreadable: str = ""        # the file does not parse, or is not this store's segment
    layout: bool = False        # whole JSON, but its line layout is damaged
    damaged: dict[str, str] = field(default_factory=dict)    # key -> reason
    bad_ids: dict[str, str] = field(default_factory=dict)    # key -> id its content has
    escapes: list[str] = field(default_factory=list)         # keys with control sequences
    duplicates: list[str] = field(default_factory=list)      # live here and in a newer one

    @property
    def faulty(self) -> bool:
        return bool(self.missing or self.unreadable or self.layout or self.damaged
                    or self.bad_ids or self.escapes or self.duplicates)


def _plain(message: str) -> str:
    return message.removesuffix(_HINT)


def check(path: Path) -> CheckReport:
    """Look, change nothing."""
    report, _ = _examine(path)
    return report


def _examine(path: Path) -> tuple[CheckReport, dict[str, _SegmentFinding]]:
    refuse_what_is_not_a_store(path)
    report = CheckReport(path)
    store = ArticleStore(path, read_only=True)
    findings: dict[str, _SegmentFinding] = {}
    state_problem = store.state_file.check()
    try:
        kind, manifest = migrate.classify(store)
    except CorruptStoreError as exc:
        message = _plain(str(exc))
        report.problems.append(message)
        if "newer than this newstui" in message or "but not a newstui store" in message:
            report.untouchable = True
            report.actions.append("nothing: repair only mends newstui stores of this version")
            return report, findings
        report.actions.append(_manifest_plan(store))
        _check_state(store, report, state_problem)
        return report, findings
    if kind == "legacy":
        manifest = migrate.legacy_manifest(store)
        report.actions.append("convert the single-file store of an earlier release to "
                              "segments (done by the next write)")
    assert manifest is not None
    _check_manifest(store, manifest, report)
    live_ids = _LiveIds()
    checked: list[tuple[Segment, _SegmentFinding]] = []
    for name in reversed(list(manifest.segments)):  # newest first: it wins a duplicate
        segment = manifest.segments[name]
        checked.append((segment, _check_segment(store, segment, live_ids, report)))
    for segment, finding in checked:
        finding.duplicates.extend(live_ids.duplicates.get(segment.name, []))
        if finding.faulty:
            findings[segment.name] = finding
            _describe(store, segment, finding, report)
    report.articles = live_ids.count
    _check_leftovers(store, manifest, report)
    _check_state(store, report, state_problem)
    if not report.problems:
        _check_index(store, manifest, report)
    else:
        report.index_stale = True
        report.actions.append("rebuild the search index")
    return report, findings


def _check_manifest(store: ArticleStore, manifest: Manifest, report: CheckReport) -> None:
    if LEGACY in manifest.segments:
        return
    recorded = manifest.meta.get("live")
    present = [s for s in manifest.segments.values()
               if (store.segments_path / s.file).is_file()]
    if isinstance(recorded, int) and recorded != manifest.live and len(present) == len(
            manifest.segments):
        report.problems.append(f"{store.path}: the manifest lists {manifest.live} articles "
                               f"but its last write left {recorded}")
        report.actions.append("restore the manifest's backup if it is whole")
    backup = migrate.read_manifest(store.backup_path)
    if backup is not None and backup.generation > manifest.generation:
        report.problems.append(f"{store.path}: the manifest is older than its own backup")
        report.actions.append("restore the manifest's backup")


class _LiveIds:
    """The live ids of every segment, to find an article stored in two segments. An id
    of 16 hex digits (every id newstui makes) is held as 8 bytes in a sorted array per
    segment — half a million ids in 4 MB, not a set of Python objects ten times that —
    and the arrays are merged once every segment has been read."""

    def __init__(self) -> None:
        self._arrays: list[tuple[str, array[int]]] = []  # newest segment first
        self._others: set[str] = set()                    # ids of any other form
        self._other_duplicates: dict[str, list[str]] = {}
        self._duplicates: dict[str, list[str]] | None = None

    def add_segment(self, segment: str, keys: list[str]) -> None:
        tokens = array("Q")
        for key in keys:
            if len(key) == 16 and _HEX_ID.match(key):
                tokens.append(int(key, 16))
            elif key in self._others:
                self._other_duplicates.setdefault(segment, []).append(key)
            else:
                self._others.add(key)
        self._arrays.append((segment, array("Q", sorted(tokens))))
        self._duplicates = None

    @property
    def duplicates(self) -> dict[str, list[str]]:
        """segment -> its live ids that a newer segment holds live too."""
        if self._duplicates is None:
            found = {k: list(v) for k, v in self._other_duplicates.items()}
            # Each array is sorted: merged, equal ids come together, newest first (merge
            # is stable, and the arrays are in that order).
            tagged = (((token, order) for token in tokens)
                      for order, (_, tokens) in enumerate(self._arrays))
            previous = None
            for token, order in heapq.merge(*tagged):
                if token == previous:
                    found.setdefault(self._arrays[order][0], []).append(f"{token:016x}")
                previous = token
            self._duplicates = found
        return self._duplicates

    @property
    def count(self) -> int:
        """How many distinct live ids."""
        held = sum(len(tokens) for _, tokens in self._arrays) + len(self._others)
        return held - sum(len(keys) for keys in self.duplicates.values())


_HEX_ID = re.compile(r"^[0-9a-f]{16}$")


def _check_segment(store: ArticleStore, segment: Segment, live_ids: _LiveIds,
                   report: CheckReport) -> _SegmentFinding:
    finding = _SegmentFinding()
    path = store.segment_path(segment)
    if not path.is_file():
        finding.missing = True
        return finding
    try:
        tables = load_tables(path, missing_ok=False)
    except StoreError as exc:
        finding.unreadable = _plain(str(exc))
        return finding
    records = tables.get(ARTICLES, {})
    meta = tables.get(META, {}).get("store", {})
    if segment.name != LEGACY:
        if (meta.get("segment") != segment.name or meta.get("store_id") != store.store_id
                or len(records) != segment.rows):
            finding.unreadable = (
                f"not this store's segment {segment.name} (it says segment "
                f"{meta.get('segment')!r}, {len(records)} records; the manifest: "
                f"{segment.rows})")
            return finding
    try:
        lines = LineReader(path)
    except (LayoutError, StoreError, OSError):
        lines = None
    if lines is not None:
        try:
            rows = [row[0] for row in lines.rows()]
            finding.layout = sorted(rows) != sorted(records)
        except LayoutError:
            finding.layout = True
        lines.close()
    live: list[str] = []
    for key, record in records.items():
        if key in segment.dead:
            continue
        try:
            article = Article.from_record(record)
        except RecordError as exc:
            finding.damaged[key] = str(exc)
            continue
        if key != article.id or record.get("id") != article.id:
            finding.bad_ids[key] = article.id
        if has_escapes(record):
            finding.escapes.append(key)
        live.append(key)
    live_ids.add_segment(segment.name, live)
    return finding


def _describe(store: ArticleStore, segment: Segment, finding: _SegmentFinding,
              report: CheckReport) -> None:
    path = store.segment_path(segment)
    previous = _previous_copy(store, segment)
    if finding.missing or finding.unreadable:
        what = "is missing" if finding.missing else f"is damaged: {finding.unreadable}"
        report.problems.append(f"{path}: segment {segment.name} {what}")
        if previous is not None:
            report.actions.append(f"take segment {segment.name} from the previous version "
                                  f"({previous.name}), then add back what can be read")
        elif finding.missing:
            report.actions.append(f"drop segment {segment.name} from the manifest "
                                  f"({segment.live} articles lost)")
        else:
            report.actions.append(f"salvage the readable articles of segment {segment.name}")
        return
    if finding.layout:
        report.problems.append(f"{path}: the line layout is damaged (the JSON is whole)")
        report.actions.append(f"rewrite segment {segment.name} in the layout")
    for key, reason in finding.damaged.items():
        report.problems.append(f"record {key!r} is damaged: {reason}")
    if finding.damaged:
        report.actions.append(
            f"set aside {len(finding.damaged)} damaged record(s) in a .damaged file")
    if finding.bad_ids:
        report.problems.append(
            f"{len(finding.bad_ids)} article id(s) do not match their content "
            f"(e.g. {next(iter(finding.bad_ids))!r})")
        report.actions.append(
            f"give {len(finding.bad_ids)} article(s) the id their content has, unless an "
            "article with their id is stored (then they are damaged copies: set aside)")
    if finding.escapes:
        report.problems.append(
            f"{len(finding.escapes)} record(s) hold terminal escape or control sequences "
            f"(e.g. {finding.escapes[0]!r})")
        report.actions.append(f"clean {len(finding.escapes)} record(s) of control sequences")
    if finding.duplicates:
        report.problems.append(f"{len(finding.duplicates)} article(s) are stored twice "
                               f"(e.g. {finding.duplicates[0]!r})")
        report.actions.append("keep the newer copy of each")


def _check_leftovers(store: ArticleStore, manifest: Manifest, report: CheckReport) -> None:
    named = manifest.files()
    backup = migrate.read_manifest(store.backup_path)
    if backup is not None:
        named |= backup.files()
    with contextlib.suppress(OSError):
        extra = [n for n in os.listdir(store.segments_path)
                 if is_segment_file(n) and n not in named]
        if extra:
            report.actions.append(f"remove {len(extra)} segment file(s) no manifest names "
                                  "(left by an interrupted write)")


def _check_state(store: ArticleStore, report: CheckReport, problem: str | None) -> None:
    if problem:
        report.problems.append(problem)
        report.actions.append("keep the damaged reading state aside and restore what can "
                              "be read of it")


def _check_index(store: ArticleStore, manifest: Manifest, report: CheckReport) -> None:
    from newstui.search import IndexDamagedError, open_for_reading

    index_path = store.index_path
    store_id, generation = store.store_id, manifest.generation
    if not index_path.exists():
        if report.articles:
            report.index_stale = True
            report.actions.append("build the missing search index")
        return
    try:
        index = open_for_reading(index_path, store_id)  # a read-only one: a checked copy
        damaged = index.verify()
        if damaged:
            raise IndexDamagedError(damaged[0])
        indexed = len(index)
    except (IndexDamagedError, OSError, ValueError) as exc:
        report.index_stale = True
        report.actions.append(f"rebuild the damaged search index ({exc})")
        return
    if not index.is_current(store_id, generation) or indexed != report.articles:
        report.index_stale = True
        report.actions.append(
            f"rebuild the search index (stale: {indexed} article(s) in it, "
            f"{report.articles} in the store)")


def _manifest_plan(store: ArticleStore) -> str:
    backup = migrate.read_manifest(store.backup_path)
    if backup is not None and _files_present(store, backup):
        return (f"restore the last good manifest {store.backup_path} ({backup.live} "
                "articles), then add back what can be read")
    if _segment_files(store):
        return "rebuild the manifest from the segment files"
    return "salvage the readable articles from the damaged file into a new store"


def _files_present(store: ArticleStore, manifest: Manifest) -> bool:
    return all((store.segments_path / s.file).is_file() for s in manifest.segments.values())


def _segment_files(store: ArticleStore) -> list[str]:
    with contextlib.suppress(OSError):
        return sorted(n for n in os.listdir(store.segments_path) if is_segment_file(n))
    return []


def _previous_copy(store: ArticleStore, segment: Segment) -> Path | None:
    """The file of this segment the previous manifest named, if it is there and other."""
    backup = migrate.read_manifest(store.backup_path)
    if backup is None or segment.name not in backup.segments:
        return None
    older = backup.segments[segment.name].file
    path = store.segments_path / older
    return path if older != segment.file and path.is_file() else None


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_escapes(record: dict[str, Any]) -> bool:
    """Whether a stored record holds terminal escape or control sequences (both
    stores' `check`)."""
    # One scan of the record's text ("\n" is not a control it looks for).
    pieces = [v for v in record.values() if isinstance(v, str)]
    for value in record.values():
        if isinstance(value, list):
            pieces.extend(p for p in value if isinstance(p, str))
    return _CONTROL.search("\n".join(pieces)) is not None


def cleaned_record(record: dict[str, Any]) -> dict[str, Any]:
    from newstui.textclean import clean_text

    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, str) and key not in ("id",):
            value = _CONTROL.sub("", clean_text(value, markup=False))
        elif isinstance(value, list):
            value = [_CONTROL.sub("", clean_text(p, markup=False)) if isinstance(p, str)
                     else p for p in value]
        out[key] = value
    return out


# -- repair --------------------------------------------------------------------------------


def repair(path: Path) -> CheckReport:
    """Check, then put right what was found, under the store's write lock."""
    refuse_what_is_not_a_store(path)
    store = ArticleStore(path)
    with store.lock():
        report, findings = _examine(path)
        if report.untouchable:
            return report
        planned = bool(report.actions)
        report.actions = []  # that was the plan; what is done is listed as it happens
        stamp = time.strftime("%Y%m%d-%H%M%S")
        state_problem = store.state_file.check()
        if state_problem:
            report.actions.extend(store.state_file.repair())
        store_problems = [p for p in report.problems if p != state_problem]
        if store_problems:
            manifest, manifest_ok = _usable_manifest(store, report, stamp)
            _mend_segments(store, manifest, findings, report, stamp)
            manifest.meta = bump_generation(manifest.meta, SCHEMA_VERSION)
            manifest.meta["live"] = manifest.live
            manifest.meta["removed"] = 0
            # A damaged manifest is never made the backup: the good one stays.
            atomic_write(store.path, manifest.encode(), backup=manifest_ok)
            if report.renamed:
                # A reader's marks follow the article to its new id (they were lost).
                store.state_file.rename(report.renamed)
            tidy(store)
            report.articles = manifest.live
        report.problems.clear()
    if planned or report.index_stale:
        from newstui.archive import Archive

        count = Archive.open(path).reindex()
        report.actions.append(f"rebuilt the search index ({count} articles)")
    return report


def _usable_manifest(store: ArticleStore, report: CheckReport,
                     stamp: str) -> tuple[Manifest, bool]:
    """The manifest to mend (and whether the one on disk was whole)."""
    try:
        kind, manifest = migrate.classify(store)
    except CorruptStoreError:
        kind, manifest = "broken", None
    if kind == "legacy":
        return migrate.convert(store), True
    if manifest is not None:
        return manifest, True
    if store.path.exists():
        broken = store.path.with_name(f"{store.path.name}.broken-{stamp}")
        os.replace(store.path, broken)
        report.actions.append(f"kept the damaged manifest as {broken}")
    else:
        broken = None
    backup = migrate.read_manifest(store.backup_path)
    if backup is not None and _files_present(store, backup):
        report.actions.append(f"restored the last good manifest ({backup.live} articles)")
        rebuilt = backup
        _add_newer_files(store, rebuilt, report)
    else:
        rebuilt = _manifest_from_files(store, report)
    if broken is not None and not _segment_files(store):
        # A single-file store that no longer parses: its backup (an earlier single
        # file) and whatever can be read from it become a store of segments.
        _salvage_single_file(store, rebuilt, broken, report)
    return rebuilt, False


def _add_newer_files(store: ArticleStore, manifest: Manifest, report: CheckReport) -> None:
    """After the backup manifest is restored: the segment files the lost manifest had
    written since (same store, a later write) hold what the backup does not."""
    store_id = manifest.meta.get("store_id")
    before = manifest.live
    for name in _segment_files(store):
        segment, _, rest = name.partition(".g")
        generation = int(rest.split(".")[0])
        current = manifest.segments.get(segment)
        if current is not None and int(current.file.partition(".g")[2].split(".")[0]) >= \
                generation:
            continue
        try:
            tables = load_tables(store.segments_path / name, missing_ok=False)
        except StoreError:
            continue
        meta = tables.get(META, {}).get("store", {})
        if meta.get("segment") != segment or meta.get("store_id") != store_id:
            continue
        records = tables.get(ARTICLES, {})
        dead = current.dead & set(records) if current is not None else set()
        manifest.segments[segment] = Segment(segment, name, len(records), dead)
    manifest.segments = dict(sorted(manifest.segments.items()))
    if manifest.live > before:
        report.actions.append(f"added back {manifest.live - before} article(s) from segment "
                              "files written after the backup")


def _manifest_from_files(store: ArticleStore, report: CheckReport) -> Manifest:
    """A manifest rebuilt from the segment files in the folder: the newest readable
    file of each segment, the store id most of them carry."""
    newest: dict[str, tuple[int, str, dict[str, Any]]] = {}
    for name in _segment_files(store):
        segment, _, rest = name.partition(".g")
        generation = int(rest.split(".")[0])
        try:
            tables = load_tables(store.segments_path / name, missing_ok=False)
        except StoreError:
            continue
        if tables.get(META, {}).get("store", {}).get("segment") != segment:
            continue
        if segment not in newest or newest[segment][0] < generation:
            newest[segment] = (generation, name, tables)
    ids = Counter(str(t[2].get(META, {}).get("store", {}).get("store_id", ""))
                  for t in newest.values())
    store_id = ids.most_common(1)[0][0] if ids else ""
    segments = {}
    for segment, (_, name, tables) in sorted(newest.items()):
        if str(tables.get(META, {}).get("store", {}).get("store_id", "")) != store_id:
            continue
        segments[segment] = Segment(segment, name, len(tables.get(ARTICLES, {})), set())
    generation = max((g for g, _, _ in newest.values()), default=0)
    meta: dict[str, Any] = {"schema": SCHEMA_VERSION, "generation": generation}
    if store_id:
        meta["store_id"] = store_id
    report.actions.append(f"rebuilt the manifest from {len(segments)} segment file(s)")
    return Manifest(meta, segments)


def _salvage_single_file(store: ArticleStore, manifest: Manifest, broken: Path,
                         report: CheckReport) -> None:
    records: dict[str, dict[str, Any]] = {}
    backup = store.backup_path
    with contextlib.suppress(StoreError, OSError):
        tables = load_tables(backup, missing_ok=False)
        if ARTICLES in tables and migrate.read_manifest(backup) is None:
            records.update(tables[ARTICLES])
            report.actions.append(f"restored the last good backup ({len(records)} articles)")
    salvaged = 0
    for article in salvage(broken.read_bytes()):
        if article.id not in records:
            records[article.id] = article.to_record()
            salvaged += 1
    report.actions.append(f"salvaged {salvaged} more article(s) from the damaged file")
    if not manifest.meta.get("store_id"):
        manifest.meta = bump_generation(manifest.meta, SCHEMA_VERSION)
    store.segments_path.mkdir(exist_ok=True)
    generation = manifest.generation + 1
    items = list(records.items())
    for start in range(0, len(items), 2000):
        _write_segment(store, manifest, manifest.next_name(), dict(items[start:start + 2000]),
                       generation)


def _mend_segments(store: ArticleStore, manifest: Manifest,
                   findings: dict[str, _SegmentFinding], report: CheckReport,
                   stamp: str) -> None:
    generation = manifest.generation + 1
    aside: dict[str, Any] = {}
    present: set[str] = set()
    # Newest segment first, as check reads them: the newer copy of a duplicate wins.
    for name in reversed(list(manifest.segments)):
        segment = manifest.segments[name]
        finding = findings.get(name)
        if finding is None or not finding.faulty:
            opened = ArticleFile(store.segment_path(segment))
            present.update(k for k in opened.ids() if k not in segment.dead)
            opened.close()
            continue
        path = store.segment_path(segment)
        records: dict[str, dict[str, Any]] = {}
        if finding.missing or finding.unreadable:
            previous = _previous_copy(store, segment)
            if previous is not None:
                with contextlib.suppress(StoreError):
                    records.update(load_tables(previous, missing_ok=False).get(ARTICLES, {}))
                    report.actions.append(f"took segment {name} from the previous version "
                                          f"({len(records)} articles)")
            if finding.unreadable and path.is_file():
                broken = path.with_name(f"{path.name}.broken-{stamp}")
                shutil.copyfile(path, broken)
                salvaged = 0
                for article in salvage(path.read_bytes()):
                    if article.id not in records:
                        records[article.id] = article.to_record()
                        salvaged += 1
                report.actions.append(f"kept the damaged segment as {broken}; salvaged "
                                      f"{salvaged} article(s) from it")
            if not records:
                del manifest.segments[name]
                report.actions.append(f"dropped segment {name} from the manifest "
                                      f"({segment.live} articles lost)")
                continue
        else:
            records = {k: v for k, v in load_tables(path).get(ARTICLES, {}).items()
                       if k not in segment.dead}
        fixed = _fix_records(records, finding, present, aside, report)
        present.update(fixed)
        _write_segment(store, manifest, name, fixed, generation)
        if finding.layout:
            report.actions.append(f"rewrote segment {name} in the line layout")
    if aside:
        path = store.path.with_name(f"{store.path.name}.damaged-{stamp}")
        atomic_write(path, orjson.dumps(aside))
        report.actions.append(f"set aside {len(aside)} damaged record(s) in {path}")


def _fix_records(records: dict[str, dict[str, Any]], finding: _SegmentFinding,
                 present: set[str], aside: dict[str, Any],
                 report: CheckReport) -> dict[str, dict[str, Any]]:
    fixed: dict[str, dict[str, Any]] = {}
    reids = cleaned = dropped = 0
    for key, record in records.items():
        if key in finding.damaged:
            aside[key] = record
            continue
        if key in finding.duplicates or key in present:
            dropped += 1
            continue
        if key in finding.escapes:
            record = cleaned_record(record)
            cleaned += 1
        try:
            article = Article.from_record(record)
        except RecordError:
            aside[key] = record
            continue
        if article.id != key:
            if key in present or article.id in present or article.id in records:
                # A damaged copy of an article that is stored: never a second one.
                aside[key] = record
                continue
            reids += 1
            record = {**record, "id": article.id}
            report.renamed[key] = article.id
            key = article.id
        fixed.setdefault(key, record)
    if reids:
        report.actions.append(f"gave {reids} article(s) the id their content has")
    if cleaned:
        report.actions.append(f"cleaned {cleaned} record(s) of control sequences")
    if dropped:
        report.actions.append(f"dropped {dropped} older duplicate(s)")
    return fixed


_ = segment_file_name  # named in the manifest's docs
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
        # The id the record carries must be the one its content gives: a record with
        # one flipped byte would otherwise come back under a new id, beside its good
        # copy (comparing the content's hash with itself proved nothing).
        if record.get("id") == record_id(article):
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
