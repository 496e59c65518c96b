"""An archive: the store and its search index, kept in step. The API the CLI and the
TUI both use, so there is one import path and one search path."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from newstui.article import Article
from newstui.files import OnWait, atomic_write, read_regular_file
from newstui.store import ArticleStore, ReadOnlyStoreError, UpsertResult

# Imported where they are used: the reader's first paint needs neither the importer
# (and python-dateutil) nor the index library.
if TYPE_CHECKING:
    from newstui.importer import KnownFile, Problem, Progress
    from newstui.search import Placed, Results, SearchIndex

DEFAULT_LIMIT = 50


@dataclass
class ImportReport:
    """What an import run did, for the summary line and the exit status."""

    # Ids, not articles: an import of half a million articles holds none of them.
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # newer versions of stored ones
    already_present: int = 0
    failures: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0
    duplicates: int = 0  # articles that occurred more than once in this run's files
    #: What this run read from each file that imported whole (for the next import).
    read_files: dict[str, KnownFile] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        text = f"imported {len(self.added)}, "
        if self.updated:
            text += f"updated {len(self.updated)}, "
        text += f"already present {self.already_present}, failed {len(self.failures)}"
        if self.duplicates:
            text += f", {self.duplicates} duplicate(s) among the files"
        if self.skipped:
            text += f", skipped {len(self.skipped)} non-article file(s)"
        return text


class Archive:
    """A store and its index. Open with `Archive.open(path)`."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store
        self._index: SearchIndex | None = None
        store.indexed = self._indexed

    def _indexed(self, ids: set[str]) -> dict[str, str] | None:
        """Which of `ids` the index holds (with their segments), when the index reflects
        the store's current generation; else None (the store reads its segments). Asked
        by writes, which need to know what is stored already: the index answers for a
        batch of ids what would otherwise take a read of every segment's rows."""
        if not self.store.path.exists() or not self.store.index_path.is_dir():
            return None
        from newstui.search import IndexDamagedError

        try:
            index = self.index(refresh=False)
            if not index.is_current(self.store.store_id, self.store.generation):
                return None
            return index.placed(ids)
        except (IndexDamagedError, OSError, ValueError):
            return None

    @classmethod
    def open(cls, path: Path, on_wait: OnWait | None = None, state_path: Path | None = None,
             read_only: bool = False) -> Archive:
        """`state_path`: keep this reader's reading state there (`--state`), not beside
        the store. `read_only`: nothing can change the articles (reading-room sessions)."""
        return cls(ArticleStore(path, on_wait=on_wait, state_path=state_path,
                                read_only=read_only))

    @property
    def path(self) -> Path:
        return self.store.path

    # -- importing ------------------------------------------------------------

    def import_paths(self, paths: Iterable[str | os.PathLike[str]],
                     progress: Progress | None = None) -> ImportReport:
        """Import files and folders, a batch at a time (importer.stream_import): each
        batch is one write of the store (under its lock) that the index follows in one
        commit. Failed files are reported, not raised."""
        from newstui.importer import stream_import

        known = self._known_files()
        report = stream_import(paths, self.upsert, progress, known, holds=self._holds)
        if report.read_files and self.store.writable:
            self._remember_files(known, report.read_files)
        return report

    def _holds(self, ids: list[str]) -> bool:
        """Whether every one of these ids is stored (live)."""
        wanted = set(ids)
        return len(self.store.locate(wanted)) == len(wanted)

    # Which files an import has read (size, modification time, article ids), so that
    # importing the same folder again does not parse what has not changed. A cache:
    # lost or damaged, it is simply rebuilt. JSON Lines: a head naming the store, then
    # one line per file, `[source, size, mtime, "<id><id>..."]` (a later line for the
    # same source wins). An import appends the lines of the files it read, so its cost
    # is that of the files, not of every file ever imported (one JSON Lines file of
    # 530k articles is one line of 8.5 MB: read as one string, split only when that
    # file is imported again); the file is rewritten when most of it is superseded.

    def _known_files(self) -> Mapping[str, KnownFile]:
        return _KnownFiles.read(self.store.sources_path, self.store.store_id)

    def _remember_files(self, known: Mapping[str, KnownFile],
                        read: dict[str, KnownFile]) -> None:
        path = self.store.sources_path
        lines = [orjson.dumps([source, size, mtime, "".join(ids)])
                 for source, (size, mtime, ids) in read.items()
                 if all(len(key) == _ID_LENGTH for key in ids)]
        lines += [orjson.dumps([source, size, mtime, ids])
                  for source, (size, mtime, ids) in read.items()
                  if not all(len(key) == _ID_LENGTH for key in ids)]
        try:
            if (isinstance(known, _KnownFiles) and known.store_id == self.store.store_id
                    and known.lines < 2 * len(known) + 64):
                _append_regular(path, b"".join(line + b"\n" for line in lines))
                return
            # A new cache (or a new store at this path), or one mostly superseded.
            head = orjson.dumps({"store_id": self.store.store_id, "format": 2})
            kept = [line for line in (known.raw_lines() if isinstance(known, _KnownFiles)
                                      and known.store_id == self.store.store_id else [])
                    if _source_of(line) not in read]
            atomic_write(path, b"".join(x + b"\n" for x in [head, *kept, *lines]))
        except OSError:
            pass  # only a cache: the next import reads the files again

    def add(self, articles: list[Article]) -> list[Article]:
        """Add the articles not already stored (by id); returns those added."""
        return self.upsert(articles).added

    def upsert(self, articles: Iterable[Article]) -> UpsertResult:
        """Add new articles and replace stored ones by their newer version (same id,
        other text; reading state kept), under the store's write lock. The index
        follows in one commit."""
        with self.store.writing():
            result = self.store.upsert(articles)
            if result.changed:
                self.store.commit()
                placed = self.store.placed
                changed = [(a, placed.get(a.id, "")) for a in (*result.added, *result.updated)]
                self._follow(changed, [a.id for a in result.updated],
                             first=len(result.added) == len(self.store))
            return result

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        """Remove articles, their reading state and their index entries; returns the
        ids that were stored."""
        with self.store.writing():
            removed = self.store.delete(article_ids)
            if removed:
                self.store.commit()
                self._follow([], removed)
        return removed

    def compact(self) -> int:
        """Rewrite the segments that hold replaced or deleted records; returns how many
        records were dropped. Articles keep their segment, so the index is current."""
        with self.store.writing():
            dropped = self.store.compact()
            if self.store.commit():
                self._follow([], [])
        return dropped

    def _follow(self, added: Sequence[Placed], deleted: list[str], first: bool = False) -> None:
        """Bring the index to the store's new generation: the change alone when the
        index was current before it, else a rebuild."""
        from newstui.search import IndexDamagedError, IndexWriteError

        store = self.store
        try:
            index = self.index(refresh=False)
            if index.is_current(store.store_id, store.generation - 1):
                changes = len(added) + len(deleted)
                index.apply(added, deleted, store.store_id, store.generation,
                            small=changes < 1000, batch=changes <= 10_000)
            elif first:
                # A first import: what was added is everything, already parsed.
                index.rebuild(added, store.store_id, store.generation)
            else:
                self._rebuild(index)
        except IndexDamagedError:
            # Derived data: a damaged index is rebuilt from the store, as promised.
            self._index = None
            shutil.rmtree(store.index_path, ignore_errors=True)
            self._rebuild(self.index(refresh=False))
        except IndexWriteError as exc:
            self._index = None  # removed by the index itself; rebuilt when next needed
            # Raised inside the store's write: the store is not written either.
            raise IndexWriteError(f"{exc}; the archive is unchanged") from None

    # -- searching ------------------------------------------------------------

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> Results:
        """Parse and run a query. Raises QueryError for a malformed one."""
        from newstui.query import QueryError, parse_query
        from newstui.search import IndexDamagedError

        query = parse_query(text)
        try:
            return self.index().search(query, limit, self.store.get)
        except QueryError:
            raise  # the query's fault, not the index's
        except (ValueError, IndexDamagedError):
            # tantivy found a segment it cannot read (an error, or a Rust panic): rebuild
            # the index and ask again.
            self._index = None
            shutil.rmtree(self.store.index_path, ignore_errors=True)
            return self.index().search(query, limit, self.store.get)

    def index(self, refresh: bool = True) -> SearchIndex:
        """The search index, rebuilt first if it is missing, damaged or stale."""
        if self._index is None:
            self._index = self._open_index()
        if refresh and not self._index.is_current(self.store.store_id, self.store.generation):
            from newstui.search import IndexWriteError, SearchIndex

            try:
                self.reindex()
            except IndexWriteError:
                # No room to rebuild it on disk (a full disk): search from an index in
                # memory meanwhile; `newstui reindex` says what is wrong.
                self._index = SearchIndex(None)
                self._rebuild(self._index)
        return self._index

    def _open_index(self) -> SearchIndex:
        from newstui.search import IndexDamagedError, SearchIndex, open_for_reading

        path = self.store.index_path
        try:
            return open_for_reading(path, self.store.store_id)
        except (IndexDamagedError, OSError):
            pass
        # Damaged (or unreadable). It is derived data: start it afresh where we may
        # write; where we may not (a shared, read-only archive), index in memory.
        try:
            with self.store.writing():
                shutil.rmtree(path, ignore_errors=True)
                return SearchIndex(path)
        except (ReadOnlyStoreError, IndexDamagedError, OSError):
            return SearchIndex(None)

    def reindex(self) -> int:
        """Rebuild the index from the store; returns the number of articles indexed.
        Raises IndexWriteError when the index cannot be written (a full disk)."""
        index = self.index(refresh=False)
        try:
            with self.store.writing():
                if index.path is None:
                    # An index in memory stands in for one that could not be made on
                    # disk (a full disk, say): a rebuild is asked for the one on disk.
                    from newstui.search import SearchIndex

                    shutil.rmtree(self.store.index_path, ignore_errors=True)
                    index = self._index = SearchIndex(self.store.index_path)
                return self._rebuild(index)
        except ReadOnlyStoreError:
            # A store we may not write (shared, read-only): index it in memory.
            from newstui.search import SearchIndex

            self._index = SearchIndex(None)
            return self._rebuild(self._index)

    def _rebuild(self, index: SearchIndex) -> int:
        from newstui.article import Article

        placed = ((Article.from_record(record, trust_id=True), segment)
                  for record, segment in self.store.placed_records())
        return index.rebuild(placed, self.store.store_id, self.store.generation)


_ID_LENGTH = 16


def _append_regular(path: Path, data: bytes) -> None:
    """Append to a regular file (OSError for anything else: a FIFO must not block)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        os.write(fd, data)
    finally:
        os.close(fd)


def _source_of(line: bytes) -> str | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return value[0] if isinstance(value, list) and value and isinstance(value[0], str) else None


class _KnownFiles(Mapping[str, "KnownFile"]):
    """The import cache as read: each file's ids kept as the one string they were
    written as, split only for a file asked about."""

    def __init__(self, store_id: str, entries: dict[str, tuple[int, int, str | list[str]]],
                 raw: dict[str, bytes], lines: int) -> None:
        self.store_id = store_id
        self._entries = entries
        self._raw = raw
        self.lines = lines

    @classmethod
    def read(cls, path: Path, store_id: str) -> _KnownFiles:
        empty = cls("", {}, {}, 0)
        try:
            data = read_regular_file(path)  # a FIFO there is passed over, never a hang
        except OSError:
            return empty
        lines = data.split(b"\n")
        try:
            head = orjson.loads(lines[0])
        except orjson.JSONDecodeError:
            return empty  # damaged, or the single JSON document of an earlier release
        if not isinstance(head, dict) or head.get("format") != 2 \
                or head.get("store_id") != store_id or not store_id:
            return empty
        entries: dict[str, tuple[int, int, str | list[str]]] = {}
        raw: dict[str, bytes] = {}
        count = 0
        for line in lines[1:]:
            if not line:
                continue
            try:
                source, size, mtime, ids = orjson.loads(line)
            except (orjson.JSONDecodeError, ValueError, TypeError):
                continue  # a line cut short by a kill: that file is read again
            if (not isinstance(source, str) or not isinstance(size, int)
                    or not isinstance(mtime, int) or not isinstance(ids, (str, list))):
                continue
            count += 1
            entries[source] = (size, mtime, ids)
            raw[source] = line
        return cls(store_id, entries, raw, count)

    def raw_lines(self) -> list[bytes]:
        return list(self._raw.values())

    def __getitem__(self, source: str) -> KnownFile:
        size, mtime, ids = self._entries[source]
        if isinstance(ids, str):
            if len(ids) % _ID_LENGTH:
                raise KeyError(source)
            return size, mtime, [ids[i:i + _ID_LENGTH] for i in range(0, len(ids), _ID_LENGTH)]
        return size, mtime, [str(key) for key in ids]

    def get(self, source: str, default: Any = None) -> Any:
        try:
            return self[source]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


def bundled_samples() -> Path:
    """The fictional sample articles: `data/samples` at the top of the repository,
    copied into the package (`newstui/data`) when a wheel is built (pyproject's
    force-include). An editable install or a checkout reads them where they are."""
    from importlib import resources  # here: it costs every other command at start

    packaged = Path(str(resources.files("newstui") / "data" / "samples"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data" / "samples"
