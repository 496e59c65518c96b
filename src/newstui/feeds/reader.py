"""What the reader shows of the subscriptions, and its background fetch — plain objects
(no Textual), handed to the feeds screen and the app, which run them on workers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from newstui.archive import Archive
from newstui.article import ReadingState
from newstui.feeds.subscriptions import Subscription, SubscriptionError, SubscriptionList
from newstui.inert import inert

#: The reader's setting (in the state file): minutes between automatic fetches; 0 = off.
AUTO_FETCH_SETTING = "fetch_every_minutes"


@dataclass(frozen=True)
class FeedRow:
    """One line of the feeds screen. Its text is inert (no escape, control or bidi
    character: names, titles and statuses come from servers and OPML files); the screen
    still shows it as plain text, never as markup."""

    feed_id: str
    name: str
    url: str
    total: int
    unread: int
    status: str
    folders: tuple[str, ...] = ()


@dataclass
class FeedsView:
    """The subscriptions with their counts, and which articles belong to which feed."""

    rows: list[FeedRow] = field(default_factory=list)
    members: dict[str, frozenset[str]] = field(default_factory=dict)  # feed id -> ids

    def label(self, feed_id: str) -> str:
        return next((r.name for r in self.rows if r.feed_id == feed_id), feed_id)


def status_of(sub: Subscription) -> str:
    if sub.gone:
        return "gone (410)"
    if sub.last_error:
        return f"failed: {sub.last_error}"
    if not sub.last_fetched:
        return "never fetched"
    return f"{sub.last_status or 'fetched'} · {sub.last_fetched[:16].replace('T', ' ')}"


def read_feeds(archive: Archive, states: dict[str, ReadingState]) -> FeedsView:
    """Read the subscriptions and count each feed's articles (call it off the UI's
    thread: every article's feed is read from the store). Raises SubscriptionError."""
    subscriptions = SubscriptionList.for_archive(archive)
    members: dict[str, set[str]] = {}
    for record in archive.store.records():
        feed = record.get("feed")
        if feed:
            members.setdefault(feed, set()).add(record["id"])
    rows = []
    for sub in subscriptions:
        ids = members.get(sub.feed_id, set())
        unread = sum(1 for i in ids if not states.get(i, ReadingState()).read)
        rows.append(FeedRow(sub.feed_id, inert(sub.label), inert(sub.url), len(ids), unread,
                            inert(status_of(sub)), tuple(inert(f) for f in sub.folders)))
    return FeedsView(rows, {k: frozenset(v) for k, v in members.items()})


class BackgroundFetch:
    """One fetch run at a time for the reader. `run` blocks (call it on a worker);
    `progress(done, total, label)` is called from the fetch's threads."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def run(self, progress: Callable[[int, int, str], None]) -> str:
        """Fetch every subscription; returns the one-line summary (or why not)."""
        from newstui.feeds.fetching import FetchConfig
        from newstui.feeds.update import FAILED, fetch_feeds

        if not self._lock.acquire(blocking=False):
            return "a fetch is already running"
        try:
            subscriptions = SubscriptionList.for_archive(self.archive)
            if not len(subscriptions):
                return "no subscriptions: `newstui feeds add URL` first"
            timeout = float(os.environ.get("NEWSTUI_FETCH_TIMEOUT", "30") or 30)
            report = fetch_feeds(self.archive, subscriptions, jobs=4,
                                 config=FetchConfig(timeout=timeout,
                                                    connect_timeout=min(10.0, timeout)),
                                 progress=progress)
            failed = [inert(f"{r.sub.label}: {r.reason}") for r in report.results
                      if r.outcome == FAILED]
            return report.summary() + ("\n" + "\n".join(failed[:5]) if failed else "")
        except SubscriptionError as exc:
            return inert(str(exc))
        except Exception as exc:  # said in the reader, which goes on
            # (StoreError: the archive cannot be written; anything else is a bug, but a
            # background fetch must not take the reader down with it.)
            from newstui.feeds.update import unexpected
            from newstui.store import StoreError

            why = str(exc) if isinstance(exc, StoreError) else unexpected(exc)
            return "the fetch failed\n" + inert(why)
        finally:
            self._lock.release()
