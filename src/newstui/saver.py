"""Saves reading state in the background, in order, as soon as it changes.

An SSH connection can drop at any moment, so a star or a read mark is written at once
— but not on the event loop (it fsyncs), and never out of order: one thread takes the
changes from a queue.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from newstui.article import ReadingState
from newstui.store import ArticleStore, StoreError

_STOP = object()


class StateSaver:
    def __init__(self, store: ArticleStore, on_error: Callable[[str], None]) -> None:
        self.store = store
        self.on_error = on_error
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="newstui-state", daemon=True)
        self._thread.start()

    def save(self, article_id: str, state: ReadingState) -> None:
        self._queue.put((article_id, state))

    def call(self, action: Callable[[], None]) -> None:
        """Run another store write (a setting, the search history) in the same order."""
        self._queue.put(action)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far is on disk."""
        done = threading.Event()
        self._queue.put(done.set)
        done.wait(timeout)

    def close(self, timeout: float = 10.0) -> None:
        if not self._thread.is_alive():
            return
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                if callable(item):
                    item()
                elif isinstance(item, tuple):
                    article_id, state = item
                    self.store.set_state(article_id, state)
            except StoreError as exc:
                self.on_error(str(exc))
            except Exception as exc:  # a bug: said, and the thread goes on saving
                # Were this thread to end, every later star and read mark would be
                # queued for nobody and lost without a word.
                self.on_error(f"internal error while saving: {type(exc).__name__}: {exc}")
