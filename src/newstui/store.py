"""The article store: a manifest and TinyDB JSON segment files, one writer at a time.

Beside the manifest `NAME.json` (manifest.py):

- `NAME.segments/`   the segment files, each a TinyDB JSON file of up to 2,000 articles
- `NAME.json.bak`    the previous manifest; the segment files it names are kept too, so
                     the previous version of the archive stays whole
- `NAME.state.json`  reading state (reading_state.py); its own file because starring an
                     article must not rewrite the archive
- `NAME.lock`        the writers' lock (files.py)
- `NAME.index/`      the search index (search.py), derived from the store
- `NAME.v1.json`     a single-file store of an earlier release, kept after conversion

The pieces live in their own modules: the on-disk format (store_format.py), one file
of articles (segment.py), the manifest (manifest.py), the reading state
(reading_state.py), the lock and atomic replacement (files.py), the conversion of an
earlier store (migrate.py). This class puts them together: adding an article rewrites
the one open segment and the manifest, whatever the size of the archive.
"""

from __future__ import annotations

import contextlib
import copy
import heapq
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from newstui.article import CONTENT_FIELDS, LINK_FIELDS, Article, ReadingState, Summary
from newstui.files import (
    FileIdentity,
    FileWriteError,
    LockTimeoutError,
    OnWait,
    ReadOnlyError,
    WriteLock,
    atomic_write,
    file_identity,
    write_target,
)
from newstui.listing import arrange
from newstui.manifest import (
    COMPACT_SHARE,
    SEGMENT_ARTICLES,
    SEGMENT_BYTES,
    SEGMENTS,
    Dates,
    Manifest,
    Segment,
    dates_of,
    is_segment_file,
    merge_dates,
    segment_file_name,
)
from newstui.reading_state import StateFile
from newstui.segment import ArticleFile, write_file
from newstui.store_format import (
    ARTICLES,
    META,
    SCHEMA_VERSION,
    CorruptStoreError,
    LayoutError,
    LineReader,
    ReadOnlyStoreError,
    StoreError,
    StoreLockedError,
    UnknownArticleError,
    bump_generation,
    check_meta,
    load_tables,
    now_iso,
    refuse_what_is_not_a_store,
)

__all__ = [
    "ArticleStore", "CorruptStoreError", "OnWait", "ReadOnlyStoreError", "StoreError",
    "StoreLockedError", "UnknownArticleError", "UpsertResult",
]

#: The fields whose change makes a stored article a newer version of itself.
VERSION_FIELDS = (*CONTENT_FIELDS, *LINK_FIELDS)
#: The name of the one segment of a single-file store read as it is (not converted).
LEGACY = "legacy"
_HINT = "; `newstui check --repair` mends it"


@dataclass
class UpsertResult:
    """What one upsert did with each article it was given."""

    added: list[Article] = field(default_factory=list)
    updated: list[Article] = field(default_factory=list)
    unchanged: list[Article] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def same_version(record: dict[str, Any], article: Article) -> bool:
    """Whether a stored record holds this very version of the article."""
    new = article.to_record()
    return all(record.get(name) == new.get(name) for name in VERSION_FIELDS)


@dataclass
class _Change:
    """A write in progress: what it adds and what it takes away."""

    manifest: Manifest
    new: dict[str, dict[str, Any]] = field(default_factory=dict)   # id -> record
    gone: dict[str, str] = field(default_factory=dict)             # id -> its segment
    removed: list[str] = field(default_factory=list)               # deleted ids
    compact: bool = False                                          # rewrite every dead

    @property
    def empty(self) -> bool:
        return not (self.new or self.gone or self.compact)


class ArticleStore:
    """The articles and reading state of one archive.

    Reads come from the files as they were when first read; writes happen inside
    `writing()`, which takes the lock, reads the manifest again (another process may
    have written since), and commits once at the end.
    """

    def __init__(self, path: Path, on_wait: OnWait | None = None,
                 state_path: Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path)
        stem = self.path.with_name(self.path.stem)
        # `state_path`: a reader's own reading state, kept apart from the archive's
        # (each reader of a shared reading room has one). `read_only`: the articles
        # cannot be changed through this store (no import, delete, repair).
        self.state_path = Path(state_path) if state_path else Path(f"{stem}.state.json")
        self.read_only = read_only
        self.lock_path = Path(f"{stem}.lock")
        self.index_path = Path(f"{stem}.index")
        self.sources_path = Path(f"{stem}.sources.json")
        # A manifest kept as a link (into a synced folder, say) has its segments beside
        # the file it points to: the archive moves with it.
        real = write_target(self.path)
        self.segments_path = real.with_name(f"{real.stem}.segments")
        self.legacy_path = real.with_name(f"{real.stem}.v1.json")
        self.backup_path = Path(f"{self.path}.bak")
        self.on_wait = on_wait
        self.state_file = StateFile(self.state_path)
        # Opened lazily: the reader starts drawing before a large store is read, and
        # `newstui --help` never reads it at all.
        self._manifest: Manifest | None = None
        #: The manifest file's (inode, size, mtime) when it was read: what is in memory.
        self._manifest_identity: FileIdentity | None = None
        self._files: dict[str, ArticleFile] = {}
        self._summaries: list[Summary] | None = None
        self._change: _Change | None = None
        self._in_write = False
        self._forget_after_write: list[str] = []
        #: Where the last commit put each article it wrote (segment names), for the index.
        self.placed: dict[str, str] = {}
        #: Set by the archive: which of some ids its index holds, with their segments, or
        #: None when it cannot say for this write (stale, missing). See locate().
        self.indexed: Callable[[set[str]], dict[str, str] | None] | None = None

    # -- opening ----------------------------------------------------------------

    @property
    def manifest(self) -> Manifest:
        if self._change is not None:
            return self._change.manifest
        if self._manifest is None:
            identity = file_identity(self.path)  # before reading: a change meanwhile shows
            self._manifest = self._open_manifest(convert=self.writable)
            self._manifest_identity = identity
        return self._manifest

    def is_stale(self) -> bool:
        """Whether what is in memory was read from a manifest another process has
        replaced since (a reading-room session forked from a server that read the
        archive long ago holds the server's list until it reloads)."""
        return self._manifest is not None and file_identity(self.path) != self._manifest_identity

    def _open_manifest(self, convert: bool) -> Manifest:
        from newstui import migrate

        kind, manifest = migrate.classify(self)
        if kind == "legacy":
            if convert:
                with self.lock():
                    kind, manifest = migrate.classify(self)
                    if kind == "legacy":
                        manifest = migrate.convert(self)
            else:
                manifest = migrate.legacy_manifest(self)
        assert manifest is not None
        return manifest

    def load(self) -> None:
        """Read the store now (it is otherwise read at first use)."""
        self.summaries()
        self.state_file.tables()

    def for_reader(self, state_path: Path) -> ArticleStore:
        """The same archive, sharing what this store has read already, with another
        reader's reading state (a reading-room session forked from the server)."""
        other = copy.copy(self)
        other.state_path = Path(state_path)
        other.state_file = StateFile(other.state_path)
        return other

    def reload(self) -> None:
        """Drop what is in memory and read the files again."""
        for file in self._files.values():
            file.close()
        self._files = {}
        self._manifest = None
        self._manifest_identity = None
        self._summaries = None
        self.state_file.forget()

    def segment_path(self, segment: Segment) -> Path:
        if segment.name == LEGACY:
            return self.path
        return self.segments_path / segment.file

    def _file(self, segment: Segment) -> ArticleFile:
        opened = self._files.get(segment.file)
        if opened is None:
            opened = open_segment(self, segment)
            self._files[segment.file] = opened
        return opened

    # -- reading ----------------------------------------------------------------

    def _live_summaries(self, segment: Segment) -> Iterator[Summary]:
        dead = segment.dead
        for summary in self._file(segment).summaries():
            if summary.id not in dead:
                yield summary

    def iter_summaries(self) -> Iterator[Summary]:
        """What the list shows of every article, newest first; read as it goes (each
        segment is in that order: they are merged), so the first screenful is ready
        before the rest is read."""
        if self._summaries is not None:
            yield from self._summaries
            return
        found: list[Summary] = []
        for summary in self.stream_summaries():
            found.append(summary)
            yield summary
        self._summaries = found

    def stream_summaries(self) -> Iterator[Summary]:
        """The same, newest first, but nothing kept: each Summary is the caller's alone
        (the reader keeps its own compact copy; 530k of them kept here would be 370 MB)."""
        if self._summaries is not None:
            yield from self._summaries
            return
        segments = list(self.manifest.segments.values())
        if len(segments) == 1:
            yield from self._live_summaries(segments[0])
            return
        yield from heapq.merge(*(self._live_summaries(s) for s in segments), key=_order_key)

    def summaries(self) -> list[Summary]:
        return list(self.iter_summaries())

    def summary_ids(self) -> Iterable[str]:
        """Every article id."""
        return set(self.ids())

    def ids(self) -> Iterator[str]:
        """Every live article id, segment by segment."""
        for segment in self.manifest.segments.values():
            dead = segment.dead
            for key in self._file(segment).ids():
                if key not in dead:
                    yield key

    def __len__(self) -> int:
        manifest = self.manifest
        if LEGACY in manifest.segments:
            return sum(1 for _ in self.ids())
        return manifest.live

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self.where(article_id) is not None

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def writable(self) -> bool:
        """Whether this process may write the store (a shared archive may be read-only)."""
        if self.read_only:
            return False
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return False
        return os.access(self.path.parent, os.W_OK)

    @property
    def state_writable(self) -> bool:
        """Whether reading state (read, starred, position, settings) can be saved."""
        if self.state_path.exists():
            return os.access(self.state_path, os.W_OK) and os.access(self.state_path.parent,
                                                                     os.W_OK)
        return os.access(self.state_path.parent, os.W_OK)

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.manifest.meta)

    @property
    def generation(self) -> int:
        """Counts the writes to the store: the index records which one it reflects."""
        return self.manifest.generation

    @property
    def store_id(self) -> str:
        return str(self.manifest.meta.get("store_id", ""))

    def where(self, article_id: str, hint: str | None = None) -> str | None:
        """The segment holding the live version of an article (`hint` is tried first)."""
        segments = self.manifest.segments
        order = [hint] if hint in segments else []
        order += [name for name in reversed(segments) if name != hint]
        for name in order:
            segment = segments[name]
            if article_id in segment.dead:
                continue
            if self._file(segment).has(article_id):
                return name
        return None

    def locate(self, article_ids: Iterable[str]) -> dict[str, str]:
        """The segment of each of these ids that is stored (live).

        When the archive's index is current (it reflects this very generation), it says
        which ids are stored: an id it does not hold is not stored, and one it holds is
        looked for in the segment it names first. Otherwise every segment is read."""
        wanted = set(article_ids)
        found: dict[str, str] = {}
        indexed = self.indexed(wanted) if self.indexed is not None and wanted else None
        if indexed is not None:
            for key, hint in indexed.items():
                name = self.where(key, hint)
                if name is not None:
                    found[key] = name
            return found
        if len(wanted) <= 32:
            for key in wanted:
                name = self.where(key)
                if name is not None:
                    found[key] = name
            return found
        for name, segment in self.manifest.segments.items():
            for key in self._file(segment).ids_among(wanted):
                if key not in segment.dead:
                    found[key] = name
        return found

    def get(self, article_id: str, hint: str | None = None) -> Article | None:
        """One article by its full id; `hint`: the segment the index last saw it in."""
        if self._change is not None and article_id in self._change.new:
            return Article.from_record(self._change.new[article_id], trust_id=True)
        name = self.where(article_id, hint)
        if name is None:
            return None
        return self._file(self.manifest.segments[name]).get(article_id)

    def resolve(self, prefix: str) -> Article:
        """The article whose id is `prefix` or starts with it (like git's short ids)."""
        prefix = prefix.strip().lower()
        found = self.get(prefix) if prefix else None
        if found is not None:
            return found
        matches = [key for key in self.ids() if key.startswith(prefix)] if prefix else []
        if len(matches) == 1:
            article = self.get(matches[0])
            assert article is not None
            return article
        if not matches:
            raise UnknownArticleError(f"no article with id {prefix!r} in {self.path}")
        raise UnknownArticleError(f"id {prefix!r} is ambiguous: {len(matches)} articles match")

    def records(self) -> Iterator[dict[str, Any]]:
        """Every live article as its stored record, one at a time (memory: a record)."""
        for segment in list(self.manifest.segments.values()):
            dead = segment.dead
            for record in self._file(segment).records():
                if record.get("id") not in dead:
                    yield record

    def placed_records(self) -> Iterator[tuple[dict[str, Any], str]]:
        """Every live record with the name of its segment."""
        for name, segment in list(self.manifest.segments.items()):
            dead = segment.dead
            for record in self._file(segment).records():
                if record.get("id") not in dead:
                    yield record, name

    def articles(self) -> Iterator[Article]:
        """Every article, in no particular order, one at a time."""
        for record in self.records():
            yield _article(self.path, record)

    def newest_first_records(self) -> Iterator[dict[str, Any]]:
        """Every record in the list's order, one at a time (for export)."""
        segments = list(self.manifest.segments.values())
        placed = heapq.merge(*(self._tagged_summaries(segment) for segment in segments),
                             key=lambda pair: _order_key(pair[0]))
        for summary, segment in placed:
            record = self._file(segment).record(summary.id, mapped=False)
            if record is None:
                # A summary whose record is missing is damage, never a silent gap in a
                # backup: an export that drops articles and exits 0 loses them for good.
                raise CorruptStoreError(
                    f"{self._file(segment).path}: article {summary.id} is listed but its "
                    "record is missing; `newstui check --repair` can mend it")
            yield record

    def _tagged_summaries(self, segment: Segment) -> Iterator[tuple[Summary, Segment]]:
        # A function of its own so each generator holds its own segment: a generator
        # expression nested in a loop would see only the loop's last segment (late
        # binding), and every article would be looked up in the wrong file.
        for summary in self._live_summaries(segment):
            yield summary, segment

    def dates(self) -> Dates:
        """How many live articles are dated, the first day and the last: from the
        manifest, reading only a segment it says nothing of (an earlier release's). Each
        segment file is opened (its head checked against the manifest, no row read): a
        missing or swapped one is reported as damage, as every command does."""
        parts = []
        for segment in list(self.manifest.segments.values()):
            if segment.dates is not None:
                self._file(segment)
                parts.append(segment.dates)
            else:
                parts.append(dates_of(s.date for s in self._live_summaries(segment)))
        return merge_dates(parts)

    def each_summary(self) -> Iterator[Summary]:
        """Every live summary, segment by segment, in no particular order (memory: one
        summary at a time; for stats and prune)."""
        for segment in list(self.manifest.segments.values()):
            yield from self._live_summaries(segment)

    def newest_first(self) -> list[Article]:
        """Every article, newest first; undated ones last, then by headline."""
        return arrange(self.articles(), {})

    # -- reading state ---------------------------------------------------------------

    def state(self, article_id: str) -> ReadingState:
        return self.state_file.state(article_id)

    def states(self) -> dict[str, ReadingState]:
        return self.state_file.states()

    def set_state(self, article_id: str, state: ReadingState) -> None:
        """Save one article's reading state at once (its own small file, atomically)."""
        self.state_file.set_state(article_id, state)

    def setting(self, name: str, default: Any = None) -> Any:
        """A remembered preference (e.g. the theme)."""
        return self.state_file.setting(name, default)

    def set_setting(self, name: str, value: Any) -> None:
        self.state_file.set_setting(name, value)

    def search_history(self) -> list[str]:
        """Earlier queries, oldest first."""
        return self.state_file.search_history()

    def remember_search(self, query: str, keep: int = 100) -> None:
        self.state_file.remember_search(query, keep)

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """The writers' lock, its failures as store errors."""
        refuse_what_is_not_a_store(self.path)  # before a lock file appears beside it
        try:
            with WriteLock(self.lock_path, on_wait=self.on_wait):
                yield
        except LockTimeoutError as exc:
            raise StoreLockedError(str(exc)) from None
        except ReadOnlyError as exc:
            raise ReadOnlyStoreError(f"{self.path}: store folder is read-only ({exc})") from None
        except FileWriteError as exc:
            if "no such folder" in str(exc):
                raise StoreError(f"{self.path.parent}: no such folder for the store") from None
            raise StoreError(str(exc)) from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[ArticleStore]:
        """Lock, read the manifest again, let the caller change things, commit once."""
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path}: opened read-only")
        if self._in_write:
            yield self
            return
        with self.lock():
            self.reload()
            from newstui import migrate

            kind, manifest = migrate.classify(self, writing=True)
            if kind == "legacy":
                manifest = migrate.convert(self)
            assert manifest is not None
            self._in_write = True
            self._change = _Change(manifest.copy())
            try:
                yield self
                self.commit()
            finally:
                self._in_write = False
                self._change = None
                self._forget_after_write = []
                self.reload()

    def add_many(self, articles: Iterable[Article]) -> list[Article]:
        """Add the articles not already present (by id). Returns those added."""
        with self.writing():
            change = self._pending()
            fresh = list({a.id: a for a in articles}.values())
            present = self.locate(a.id for a in fresh if a.id not in change.new)
            stamp = now_iso()
            added = [_stamped(a, stamp) for a in fresh
                     if a.id not in present and a.id not in change.new]
            for article in added:
                change.new[article.id] = article.to_record()
            return added

    def upsert(self, articles: Iterable[Article]) -> UpsertResult:
        """Add new articles and replace stored ones with a newer version of themselves
        (same id, other text); reading state stays with the id."""
        with self.writing():
            change = self._pending()
            fresh = list({a.id: a for a in articles}.values())
            present = self.locate(a.id for a in fresh if a.id not in change.new)
            stamp = now_iso()
            result = UpsertResult()
            for article in fresh:
                if article.id in change.new:
                    record: dict[str, Any] | None = change.new[article.id]
                elif article.id in present:
                    segment = change.manifest.segments[present[article.id]]
                    record = self._file(segment).record(article.id)
                else:
                    record = None
                if record is None:
                    result.added.append(_stamped(article, stamp))
                elif same_version(record, article):
                    result.unchanged.append(article)
                else:
                    result.updated.append(_stamped(article, stamp))
                    if article.id in present:
                        change.gone[article.id] = present[article.id]
            for article in (*result.added, *result.updated):
                change.new[article.id] = article.to_record()
            return result

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        """Remove articles (and their reading state). Returns the ids removed."""
        wanted = list(dict.fromkeys(article_ids))
        with self.writing():
            change = self._pending()
            present = self.locate(wanted)
            removed = []
            for key in wanted:
                if change.new.pop(key, None) is not None or key in present:
                    removed.append(key)
                if key in present:
                    change.gone[key] = present[key]
            change.removed.extend(removed)
            self._forget_after_write.extend(removed)
        return removed

    def compact(self) -> int:
        """Rewrite every segment that holds dead records; returns how many records went."""
        with self.writing():
            change = self._pending()
            change.compact = True
            return sum(len(s.dead) for s in change.manifest.segments.values())

    def commit(self) -> bool:
        """Write what the change holds: the open segment, new and compacted segments,
        then the manifest (the moment the change happens). Returns whether anything
        was written. Inside `writing()`; called by it at the end if not before."""
        change = self._pending()
        if change.empty:
            return False
        placed = commit_change(self, change)
        self.placed = placed
        dropped = list(self._forget_after_write)
        self._forget_after_write = []
        self._change = _Change(self.manifest_on_disk())
        for file in self._files.values():
            file.close()  # its descriptor and map: an import commits hundreds of times
        self._files = {}
        self._summaries = None
        if dropped:
            # Only once the articles are gone for good: a failed write keeps their state.
            self.state_file.drop(dropped)
        return True

    def manifest_on_disk(self) -> Manifest:
        from newstui import migrate

        kind, manifest = migrate.classify(self)
        assert kind == "manifest" and manifest is not None
        return manifest

    def _pending(self) -> _Change:
        assert self._change is not None, "only inside writing()"
        return self._change


# -- committing a change ------------------------------------------------------------------


def commit_change(store: ArticleStore, change: _Change) -> dict[str, str]:
    """Write the segment files a change needs and then the manifest. Returns where
    each new record went. A write that fails (a full disk, say) removes the segment
    files it had written: the manifest was not replaced, so the archive is unchanged."""
    try:
        return _commit_change(store, change)
    except ReadOnlyStoreError:
        raise
    except StoreError as exc:
        with contextlib.suppress(OSError):
            tidy(store)  # the new segment files: no manifest names them
        raise StoreError(f"{exc}; the archive is unchanged") from None


def _commit_change(store: ArticleStore, change: _Change) -> dict[str, str]:
    manifest = change.manifest
    manifest.meta = bump_generation(manifest.meta, SCHEMA_VERSION)  # the id, for a new store
    generation = manifest.generation
    store.segments_path.mkdir(exist_ok=True)
    for key, name in change.gone.items():
        manifest.segments[name].dead.add(key)
        manifest.segments[name].dates = None  # read again below, without the dead
    placed: dict[str, str] = {}
    pending = list(change.new.values())
    names = list(manifest.segments)
    last = manifest.segments[names[-1]] if names else None
    if pending and last is not None and last.rows < SEGMENT_ARTICLES:
        file = store._file(last)
        if file.size < SEGMENT_BYTES:
            records = {r["id"]: r for r in file.records() if r.get("id") not in last.dead}
            room = SEGMENT_ARTICLES - len(records)
            budget = SEGMENT_BYTES - file.size
            taken = 0
            for record in pending:
                if room <= 0 or budget <= 0:
                    break
                records[record["id"]] = record
                placed[record["id"]] = last.name
                room -= 1
                budget -= len(orjson.dumps(record))
                taken += 1
            pending = pending[taken:]
            _write_segment(store, manifest, last.name, records, generation)
    while pending:
        name = manifest.next_name()
        records = {}
        size = 0
        taken = 0
        for record in pending:
            if len(records) >= SEGMENT_ARTICLES or size >= SEGMENT_BYTES:
                break
            records[record["id"]] = record
            placed[record["id"]] = name
            size += len(orjson.dumps(record))
            taken += 1
        pending = pending[taken:]
        _write_segment(store, manifest, name, records, generation)
    removed = len(change.gone)
    for name, segment in list(manifest.segments.items()):
        if not segment.dead:
            continue
        if segment.live <= 0:
            del manifest.segments[name]
        elif change.compact or len(segment.dead) > COMPACT_SHARE * segment.rows:
            file = store._file(segment)
            records = {r["id"]: r for r in file.records() if r.get("id") not in segment.dead}
            _write_segment(store, manifest, name, records, generation)
    for segment in manifest.segments.values():
        if segment.dates is None:
            # Records marked dead since, or a manifest of an earlier release (once).
            dead = segment.dead
            segment.dates = dates_of(s.date for s in store._file(segment).summaries()
                                     if s.id not in dead)
    manifest.meta["live"] = manifest.live
    manifest.meta["removed"] = removed
    try:
        atomic_write(store.path, manifest.encode(), backup=True)
    except ReadOnlyError as exc:
        raise ReadOnlyStoreError(str(exc)) from None
    except FileWriteError as exc:
        raise StoreError(str(exc)) from None
    tidy(store)
    return placed


def _write_segment(store: ArticleStore, manifest: Manifest, name: str,
                   records: dict[str, dict[str, Any]], generation: int) -> None:
    file = segment_file_name(name, generation)
    meta = {"schema": SCHEMA_VERSION, "store_id": manifest.meta.get("store_id", ""),
            "segment": name, "rows": len(records)}
    write_file(store.segments_path / file, records, meta, backup=False)
    dates = dates_of(r.get("published") or r.get("updated") for r in records.values())
    manifest.segments[name] = Segment(name, file, len(records), set(), dates)


def tidy(store: ArticleStore) -> list[Path]:
    """Remove segment files neither the manifest nor its backup names (left by a write
    that was killed, or replaced twice since). Under the writers' lock."""
    keep: set[str] = set()
    for path in (store.path, store.backup_path):
        with contextlib.suppress(StoreError, OSError, ValueError, AttributeError):
            tables = load_tables(path)
            for record in tables.get(SEGMENTS, {}).values():
                keep.add(str(record.get("file")))
    removed = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(store.segments_path):
            if is_segment_file(entry.name) and entry.name not in keep:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def open_segment(store: ArticleStore, segment: Segment,
                 manifest: Manifest | None = None) -> ArticleFile:
    """A segment file, checked against what the manifest says of it."""
    store_id = (manifest or store.manifest).meta.get("store_id", "")
    path = store.segment_path(segment)
    if segment.name == LEGACY:
        return ArticleFile(path)
    if not path.exists():
        raise CorruptStoreError(f"{path}: segment {segment.name} named by the manifest is "
                                f"missing{_HINT}")
    opened = ArticleFile(path)
    meta = opened.meta
    rows = meta.get("rows") if opened.in_layout else opened.count()
    if (meta.get("segment") != segment.name or rows != segment.rows
            or meta.get("store_id") != store_id):
        opened.close()
        raise CorruptStoreError(
            f"{path}: not the segment the manifest names (segment {meta.get('segment')!r}, "
            f"{rows} records; the manifest says {segment.name!r}, {segment.rows}){_HINT}")
    return opened


def _order_key(summary: Summary) -> tuple[int, str, str]:
    """The list's order as a key: dated newest first, undated last, ties by headline."""
    if summary.date:
        return 0, summary.date.translate(_INVERT) + "\U0010ffff", summary.headline.casefold()
    return 1, "", summary.headline.casefold()


# Each ASCII character mapped to one that sorts in the opposite order: a date string
# made of them sorts newest first. The sentinel appended puts a longer date (with a
# time) before its own date-only prefix, as a descending sort does.
_INVERT = {code: 0xFFFF - code for code in range(128)}


def _article(path: Path, record: dict[str, Any]) -> Article:
    from newstui.article import RecordError

    try:
        return Article.from_record(record, trust_id=True)
    except RecordError as exc:
        raise CorruptStoreError(f"{path}: a stored record is damaged: {exc}{_HINT}") from None


def _stamped(article: Article, stamp: str) -> Article:
    return article if article.imported_at else article.with_import(article.source, stamp)


# Unused names kept out of the linter's way.
_ = (ARTICLES, META, LayoutError, LineReader, check_meta, re)
