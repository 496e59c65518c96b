"""The feed subscriptions of a PostgreSQL archive, in its `feeds` table: every front
end's feeds screen and every machine that fetches see one list (a TinyDB archive keeps
its list in a file beside it: newstui.feeds.subscriptions).

One row per feed: its `feed_id`, its place in the list, and the subscription's record
(the same JSON the file holds). A change rewrites the list in one transaction under an
advisory lock, as the file is rewritten under its lock: two fetches that finish at once
do not lose each other's results (each re-reads the list inside the lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from newstui.pg.store import PgStore

#: pg_advisory_xact_lock key for changing the list ("feeds" in ASCII).
FEEDS_LOCK = 0x6665656473


class FeedTable:
    """The subscription records in the database at `url`."""

    def __init__(self, database: str | PgStore) -> None:
        self.store = database if isinstance(database, PgStore) else PgStore(database)
        self.path = self.store.path  # for messages: the URL without its password

    def records(self) -> list[dict[str, Any]]:
        rows = self.store._query("SELECT record FROM feeds ORDER BY position").fetchall()
        return [row[0] for row in rows if isinstance(row[0], dict)]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """A transaction holding the list's lock: read, change and `write` inside it."""
        self.store._check_writable()
        with self.store._lock, self.store.conn.transaction():
            self.store._query("SELECT pg_advisory_xact_lock(%s)", (FEEDS_LOCK,))
            yield

    def write(self, records: list[dict[str, Any]]) -> None:
        from psycopg.types.json import Jsonb

        self.store._check_writable()
        with self.store._lock, self.store.conn.transaction(), self.store.conn.cursor() as cur:
            cur.execute("DELETE FROM feeds")
            cur.executemany("INSERT INTO feeds (feed_id, position, record) VALUES (%s, %s, %s)",
                            [(r.get("feed_id") or r["url"], n, Jsonb(r))
                             for n, r in enumerate(records)])
