"""Keys typed ahead: every key counts, in the order it was typed.

Over SSH, keys often arrive in one packet ("/" and the query; Enter and "n"; ↑ and a
letter). Textual hands each key to the widget focused when the key is read; a key
that changes the screen or the focus takes effect only when it has travelled up to
the app (bindings run there). So the keys read after it are queued on the old widget,
and by the time they come back up, another screen or widget has the focus and nothing
sees them: they would be lost.

So: each key is stamped with where it was read (screen and focused widget). A key
that comes back to the app from a place that no longer has the focus is handed to
the focus now, as if just typed. And a key is not handed on while keys read before
it are still on their way up (a fresh key would overtake them: "cotton" typed while
the search screen opens became "cotont"): it waits behind them, for at most
`HOLD_LIMIT` seconds, in a queue of its own (so that the keys held keep their
order among themselves and before the keys read after them).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from textual import events
from textual.widgets import Input

#: The longest a key waits for the keys read before it (seconds): a key that never
#: comes back (its screen closed) must not hold the keyboard.
HOLD_LIMIT = 1.0


class TypeAhead:
    """The keys on their way, for one app."""

    def __init__(self) -> None:
        self._on_their_way: list[events.Key] = []
        self._held: deque[events.Key] = deque()  # read, waiting for those before them

    @staticmethod
    def _done(key: events.Key) -> bool:
        return bool(getattr(key, "newstui_back", False))

    def hold(self, key: events.Key, ready: bool = True) -> bool:
        """Must `key`, just read, wait (behind keys on their way, or keys held, or for
        a screen that is not `ready` to take keys: still mounting, nothing focused)?"""
        if self._held or self.must_wait() or not ready:
            self._held.append(key)
            return True
        return False

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def next_held(self, ready: bool = True) -> events.Key | None:
        """The oldest key held back, once it need wait no longer."""
        if self._held and ready and not self.must_wait():
            return self._held.popleft()
        return None

    def must_wait(self) -> bool:
        """Are keys read earlier still on their way (and not for too long)?"""
        self._on_their_way = [k for k in self._on_their_way if not self._done(k)]
        if not self._on_their_way:
            return False
        sent: float = getattr(self._on_their_way[0], "newstui_sent", 0.0)
        return time.monotonic() - sent < HOLD_LIMIT

    def read(self, key: events.Key, where: tuple[Any, Any]) -> None:
        """A key is being handed to the focus `where`."""
        key.newstui_read_at = where  # type: ignore[attr-defined]

    def sent(self, key: events.Key) -> None:
        """The key went to a widget: it comes back up, unless the widget takes it (a
        letter typed into a text box) or a handler on the way does (`taken`)."""
        target = getattr(key, "newstui_read_at", (None, None))[1]
        if not key.is_forwarded or (isinstance(target, Input) and key.is_printable):
            return
        key.newstui_sent = time.monotonic()  # type: ignore[attr-defined]
        self._on_their_way.append(key)

    @staticmethod
    def taken(key: events.Key) -> None:
        """A handler on the way used the key and stopped it: it will not come back."""
        key.newstui_back = True  # type: ignore[attr-defined]

    def came_back(self, key: events.Key, where: tuple[Any, Any]) -> bool:
        """The key reached the app. True if it was read where the focus no longer is
        (the caller hands a copy to the focus now)."""
        key.newstui_back = True  # type: ignore[attr-defined]
        read_at = getattr(key, "newstui_read_at", None)
        return read_at is not None and read_at != where


def copy_of(key: events.Key) -> events.Key:
    return events.Key(key.key, key.character)
