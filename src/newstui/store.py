"""The article store: a TinyDB JSON file, written atomically, one writer at a time.

The only module that imports tinydb. Layout beside the store file `NAME.json`:

- `NAME.json`        articles (table `articles`, keyed by article id) and `meta`
- `NAME.state.json`  reading state (table `state`): read, starred, position. Its own
                     file because TinyDB rewrites a whole file on every write; starring
                     an article must not rewrite a 150 MB archive.
- `NAME.json.bak`    the previous good store, kept by every write
- `NAME.lock`        the writers' lock
- `NAME.index/`      the search index (search.py), derived from the store
"""

from __future__ import annotations

import contextlib
import copy
import errno
import fcntl
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from newstui import layout
from newstui.article import Article, ReadingState, RecordError
from newstui.files import FileWriteError, ReadOnlyError, atomic_write
from newstui.layout import LayoutError, StoreReader, Summary, summary_of
from newstui.listing import arrange

SCHEMA_VERSION = 1
ARTICLES, META, STATE = "articles", "meta", "state"
SETTINGS, HISTORY = "settings", "history"


class StoreError(Exception):
    """A problem with the store a user can act on; the message names the file."""


class CorruptStoreError(StoreError):
    """The file is not a newstui TinyDB store; it is left untouched."""


class StoreLockedError(StoreError):
    """Another process kept the write lock for too long."""


class ReadOnlyStoreError(StoreError):
    """The store (or its folder) cannot be written."""


class UnknownArticleError(StoreError):
    """No article (or more than one) matches the id given."""


class AtomicJSONStorage(Storage):
    """TinyDB storage that reads its file once and replaces it atomically on flush.

    TinyDB's JSONStorage truncates and rewrites its file in place, so a crash mid-write
    leaves a broken store (TinyDB issue #467). Here `write` only updates the in-memory
    copy; `flush` writes a temporary file, fsyncs it, hard-links the old file to `.bak`,
    renames the new one over it and fsyncs the folder.
    """

    def __init__(self, path: str, line_layout: bool = False) -> None:
        self.path = Path(path)
        self._data: dict[str, dict[str, Any]] | None = None
        self.line_layout = line_layout  # the article store's layout (layout.py)
        self.dirty = False

    def read(self) -> dict[str, dict[str, Any]]:
        if self._data is None:
            self._data = load_tables(self.path)
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._data = data
        self.dirty = True

    def flush(self) -> None:
        if not self.dirty or self._data is None:
            return
        try:
            data = layout.encode(self._data) if self.line_layout else orjson.dumps(self._data)
            atomic_write(self.path, data, backup=True)
        except ReadOnlyError as exc:
            raise ReadOnlyStoreError(str(exc)) from None
        except FileWriteError as exc:
            raise StoreError(str(exc)) from None
        self.dirty = False

    def close(self) -> None:
        pass


def load_tables(path: Path) -> dict[str, dict[str, Any]]:
    """Read a TinyDB JSON file, checking its shape. A missing file is an empty store."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except PermissionError:
        raise StoreError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise StoreError(f"{path}: is a directory, not a store file") from None
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


class _KeyedTable(Table):
    """A TinyDB table whose document ids are the articles' own string ids."""

    document_id_class = str  # type: ignore[assignment]


class _KeyedDB(TinyDB):
    table_class = _KeyedTable


# TinyDB's type hints say document ids are ints; ours are strings (see _KeyedTable).
def _get(table: Table, key: str) -> dict[str, Any] | None:
    return table.get(doc_id=key)  # type: ignore[call-overload]


def _doc(record: dict[str, Any], key: str) -> Document:
    return Document(record, doc_id=key)  # type: ignore[arg-type]


def _storage(db: TinyDB) -> AtomicJSONStorage:
    return cast(AtomicJSONStorage, db.storage)


#: Told when a writer has to wait for another: receives the lock file's path.
OnWait = Callable[[Path], None]


class WriteLock:
    """An exclusive lock on the store for writing (flock on `NAME.lock`).

    A second writer waits, saying so once through `on_wait`, and gives up with
    StoreLockedError after `timeout` seconds.
    """

    def __init__(self, path: Path, timeout: float = 120.0, on_wait: OnWait | None = None) -> None:
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            raise ReadOnlyStoreError(f"{self.path.parent}: store folder is read-only") from None
        except OSError as exc:
            if exc.errno == errno.EROFS:
                raise ReadOnlyStoreError(
                    f"{self.path.parent}: store is on a read-only file system") from None
            if not isinstance(exc, FileNotFoundError):
                raise
            raise StoreError(f"{self.path.parent}: no such folder for the store") from None
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if not told and self.on_wait is not None:
                    self.on_wait(self.path)
                    told = True
                if time.monotonic() > deadline:
                    os.close(self._fd)
                    self._fd = None
                    raise StoreLockedError(
                        f"{self.path}: another newstui process is still writing this store "
                        f"after {self.timeout:.0f} s; try again later"
                    ) from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class ArticleStore:
    """The articles and reading state of one archive.

    Reads come from memory (the file is read once); writes happen inside `writing()`,
    which takes the lock, re-reads the file (another process may have written since),
    and writes the file once at the end — one write per import, however many articles.
    """

    def __init__(self, path: Path, on_wait: OnWait | None = None,
                 state_path: Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path)
        # `state_path`: a reader's own reading state, kept apart from the archive's
        # (each reader of a shared reading room has one). `read_only`: the articles
        # cannot be changed through this store (no import, delete, repair).
        self.state_path = (Path(state_path) if state_path is not None
                           else self.path.with_name(self.path.stem + ".state.json"))
        self.read_only = read_only
        self.lock_path = self.path.with_name(self.path.stem + ".lock")
        self.index_path = self.path.with_name(self.path.stem + ".index")
        self.sources_path = self.path.with_name(self.path.stem + ".sources.json")
        self.on_wait = on_wait
        # Opened lazily: the reader starts drawing before a large store is read (it
        # loads in a worker), and `newstui --help` never reads it at all.
        self._loaded_db: TinyDB | None = None
        self._loaded_state: TinyDB | None = None
        self._reader: StoreReader | None = None
        self._reader_tried = False
        self._summaries: list[Summary] | None = None
        self._in_write = False

    @property
    def _db(self) -> TinyDB:
        if self._loaded_db is None:
            self._loaded_db = self._open(self.path)
            self._check_schema()
        return self._loaded_db

    @property
    def _state_db(self) -> TinyDB:
        if self._loaded_state is None:
            self._loaded_state = self._open(self.state_path)
        return self._loaded_state

    def load(self) -> None:
        """Read the store now (it is otherwise read at first use)."""
        self._articles()
        _storage(self._state_db).read()

    def for_reader(self, state_path: Path) -> ArticleStore:
        """The same archive, sharing what this store has read already, with another
        reader's reading state (a reading-room session forked from the server)."""
        other = copy.copy(self)
        other.state_path = Path(state_path)
        other._loaded_state = None
        return other

    # -- reading without parsing everything ------------------------------------
    #
    # The list needs headlines and dates; the reader one article at a time. A store
    # in the line layout (layout.py) gives both from a memory map without parsing the
    # whole file. Anything else — an older file, one another tool wrote — is read
    # whole, as before, and rewritten in the layout at the next write.

    def _fast(self) -> StoreReader | None:
        if self._loaded_db is not None:
            return None  # already parsed whole: that copy is the truth
        if not self._reader_tried:
            self._reader_tried = True
            try:
                self._reader = StoreReader(self.path)
                self._check_meta(self._reader.meta.get("store", {}))
            except (LayoutError, OSError, ValueError):
                self._reader = None
        return self._reader

    def iter_summaries(self) -> Iterator[Summary]:
        """What the list shows of every article, newest first; read as it goes, so the
        first screenful is ready before the rest is read."""
        if self._summaries is not None:
            yield from self._summaries
            return
        reader = self._fast()
        found: list[Summary] = []
        try:
            if reader is not None:
                for summary in reader.summaries():
                    found.append(summary)
                    yield summary
                self._summaries = found
                return
        except (LayoutError, ValueError):
            self._drop_reader()
            found = []
        records = layout.newest_first(list(self._articles().values()))
        self._summaries = [summary_of(record) for record in records]
        yield from self._summaries[len(found):]

    def summaries(self) -> list[Summary]:
        return list(self.iter_summaries())

    def summary_ids(self) -> Iterable[str]:
        """Every article id (from the summaries where the store has them)."""
        return self._ids()

    def _ids(self) -> Iterable[str]:
        if self._loaded_db is not None:
            return self._articles().keys()
        return {s.id for s in self.iter_summaries()}

    def _drop_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
        self._reader = None
        self._summaries = None

    # -- reading --------------------------------------------------------------

    def __len__(self) -> int:
        if self._loaded_db is None and self._fast() is not None:
            return len(self.summaries())
        return len(self._articles())

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and article_id in self._ids()

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def writable(self) -> bool:
        """Whether this process may write the store (a shared archive may be read-only)."""
        if self.read_only:
            return False
        folder = self.path.parent
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return False
        return os.access(folder, os.W_OK)

    @property
    def state_writable(self) -> bool:
        """Whether reading state (read, starred, position, settings) can be saved."""
        if self.state_path.exists():
            return os.access(self.state_path, os.W_OK) and os.access(self.state_path.parent,
                                                                     os.W_OK)
        return os.access(self.state_path.parent, os.W_OK)

    @property
    def meta(self) -> dict[str, Any]:
        reader = self._fast()
        if reader is not None:
            return dict(reader.meta.get("store", {}))
        return dict(_get(self._db.table(META), "store") or {})

    @property
    def generation(self) -> int:
        """Counts the writes to the store: the index records which one it reflects."""
        return int(self.meta.get("generation", 0))

    @property
    def store_id(self) -> str:
        return str(self.meta.get("store_id", ""))

    def get(self, article_id: str) -> Article | None:
        reader = self._fast()
        if reader is not None:
            try:
                found = reader.record(article_id)
            except (LayoutError, ValueError):
                self._drop_reader()
            else:
                return None if found is None else _article(found)
        record = self._articles().get(article_id)
        return None if record is None else _article(record)

    def resolve(self, prefix: str) -> Article:
        """The article whose id is `prefix` or starts with it (like git's short ids)."""
        prefix = prefix.strip().lower()
        found = self.get(prefix)
        if found is not None:
            return found
        matches = [key for key in self._ids() if key.startswith(prefix)] if prefix else []
        if len(matches) == 1:
            article = self.get(matches[0])
            assert article is not None
            return article
        if not matches:
            raise UnknownArticleError(f"no article with id {prefix!r} in {self.path}")
        raise UnknownArticleError(f"id {prefix!r} is ambiguous: {len(matches)} articles match")

    def articles(self) -> Iterator[Article]:
        """Every article, in no particular order (reads the whole store)."""
        for record in self._articles().values():
            yield _article(record)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every article as its stored record (no copies: do not modify)."""
        return iter(self._articles().values())

    def newest_first(self) -> list[Article]:
        """Every article, newest first; undated ones last, then by headline."""
        return arrange(self.articles(), {})

    def state(self, article_id: str) -> ReadingState:
        record = _get(self._state_db.table(STATE), article_id)
        return ReadingState() if record is None else ReadingState.from_record(record)

    def states(self) -> dict[str, ReadingState]:
        return {
            key: ReadingState.from_record(value)
            for key, value in _storage(self._state_db).read().get(STATE, {}).items()
        }

    # -- writing --------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[ArticleStore]:
        """Lock, refresh from disk, let the caller change things, write once."""
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path}: opened read-only")
        if self._in_write:
            yield self
            return
        with WriteLock(self.lock_path, on_wait=self.on_wait):
            self.reload()
            self._in_write = True
            try:
                yield self
                _storage(self._db).flush()
            finally:
                self._in_write = False

    def add_many(self, articles: Iterable[Article]) -> list[Article]:
        """Add the articles not already present (by id). Returns those added."""
        with self.writing():
            stamp = now_iso()
            existing = self._articles()
            added: dict[str, Article] = {}
            for article in articles:
                if article.id in existing or article.id in added:
                    continue
                added[article.id] = article if article.imported_at else article.with_import(
                    article.source, stamp)
            if added:
                self._db.table(ARTICLES).insert_multiple(
                    _doc(a.to_record(), a.id) for a in added.values()
                )
                self._bump_generation()
            return list(added.values())

    def set_state(self, article_id: str, state: ReadingState) -> None:
        """Save one article's reading state at once (its own small file, atomically)."""

        def change(db: TinyDB) -> None:
            table = db.table(STATE)
            if state == ReadingState():
                # Nothing worth keeping: drop the entry (not every article gets one).
                if _get(table, article_id) is not None:
                    table.remove(doc_ids=[article_id])  # type: ignore[list-item]
            else:
                table.upsert(_doc(state.to_record(), article_id))

        self._change_state_file(change)

    def setting(self, name: str, default: Any = None) -> Any:
        """A remembered preference (e.g. the theme)."""
        record = _get(self._state_db.table(SETTINGS), name)
        return default if record is None else record.get("value", default)

    def set_setting(self, name: str, value: Any) -> None:
        def change(db: TinyDB) -> None:
            db.table(SETTINGS).upsert(_doc({"value": value}, name))

        self._change_state_file(change)

    def search_history(self) -> list[str]:
        """Earlier queries, oldest first."""
        record = _get(self._state_db.table(HISTORY), "queries") or {}
        items = record.get("items", [])
        return [q for q in items if isinstance(q, str)]

    def remember_search(self, query: str, keep: int = 100) -> None:
        def change(db: TinyDB) -> None:
            table = db.table(HISTORY)
            record = _get(table, "queries") or {}
            items = [q for q in record.get("items", []) if isinstance(q, str) and q != query]
            items.append(query)
            table.upsert(_doc({"items": items[-keep:]}, "queries"))

        self._change_state_file(change)

    def _change_state_file(self, change: Callable[[TinyDB], None]) -> None:
        # Re-read under the lock first: another reader (a second terminal) may have
        # saved since, and its changes must not be overwritten with our older copy.
        with WriteLock(self.state_path.with_suffix(".lock"), timeout=10):
            self._loaded_state = self._open(self.state_path)
            change(self._loaded_state)
            _storage(self._loaded_state).flush()

    def reload(self) -> None:
        """Drop what is in memory and read the files again."""
        self._drop_reader()
        self._reader_tried = False
        self._loaded_db = self._loaded_state = None
        self._db  # noqa: B018 - read and check now, under the caller's lock

    def _bump_generation(self) -> None:
        meta = self.meta
        meta.setdefault("schema", SCHEMA_VERSION)
        meta.setdefault("store_id", uuid.uuid4().hex)
        meta.setdefault("created", now_iso())
        meta["generation"] = int(meta.get("generation", 0)) + 1
        self._db.table(META).upsert(_doc(meta, "store"))

    # -- internals ------------------------------------------------------------

    def _open(self, path: Path) -> TinyDB:
        db = _KeyedDB(str(path), storage=AtomicJSONStorage, line_layout=path == self.path)
        _storage(db).read()  # read (and check) now, not at the first query
        return db

    def _articles(self) -> dict[str, dict[str, Any]]:
        return _storage(self._db).read().get(ARTICLES, {})

    def _check_schema(self) -> None:
        tables = _storage(self._db).read()
        if tables and ARTICLES not in tables and META not in tables:
            raise CorruptStoreError(
                f"{self.path}: a TinyDB file, but not a newstui store (no 'articles' table); "
                "left untouched"
            )
        self._check_meta(self.meta)

    def _check_meta(self, meta: dict[str, Any]) -> None:
        schema = meta.get("schema", SCHEMA_VERSION)
        if not isinstance(schema, int) or isinstance(schema, bool):
            raise CorruptStoreError(
                f"{self.path}: store schema version {schema!r} is not a number; left untouched")
        if schema > SCHEMA_VERSION:
            raise CorruptStoreError(
                f"{self.path}: store schema version {schema} is newer than this newstui "
                f"understands ({SCHEMA_VERSION}); upgrade newstui. Left untouched"
            )


def _article(record: dict[str, Any]) -> Article:
    try:
        return Article.from_record(record, trust_id=True)
    except RecordError as exc:
        raise CorruptStoreError(f"a stored record is damaged: {exc}") from None


