"""The reader's model: what the reader presents and changes, without a screen.

A plain object (no Textual): the archive's articles (as list summaries, held as
columns: `summary_table.SummaryTable`), the reading state of each, the search history,
and saving — every write goes through one
background saver, in order, off the caller's thread. The TUI hands it to its screens
and publishes its changes with Textual `Signal`s; tests drive it directly.

Threads: `read` runs on a worker thread (it only reads the store and returns what it
read); everything else is called on the UI's thread. Changes are announced through a
`ModelListener`, called on the UI's thread — except `save_failed`, which the saver
calls on its own thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from newstui.archive import Archive
from newstui.article import Article, ReadingState, Summary
from newstui.files import FileIdentity, file_identity
from newstui.saver import StateSaver
from newstui.store import StoreError
from newstui.summary_table import CHUNK, SummaryTable

if TYPE_CHECKING:
    from newstui.search import Results

#: Called with the first rows of a large archive and the reading state.
FirstRows = Callable[[SummaryTable, dict[str, ReadingState]], object]


class ModelListener(Protocol):
    """Who is told about the model's changes (the TUI publishes them as Signals)."""

    def articles_changed(self, added: int) -> None:
        """The list of articles was (re)read; `added` articles are new since last time."""

    def state_changed(self, article_id: str) -> None:
        """An article's read/starred mark changed."""

    def save_failed(self, reason: str) -> None:
        """A write failed (called on the saver's thread)."""


class _Silent:
    def articles_changed(self, added: int) -> None:
        pass

    def state_changed(self, article_id: str) -> None:
        pass

    def save_failed(self, reason: str) -> None:
        pass


@dataclass(frozen=True)
class Snapshot:
    """What one read of the store gave: the list, the reading state, the file read."""

    summaries: SummaryTable
    states: dict[str, ReadingState]
    identity: FileIdentity | None


#: The list read once by `preload_list` (the reading room's forker), with the identity of
#: the file it was read from: every reader later started in this process — forked, so
#: sharing the pages — takes it as it is while that file is unchanged.
_preloaded: tuple[Path, FileIdentity, SummaryTable] | None = None


def preload_list(archive: Archive) -> SummaryTable:
    """Read the archive's list once for every reader this process will start (or fork):
    a handful of flat buffers, so a forked reader shares them untouched, where a list of
    objects would be copied page by page as each reader's reference counts wrote to it."""
    global _preloaded
    identity = file_identity(archive.path)  # before reading: a change during it is seen
    stream = getattr(archive.store, "stream_summaries", archive.store.iter_summaries)
    table = SummaryTable.of(stream())
    if identity is not None:
        _preloaded = (archive.path, identity, table)
    return table


class ReadStopped(Exception):
    """A read of the list given up half-way (the reader is leaving)."""


class ReaderModel:
    """One reader's view of one archive."""

    def __init__(self, archive: Archive, listener: ModelListener | None = None) -> None:
        self.archive = archive
        self.listener: ModelListener = listener or _Silent()
        #: Every article's list entry, newest first: compact columns, a `Summary` made
        #: for a row only when it is asked for.
        self.summaries = SummaryTable()
        self.states: dict[str, ReadingState] = {}
        self.loaded = False
        #: The first rows are shown (`show_first`), the rest not read yet.
        self.first_shown = False
        self.read_only = not archive.store.state_writable
        self._identity: FileIdentity | None = None  # the file the list was read from
        self._tried: FileIdentity | None = None  # the file last read, well or not
        self._history: list[str] | None = None
        # Where the reader is in the article open now: kept here as it scrolls, saved
        # when it closes the article or the reader (a quit, a hang-up).
        self._reading: tuple[str, int] | None = None
        self._saver = StateSaver(archive.store, self._save_failed)

    @property
    def path(self) -> Path:
        return self.archive.path

    # -- reading the archive (`read` on a worker thread, `apply` on the UI's) -----------

    def file_identity(self) -> FileIdentity | None:
        return file_identity(self.archive.path)

    def changed_on_disk(self) -> bool:
        """Did another process replace the store since it was last read? (A store that
        could not be read is not read again until it changes again.)"""
        return self.loaded and self.file_identity() not in (self._identity, self._tried)

    def read(self, reload: bool = False, first_rows: FirstRows | None = None,
             first: int = 100, stop: Callable[[], bool] | None = None) -> Snapshot:
        """Read the list off the UI's thread (nothing here is changed). With
        `first_rows`, the first `first` summaries are handed to it as soon as they are
        read (the store keeps the newest first), the rest follow in the Snapshot.
        `stop`: asked between pieces; when it says so, the read ends with ReadStopped (a
        reader that quits while half a million articles are read leaves at once).
        Raises StoreError (a damaged store or state file)."""
        identity = self.file_identity()  # before reading: a change during it is seen
        self._tried = identity
        store = self.archive.store
        preloaded = _preloaded
        if (not reload and preloaded is not None and preloaded[0] == self.archive.path
                and preloaded[1] == identity):
            return Snapshot(preloaded[2], store.states(), identity)  # read once for all
        # Stale without being asked to reload: a reading-room session forked from a
        # server holds the list the server read when it started (found by the red team:
        # sessions never saw new articles, and kept showing deleted ones).
        if reload or getattr(store, "is_stale", lambda: False)():
            store.reload()
        states = store.states()
        summaries = SummaryTable()
        # Summaries one at a time, none kept by the store: the table is the only copy.
        stream = getattr(store, "stream_summaries", store.iter_summaries)
        rows = iter(stream())
        if first_rows is not None:
            summaries.extend(islice(rows, first))
            if len(summaries) == first:
                first_rows(SummaryTable.of(summaries), states)  # a copy: this one grows
        while chunk := list(islice(rows, CHUNK)):
            summaries.extend(chunk)
            if stop is not None and stop():
                raise ReadStopped
        return Snapshot(summaries, states, identity)

    def show_first(self, summaries: Iterable[Summary], states: dict[str, ReadingState]) -> bool:
        """The first rows of a large archive, before the rest is read. False once the
        whole archive is in."""
        if self.loaded:
            return False
        if not isinstance(summaries, SummaryTable):
            summaries = SummaryTable.of(summaries)
        self.summaries, self.states = summaries, states
        self.first_shown = True
        self.listener.articles_changed(0)
        return True

    def read_first(self, first: int = 100) -> None:
        """Read the first rows now, on this thread, and show them: done before the
        screen starts, its first frame holds them (at 530,000 articles the first rows
        cost a few tens of milliseconds: each segment opened, its first row read).
        Raises StoreError."""
        store = self.archive.store
        states = store.states()
        stream = getattr(store, "stream_summaries", store.iter_summaries)
        rows = stream()
        try:
            table = SummaryTable.of(islice(rows, first))
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()
        self.show_first(table, states)

    def apply(self, snapshot: Snapshot) -> int:
        """Take what `read` gave; returns how many articles are new since last time."""
        added = len(snapshot.summaries) - len(self.summaries) if self.loaded else 0
        self._identity = snapshot.identity
        self.summaries = snapshot.summaries
        # Reading state changed here since the last save is kept: ours is newer.
        merged = {**snapshot.states, **self.states}
        if merged != self.states:  # the same object when nothing changed: no redraw
            self.states = merged
        self.loaded = True
        self.listener.articles_changed(max(0, added))
        return added

    def article(self, entry: Article | Summary) -> Article:
        """The whole article for a list entry: read from the store (one line of it).
        Raises StoreError when the store cannot be read."""
        if isinstance(entry, Article):
            return entry
        article = self.archive.store.get(entry.id)
        if article is None:
            return Article(headline=entry.headline, body=("(This article is no longer in "
                                                          "the archive.)",), id=entry.id)
        return article

    def search(self, text: str, limit: int) -> Results:
        """Run a query (thread-safe: the search screen calls it from a worker).
        Raises QueryError for a malformed query, StoreError for an unreadable store."""
        return self.archive.search(text, limit)

    # -- reading state ----------------------------------------------------------------

    def unread_count(self) -> int:
        """How many of the listed articles are unread."""
        read = self.summaries.rows_of(ident for ident, state in self.states.items()
                                      if state.read)
        return len(self.summaries) - len(read)

    def state_of(self, article: Article | Summary | str) -> ReadingState:
        key = article if isinstance(article, str) else article.id
        return self.states.get(key, ReadingState())

    def update_state(self, article: Article | Summary, **changes: object) -> ReadingState:
        """Change an article's reading state: in memory at once, on disk in order."""
        old = self.state_of(article)
        new = replace(old, **changes)  # type: ignore[arg-type]
        if new == old:
            return new
        # In place: the list widget holds this dict and draws from it.
        self.states[article.id] = new
        if not self.read_only:
            self._saver.save(article.id, new)
        if (new.read, new.starred) != (old.read, old.starred):
            self.listener.state_changed(article.id)
        return new

    def toggle_star(self, article: Article | Summary) -> bool:
        """Star or unstar; returns whether it is starred now."""
        starred = not self.state_of(article).starred
        self.update_state(article, starred=starred)
        return starred

    def toggle_read(self, article: Article | Summary) -> bool:
        read = not self.state_of(article).read
        self.update_state(article, read=read)
        return read

    def open_article(self, article: Article | Summary) -> int:
        """The reader opened an article: it is read; returns where to scroll to."""
        position = self.state_of(article).position
        self.update_state(article, read=True)
        self._reading = (article.id, position)
        return position

    def reading_at(self, article_id: str, position: int) -> None:
        """The reader scrolled the open article (kept in memory until it leaves)."""
        self._reading = (article_id, position)

    def close_article(self, article: Article | Summary, position: int) -> None:
        """The reader left an article: remember where."""
        self._reading = None
        self.update_state(article, position=position)

    def save_position(self) -> None:
        """Save where the reader is in the open article (on quit, hang-up, terminate)."""
        if self._reading is None:
            return
        article_id, position = self._reading
        old = self.state_of(article_id)
        if old.position != position:
            new = replace(old, position=position)
            self.states[article_id] = new
            if not self.read_only:
                self._saver.save(article_id, new)

    # -- search history and settings -----------------------------------------------

    @property
    def history(self) -> list[str]:
        """Earlier queries, oldest first (read once from the state file)."""
        if self._history is None:
            try:
                self._history = self.archive.store.search_history()
            except StoreError:
                self._history = []
        return self._history

    def remember_search(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        history = self.history
        if text in history:
            history.remove(text)
        history.append(text)
        if not self.read_only:
            store = self.archive.store
            self._saver.call(lambda: store.remember_search(text))

    def setting(self, name: str, default: object = None) -> object:
        try:
            return self.archive.store.setting(name, default)
        except StoreError:
            return default

    def save_setting(self, name: str, value: object) -> None:
        if not self.read_only:
            store = self.archive.store
            self._saver.call(lambda: store.set_setting(name, value))

    # -- saving ---------------------------------------------------------------------

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every change so far is on disk."""
        self._saver.flush(timeout)

    def close(self) -> None:
        """Save the reading position and wait for every write (the process may end)."""
        self.save_position()
        self._saver.close()

    def _save_failed(self, reason: str) -> None:
        self.listener.save_failed(reason)

