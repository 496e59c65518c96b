"""Keys typed ahead: every key counts, in the order it was typed.

Over SSH, keys often arrive in one packet ("/" and the query; Enter and "n"; ↑ and a
letter). Textual hands each key to the widget focused when the key is read; a key
that changes the screen or the focus takes effect only when it has travelled up to
the app (bindings run there). So the keys read after it are queued on the old widget,
and by the time they come back up, another screen or widget has the focus and nothing
sees them: they would be lost.

So: each key is stamped with where it was read (screen and focused widget). A key
that comes back to the app from a place that no longer has the focus is handed to
the focus again, as if just typed. A key is not handed on while a key read before it
is still on its way up (a fresh key would overtake it: "cotton" typed while the
search screen opens became "cotont"), nor while the screen is not ready for keys
(still mounting, or its box not focused yet): it waits, in a queue of its own.

When is a key's way over? Each key handed to a widget is followed, in that widget's
own queue, by a `KeyPassed` mark that bubbles up the same way. A widget handles its
messages one at a time, in order, and a key that bubbles is posted to the parent
before the mark is, so when the mark reaches the app the key has either come back
or been taken on the way. That is an observable event, not a guess of how long the
trip takes: under load a key once took longer than the old one-second limit, and the
keys after it overtook it. `HOLD_LIMIT` remains only as a safety valve for a key
whose mark can never arrive (a bug): the keyboard is never held for good.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import Input

#: Safety valve (seconds): the longest a key is held for a key before it whose mark
#: never came back, or for a screen that never became ready. Not how long keys
#: normally wait: that is until the mark arrives.
HOLD_LIMIT = 10.0


class KeyPassed(Message):
    """Follows a key through the widgets: when it reaches the app, so has the key
    (or the key was taken on the way)."""

    def __init__(self, key: events.Key) -> None:
        super().__init__()
        self.key = key


class TypeAhead:
    """The keys on their way, for one app."""

    def __init__(self) -> None:
        self._on_their_way: list[events.Key] = []
        self._held: deque[events.Key] = deque()  # read, waiting for those before them
        self._returned = 0  # keys at the front of `_held` that came back to be re-sent

    @staticmethod
    def _done(key: events.Key) -> bool:
        if getattr(key, "newstui_back", False):
            return True
        # Sent to a widget since removed (its screen closed): neither the key nor its
        # mark will come back.
        target = getattr(key, "newstui_target", None)
        return target is not None and not target.is_attached

    def _park(self, key: events.Key) -> None:
        if not hasattr(key, "newstui_held"):
            key.newstui_held = time.monotonic()  # type: ignore[attr-defined]
        self._held.append(key)

    def hold(self, key: events.Key, ready: bool = True) -> bool:
        """Must `key`, just read, wait (behind keys on their way, or keys held, or for
        a screen that is not `ready` to take keys: still mounting, nothing focused)?"""
        if self._held or self.must_wait() or not ready:
            self._park(key)
            return True
        return False

    def hold_returned(self, key: events.Key, ready: bool = True) -> bool:
        """A key came back from where the focus no longer is: must its copy wait (the
        new screen not ready yet, or keys that came back before it still waiting)?
        It goes before every key held, all of which were read after it."""
        if self._returned or not ready:
            key.newstui_held = time.monotonic()  # type: ignore[attr-defined]
            self._held.insert(self._returned, key)
            self._returned += 1
            return True
        return False

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def next_held(self, ready: bool = True) -> events.Key | None:
        """The oldest key held back, once it need wait no longer."""
        if not self._held:
            return None
        if not ready and not self._waited_too_long(self._held[0]):
            return None
        if self._returned == 0 and self.must_wait():
            return None
        if self._returned:
            self._returned -= 1
        return self._held.popleft()

    @staticmethod
    def _waited_too_long(key: events.Key) -> bool:
        held: float = getattr(key, "newstui_held", time.monotonic())
        return time.monotonic() - held >= HOLD_LIMIT

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

    def sent(self, key: events.Key, target: Any = None) -> KeyPassed | None:
        """The key went to a widget: it comes back up, unless the widget takes it (a
        letter typed into a text box) or a handler on the way does. Returns the mark
        to post to `target` (the widget it went to) right behind it (None: nothing to
        wait for)."""
        target = getattr(key, "newstui_read_at", (None, None))[1]
        if not key.is_forwarded or (isinstance(target, Input) and key.is_printable):
            return None
        key.newstui_sent = time.monotonic()  # type: ignore[attr-defined]
        key.newstui_target = target  # type: ignore[attr-defined]
        self._on_their_way.append(key)
        return KeyPassed(key)

    @staticmethod
    def taken(key: events.Key) -> None:
        """A handler on the way used the key and stopped it: it will not come back."""
        key.newstui_back = True  # type: ignore[attr-defined]

    def came_back(self, key: events.Key, where: tuple[Any, Any]) -> bool:
        """The key reached the app. True if it was read where the focus no longer is
        (the caller hands a copy to the focus now, or holds it: `hold_returned`)."""
        key.newstui_back = True  # type: ignore[attr-defined]
        read_at = getattr(key, "newstui_read_at", None)
        return read_at is not None and read_at != where


def copy_of(key: events.Key) -> events.Key:
    return events.Key(key.key, key.character)
