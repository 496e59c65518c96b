"""The article store: articles in TinyDB JSON, written atomically, one writer at a time.

Beside the store file `NAME.json`:

- `NAME.state.json`  reading state (reading_state.py); its own file because starring an
                     article must not rewrite the archive
- `NAME.json.bak`    the previous good store, kept by every write
- `NAME.lock`        the writers' lock
- `NAME.index/`      the search index (search.py), derived from the store

The pieces live in their own modules: the on-disk format (store_format.py), one file
of articles (segment.py), the reading state (reading_state.py), the lock and atomic
replacement (files.py). This class puts them together.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstui.article import CONTENT_FIELDS, LINK_FIELDS, Article, ReadingState, Summary
from newstui.files import FileWriteError, LockTimeoutError, OnWait, ReadOnlyError, WriteLock
from newstui.listing import arrange
from newstui.reading_state import StateFile
from newstui.segment import ArticleFile, write_file
from newstui.store_format import (
    SCHEMA_VERSION,
    CorruptStoreError,
    ReadOnlyStoreError,
    StoreError,
    StoreLockedError,
    UnknownArticleError,
    bump_generation,
    check_meta,
    now_iso,
)

__all__ = [
    "ArticleStore", "CorruptStoreError", "OnWait", "ReadOnlyStoreError", "StoreError",
    "StoreLockedError", "UnknownArticleError", "UpsertResult",
]

#: The fields whose change makes a stored article a newer version of itself.
VERSION_FIELDS = (*CONTENT_FIELDS, *LINK_FIELDS)


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


class ArticleStore:
    """The articles and reading state of one archive.

    Reads come from the file as it was when first read; writes happen inside
    `writing()`, which takes the lock, reads the file again (another process may have
    written since), and writes once at the end — one write per import.
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
        self.on_wait = on_wait
        self.state_file = StateFile(self.state_path)
        # Opened lazily: the reader starts drawing before a large store is read, and
        # `newstui --help` never reads it at all.
        self._file: ArticleFile | None = None
        self._summaries: list[Summary] | None = None
        self._pending: dict[str, dict[str, Any]] | None = None  # records while writing
        self._pending_meta: dict[str, Any] | None = None
        self._in_write = False
        self._forget_after_write: list[str] = []

    # -- opening ----------------------------------------------------------------

    @property
    def _articles_file(self) -> ArticleFile:
        if self._file is None:
            opened = ArticleFile(self.path)
            check_meta(self.path, opened.meta)
            self._file = opened
        return self._file

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
        if self._file is not None:
            self._file.close()
        self._file = None
        self._summaries = None
        self.state_file.forget()

    # -- reading ----------------------------------------------------------------

    def iter_summaries(self) -> Iterator[Summary]:
        """What the list shows of every article, newest first; read as it goes, so the
        first screenful is ready before the rest is read."""
        if self._summaries is not None:
            yield from self._summaries
            return
        found: list[Summary] = []
        for summary in self._articles_file.summaries():
            found.append(summary)
            yield summary
        self._summaries = found

    def summaries(self) -> list[Summary]:
        return list(self.iter_summaries())

    def summary_ids(self) -> Iterable[str]:
        """Every article id."""
        return {s.id for s in self.iter_summaries()}

    def __len__(self) -> int:
        if self._pending is not None:
            return len(self._pending)
        return len(self.summaries())

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._articles_file.record(article_id) is not None

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
        if self._pending_meta is not None:
            return dict(self._pending_meta)
        return self._articles_file.meta

    @property
    def generation(self) -> int:
        """Counts the writes to the store: the index records which one it reflects."""
        return int(self.meta.get("generation", 0))

    @property
    def store_id(self) -> str:
        return str(self.meta.get("store_id", ""))

    def get(self, article_id: str, hint: str | None = None) -> Article | None:
        """One article by its full id (`hint`: where the index last saw it; unused by a
        single file)."""
        if self._pending is not None:
            record = self._pending.get(article_id)
            return None if record is None else self._articles_file.article(record)
        return self._articles_file.get(article_id)

    def resolve(self, prefix: str) -> Article:
        """The article whose id is `prefix` or starts with it (like git's short ids)."""
        prefix = prefix.strip().lower()
        found = self.get(prefix) if prefix else None
        if found is not None:
            return found
        matches = [key for key in self._articles_file.ids() if key.startswith(prefix)] \
            if prefix else []
        if len(matches) == 1:
            article = self.get(matches[0])
            assert article is not None
            return article
        if not matches:
            raise UnknownArticleError(f"no article with id {prefix!r} in {self.path}")
        raise UnknownArticleError(f"id {prefix!r} is ambiguous: {len(matches)} articles match")

    def records(self) -> Iterator[dict[str, Any]]:
        """Every article as its stored record, one at a time."""
        if self._pending is not None:
            return iter(list(self._pending.values()))
        return self._articles_file.records()

    def articles(self) -> Iterator[Article]:
        """Every article, in no particular order, one at a time."""
        file = self._articles_file
        for record in self.records():
            yield file.article(record)

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
        try:
            with WriteLock(self.lock_path, on_wait=self.on_wait):
                yield
        except LockTimeoutError as exc:
            raise StoreLockedError(str(exc)) from None
        except ReadOnlyError as exc:
            raise ReadOnlyStoreError(f"{self.path}: store folder is read-only ({exc})") from None
        except FileWriteError as exc:
            if isinstance(exc, OSError) and "no such folder" in str(exc):
                raise StoreError(f"{self.path.parent}: no such folder for the store") from None
            raise StoreError(str(exc)) from None

    @contextlib.contextmanager
    def writing(self) -> Iterator[ArticleStore]:
        """Lock, read the file again, let the caller change things, write once."""
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path}: opened read-only")
        if self._in_write:
            yield self
            return
        with self.lock():
            self.reload()
            file = self._articles_file
            self._pending = {r["id"]: r for r in file.records()}
            self._pending_meta = file.meta
            self._in_write = True
            changed_before = self._pending_meta.get("generation")
            try:
                yield self
                if self._pending_meta.get("generation") != changed_before:
                    write_file(self.path, self._pending, self._pending_meta)
                if self._forget_after_write:
                    # Only once the articles are gone for good: a write that failed
                    # keeps their reading state.
                    self.state_file.drop(self._forget_after_write)
            finally:
                self._forget_after_write = []
                self._in_write = False
                self._pending = self._pending_meta = None
                self.reload()

    def add_many(self, articles: Iterable[Article]) -> list[Article]:
        """Add the articles not already present (by id). Returns those added."""
        with self.writing():
            stamp = _now()
            pending = self._records_in_write()
            added: dict[str, Article] = {}
            for article in articles:
                if article.id in pending or article.id in added:
                    continue
                added[article.id] = _stamped(article, stamp)
            for article in added.values():
                pending[article.id] = article.to_record()
            if added:
                self._bump()
            return list(added.values())

    def upsert(self, articles: Iterable[Article]) -> UpsertResult:
        """Add new articles and replace stored ones with a newer version of themselves
        (same id, other text); reading state stays with the id."""
        with self.writing():
            stamp = _now()
            pending = self._records_in_write()
            result = UpsertResult()
            seen: set[str] = set()
            for article in articles:
                if article.id in seen:
                    continue
                seen.add(article.id)
                record = pending.get(article.id)
                if record is None:
                    result.added.append(_stamped(article, stamp))
                elif same_version(record, article):
                    result.unchanged.append(article)
                else:
                    result.updated.append(_stamped(article, stamp))
            for article in (*result.added, *result.updated):
                pending[article.id] = article.to_record()
            if result.changed:
                self._bump()
            return result

    def delete(self, article_ids: Iterable[str]) -> list[str]:
        """Remove articles (and their reading state). Returns the ids removed."""
        wanted = list(dict.fromkeys(article_ids))
        with self.writing():
            pending = self._records_in_write()
            removed = [key for key in wanted if pending.pop(key, None) is not None]
            if removed:
                self._bump()
                self._forget_after_write.extend(removed)
        return removed

    def _records_in_write(self) -> dict[str, dict[str, Any]]:
        assert self._pending is not None, "only inside writing()"
        return self._pending

    def _bump(self) -> None:
        assert self._pending_meta is not None
        self._pending_meta = bump_generation(self._pending_meta, SCHEMA_VERSION)


def _now() -> str:
    return now_iso()


def _stamped(article: Article, stamp: str) -> Article:
    return article if article.imported_at else article.with_import(article.source, stamp)

