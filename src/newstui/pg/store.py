"""The PostgreSQL store and archive: the same methods the CLI and the reader use on the
TinyDB store (`ArticleStore`, `Archive`), over one database many processes share.

- Articles are keyed by their id (a feed item's identity, else its content hash): two
  imports of one article at once meet on the primary key and never duplicate it.
- Every write is one transaction per batch of articles: a killed import leaves whole
  batches or nothing, never half an article.
- Reading state, settings and search history belong to a reader (a name: `--state`,
  else the login name), so every front end shows one reader the same marks.
- Each write NOTIFYs `newstui_articles`; an open reader LISTENs and reloads at once.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.article import Article, ReadingState, Summary
from newstui.pg import display_url
from newstui.pg.schema import (
    BODY_TSV,
    CHANNEL,
    META_TSV,
    SCHEMA_VERSION,
    NewerDatabaseError,
    current_version,
    migrate,
)
from newstui.store import (
    VERSION_FIELDS,
    ReadOnlyStoreError,
    StoreError,
    UnknownArticleError,
    UpsertResult,
)

if TYPE_CHECKING:
    from newstui.archive import ImportReport
    from newstui.importer import KnownFile, Progress
    from newstui.search import Results

#: Articles written per transaction by an import.
BATCH = 1000
#: The summaries sent before the rest, so the reader draws its first screen at once.
FIRST_ROWS = 200

_COLUMNS = ("id", "headline", "dateline", "updated", "published", "caption", "credit",
            "body", "url", "feed", "guid", "author", "source", "imported_at")
_DERIVED = ("sort_date", "sort_headline", "ts", "content_hash")
_SELECT = ", ".join(_COLUMNS)


class DatabaseError(StoreError):
    """The database cannot be reached or refused a request; the message says why."""


def default_reader() -> str:
    """Whose reading state: $NEWSTUI_READER, else the login name (a front end passes
    the reader's own, `--state NAME`)."""
    if os.environ.get("NEWSTUI_READER"):
        return os.environ["NEWSTUI_READER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "reader"


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _article(row: tuple[Any, ...]) -> Article:
    fields = dict(zip(_COLUMNS, row, strict=True))
    fields["body"] = tuple(fields["body"] or ())
    return Article(**fields)


def version_hash(article: Article) -> str:
    """Tells one version of an article from another: its text and links (what the file
    store compares), not where or when it was imported."""
    import hashlib

    import orjson

    record = article.to_record()
    return hashlib.sha256(orjson.dumps([record.get(name) for name in VERSION_FIELDS])
                          ).hexdigest()[:32]


def _row(article: Article) -> tuple[Any, ...]:
    from newstui.search import timestamp

    return (*(list(v) if isinstance(v := getattr(article, name), tuple) else v
              for name in _COLUMNS),
            article.date, article.headline.casefold(), timestamp(article.date),
            version_hash(article))


class PgStore:
    """Articles and one reader's state in a PostgreSQL database."""

    def __init__(self, url: str, reader: str | None = None, read_only: bool = False) -> None:
        self.url = url
        self.path = display_url(url)
        self.index_path = self.path  # the search index lives in the database
        self.reader = reader or default_reader()
        #: Nothing may change the articles (a reading-room session); reading state may.
        self.read_only = read_only
        self._conn: Any = None
        self._version: int | None = None
        self._standby = False
        self._lock = threading.RLock()
        self._writers: list[Any] = []  # more connections for writing batches at once

    # -- connection -------------------------------------------------------------

    @property
    def conn(self) -> Any:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            return self._conn

    def connect_quietly(self) -> None:
        """Connect now (in a thread, ahead of need); a failure is reported when the
        connection is first used."""
        with contextlib.suppress(Exception):
            self.conn  # noqa: B018

    def _connect(self) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                   application_name="newstui")
        except psycopg.Error as exc:
            raise DatabaseError(f"{self.path}: cannot connect: "
                                f"{str(exc).strip().splitlines()[-1]}") from None
        try:
            # A read replica (hot standby) is read, never written: no migration, no
            # reading state (the reader says it is read-only).
            row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
            self._standby = bool(row and row[0])
            self._version = (current_version(conn) or 0) if self._standby else migrate(conn)
        except psycopg.Error as exc:
            conn.close()
            raise DatabaseError(f"{self.path}: cannot create the schema: {exc}") from None
        return conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            for conn in self._writers:
                conn.close()
            self._writers = []

    def _query(self, sql: str, params: Iterable[Any] | None = None) -> Any:
        import psycopg

        try:
            return self.conn.execute(sql, params)
        except psycopg.OperationalError as exc:
            raise DatabaseError(f"{self.path}: {str(exc).strip()}") from None

    @property
    def schema_version(self) -> int:
        self.conn  # noqa: B018 - connects and reads the version
        return int(self._version or 0)

    def for_reader(self, state_path: str | os.PathLike[str]) -> PgStore:
        """The same database for another reader (a reading-room session): the reader is
        named by its state file's name (`user-alice.state.json` -> `user-alice`).
        Unconnected: a forked session opens its own connection."""
        name = Path(state_path).name.removesuffix(".json").removesuffix(".state")
        return PgStore(self.url, reader=name, read_only=self.read_only)

    @property
    def writable(self) -> bool:
        return not self.read_only and self.state_writable

    @property
    def state_writable(self) -> bool:
        """Reading state is saved where the database may be written at all: not on a
        read replica, not in a database from a newer release."""
        return self.schema_version <= SCHEMA_VERSION and not self._standby

    def _check_articles_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"{self.path}: opened read-only")
        self._check_writable()

    def _check_writable(self) -> None:
        self.conn  # noqa: B018 - connected: is it a replica?
        if self._standby:
            raise ReadOnlyStoreError(f"{self.path}: a read replica (hot standby): "
                                     "write to the primary")
        if self.schema_version > SCHEMA_VERSION:
            raise ReadOnlyStoreError(
                f"{self.path}: written by a newer newstui (schema {self.schema_version}, this "
                f"release knows {SCHEMA_VERSION}): left untouched; upgrade newstui to write it")

    @property
    def exists(self) -> bool:
        return True

    @property
    def store_id(self) -> str:
        return str(self._query("SELECT store_id FROM newstui_schema").fetchone()[0])

    @property
    def generation(self) -> int:
        """Counts the writes: each one takes the next value of a sequence."""
        row = self._query("SELECT last_value, is_called FROM newstui_generation").fetchone()
        return int(row[0]) if row[1] else 0

    def load(self) -> None:
        self.conn  # noqa: B018

    def reload(self) -> None:
        """Nothing is cached: every read asks the database."""

    # -- reading ----------------------------------------------------------------

    _ORDER = "ORDER BY (sort_date IS NULL), sort_date DESC, sort_headline, id"

    def iter_summaries(self) -> Iterator[Summary]:
        """Newest first; the first screenful in its own small query, then the rest."""
        sql = f"SELECT id, headline, dateline, sort_date FROM articles {self._ORDER}"
        first = self._query(f"{sql} LIMIT {FIRST_ROWS}").fetchall()
        for row in first:
            yield Summary(*row)
        if len(first) == FIRST_ROWS:
            for row in self._query(f"{sql} OFFSET {FIRST_ROWS}").fetchall():
                yield Summary(*row)

    def summaries(self) -> list[Summary]:
        return list(self.iter_summaries())

    def summary_ids(self) -> list[str]:
        return [row[0] for row in self._query("SELECT id FROM articles").fetchall()]

    def __len__(self) -> int:
        return int(self._query("SELECT count(*) FROM articles").fetchone()[0])

    def __contains__(self, article_id: object) -> bool:
        return self._query("SELECT 1 FROM articles WHERE id = %s",
                           (str(article_id),)).fetchone() is not None

    def get(self, article_id: str, hint: str | None = None) -> Article | None:
        row = self._query(f"SELECT {_SELECT} FROM articles WHERE id = %s",
                          (article_id,)).fetchone()
        return None if row is None else _article(row)

    def get_many(self, ids: list[str]) -> dict[str, Article]:
        rows = self._query(f"SELECT {_SELECT} FROM articles WHERE id = ANY(%s)",
                           (ids,)).fetchall()
        return {row[0]: _article(row) for row in rows}

    def resolve(self, prefix: str) -> Article:
        prefix = prefix.strip().lower()
        found = self.get(prefix) if prefix else None
        if found is not None:
            return found
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._query("SELECT id FROM articles WHERE id LIKE %s LIMIT 100",
                           (pattern,)).fetchall() if prefix else []
        if len(rows) == 1:
            article = self.get(rows[0][0])
            assert article is not None
            return article
        if not rows:
            raise UnknownArticleError(f"no article with id {prefix!r} in {self.path}")
        raise UnknownArticleError(f"id {prefix!r} is ambiguous: {len(rows)} articles match")

    def _stream(self, sql: str) -> Iterator[Article]:
        """Articles a chunk at a time (a server-side cursor on its own connection), so a
        large archive never sits whole in memory."""
        import psycopg

        with psycopg.connect(self.url) as conn, conn.cursor(name="newstui_stream") as cur:
            cur.itersize = 2000
            cur.execute(sql)
            for row in cur:
                yield _article(row)

    def articles(self) -> Iterator[Article]:
        """Every article, in no particular order, streamed."""
        self.conn  # noqa: B018 - the schema exists
        return self._stream(f"SELECT {_SELECT} FROM articles")

    def records(self) -> Iterator[dict[str, Any]]:
        return (a.to_record() for a in self.articles())

    def iter_newest_first(self) -> Iterator[Article]:
        self.conn  # noqa: B018
        return self._stream(f"SELECT {_SELECT} FROM articles {self._ORDER}")

    def newest_first(self) -> list[Article]:
        return list(self.iter_newest_first())

    def dates(self) -> tuple[int, str | None, str | None]:
        """(dated articles, earliest date, latest date), for `stats`."""
        row = self._query("SELECT count(sort_date), min(left(sort_date, 10)), "
                          "max(left(sort_date, 10)) FROM articles").fetchone()
        return int(row[0]), row[1], row[2]

    # -- reading state (this reader's) ------------------------------------------

    def state(self, article_id: str) -> ReadingState:
        row = self._query("SELECT read, starred, position FROM reading_state "
                          "WHERE reader = %s AND article_id = %s",
                          (self.reader, article_id)).fetchone()
        return ReadingState() if row is None else ReadingState(*row)

    def states(self) -> dict[str, ReadingState]:
        rows = self._query("SELECT article_id, read, starred, position FROM reading_state "
                           "WHERE reader = %s", (self.reader,)).fetchall()
        return {row[0]: ReadingState(*row[1:]) for row in rows}

    def set_state(self, article_id: str, state: ReadingState) -> None:
        self._check_writable()
        if state == ReadingState():
            self._query("DELETE FROM reading_state WHERE reader = %s AND article_id = %s",
                        (self.reader, article_id))
            return
        # An article deleted meanwhile has no state to keep: insert only what exists.
        self._query(
            "INSERT INTO reading_state (reader, article_id, read, starred, position) "
            "SELECT %s, id, %s, %s, %s FROM articles WHERE id = %s "
            "ON CONFLICT (reader, article_id) DO UPDATE SET read = EXCLUDED.read, "
            "starred = EXCLUDED.starred, position = EXCLUDED.position",
            (self.reader, state.read, state.starred, state.position, article_id))

    def set_states(self, states: dict[str, ReadingState]) -> None:
        """Many states in one transaction (for `copy`)."""
        self._check_writable()
        rows = [(self.reader, k, s.read, s.starred, s.position) for k, s in sorted(states.items())
                if s != ReadingState()]
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO reading_state (reader, article_id, read, starred, position) "
                "SELECT %s, id, %s, %s, %s FROM articles WHERE id = %s "
                "ON CONFLICT (reader, article_id) DO UPDATE SET read = EXCLUDED.read, "
                "starred = EXCLUDED.starred, position = EXCLUDED.position",
                [(r, rd, st, pos, k) for r, k, rd, st, pos in rows])

    def setting(self, name: str, default: Any = None) -> Any:
        row = self._query("SELECT value FROM settings WHERE reader = %s AND name = %s",
                          (self.reader, name)).fetchone()
        return default if row is None else row[0]

    def set_setting(self, name: str, value: Any) -> None:
        from psycopg.types.json import Jsonb

        self._check_writable()
        self._query("INSERT INTO settings (reader, name, value) VALUES (%s, %s, %s) "
                    "ON CONFLICT (reader, name) DO UPDATE SET value = EXCLUDED.value",
                    (self.reader, name, Jsonb(value)))

    def search_history(self) -> list[str]:
        rows = self._query("SELECT query FROM search_history WHERE reader = %s ORDER BY at",
                           (self.reader,)).fetchall()
        return [row[0] for row in rows]

    def remember_search(self, query: str, keep: int = 100) -> None:
        self._check_writable()
        with self.conn.transaction():
            self._query("INSERT INTO search_history (reader, query, at) VALUES (%s, %s, %s) "
                        "ON CONFLICT (reader, query) DO UPDATE SET at = EXCLUDED.at",
                        (self.reader, query, time.time_ns()))
            self._query("DELETE FROM search_history WHERE reader = %s AND at < ("
                        "SELECT min(at) FROM (SELECT at FROM search_history WHERE reader = %s "
                        "ORDER BY at DESC LIMIT %s) newest)", (self.reader, self.reader, keep))

    # -- writing ----------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[PgStore]:
        """For callers written against the file store: the database takes its own row
        locks, so this only checks the database may be written."""
        self._check_articles_writable()
        yield self

    def upsert(self, articles: Iterable[Article]) -> UpsertResult:
        """Add new articles and replace changed versions (same id, other text), a batch
        per transaction (in id order, so concurrent writers never deadlock). The first
        of one id in a run counts, as in the file store. Reading state stays."""
        self._check_articles_writable()
        stamp = _now_iso()
        first: dict[str, Article] = {}
        for article in articles:
            if article.id not in first:
                first[article.id] = (article if article.imported_at
                                     else article.with_import(article.source, stamp))
        ordered = [first[key] for key in sorted(first)]
        batches = [ordered[start:start + BATCH] for start in range(0, len(ordered), BATCH)]
        result = UpsertResult()
        for batch, done in zip(batches, self._write_batches(batches), strict=True):
            for article in batch:
                outcome = done.get(article.id)
                (result.added if outcome is True else result.updated if outcome is False
                 else result.unchanged).append(article)
        return result

    def _write_batches(self, batches: list[list[Article]]) -> list[dict[str, bool]]:
        """Each batch in its own transaction; several batches on WRITERS connections at
        once (the server computes each article's search vectors and index entries in
        the backend that inserts it: two backends use two cores while this process
        reads on). The batches' ids are disjoint, so the transactions never wait on
        each other's rows. The first error is raised once every batch has finished."""
        if len(batches) < 2 or self.WRITERS < 2:
            return [self._write_batch(batch, self.conn) for batch in batches]
        import queue
        from concurrent.futures import ThreadPoolExecutor

        free: queue.Queue[Any] = queue.Queue()
        free.put(self.conn)
        for extra in self._writer_connections(self.WRITERS - 1):
            free.put(extra)

        def write(batch: list[Article]) -> dict[str, bool]:
            conn = free.get()
            try:
                return self._write_batch(batch, conn)
            finally:
                free.put(conn)

        with ThreadPoolExecutor(self.WRITERS, thread_name_prefix="newstui-pg-write") as pool:
            futures = [pool.submit(write, batch) for batch in batches]
            errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
        return [f.result() for f in futures]

    #: Connections an upsert of more than one batch writes on at once.
    WRITERS = 2

    def _writer_connections(self, count: int) -> list[Any]:
        """Extra connections for writing batches, opened once and kept."""
        import psycopg

        with self._lock:
            while len(self._writers) < count:
                try:
                    self._writers.append(psycopg.connect(
                        self.url, autocommit=True, connect_timeout=10,
                        application_name="newstui"))
                except psycopg.OperationalError:
                    break  # no more connections to be had: write on those there are
            return list(self._writers[:count])

    def _write_batch(self, batch: list[Article], conn: Any) -> dict[str, bool]:
        """One transaction: COPY the batch into a temporary table, then insert what is
        new and update what changed. Returns {id: True if added, False if updated}."""
        columns = ", ".join((*_COLUMNS, *_DERIVED))
        updates = ", ".join(f"{c} = EXCLUDED.{c}"
                            for c in (*_COLUMNS[1:], *_DERIVED, "tsv", "meta_tsv"))
        lock = self._lock if conn is self._conn else contextlib.nullcontext()
        with lock, conn.transaction(), conn.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS incoming ON COMMIT DELETE ROWS "
                        f"AS SELECT {columns} FROM articles WITH NO DATA")
            with cur.copy(f"COPY incoming ({columns}) FROM STDIN") as copy:
                copy.set_types(["text"] * 7 + ["text[]"] + ["text"] * 6
                               + ["text", "text", "int8", "text"])
                for article in batch:
                    copy.write_row(_row(article))
            cur.execute(
                f"INSERT INTO articles AS a ({columns}, tsv, meta_tsv) "
                # the short fields' vector once, the body's added to it
                f"SELECT {columns}, meta || {BODY_TSV}, meta "
                f"FROM (SELECT *, {META_TSV} AS meta FROM incoming) i ORDER BY id "
                f"ON CONFLICT (id) DO UPDATE SET {updates} "
                "WHERE a.content_hash IS DISTINCT FROM EXCLUDED.content_hash "
                "RETURNING id, (xmax = 0)")
            done = {row[0]: bool(row[1]) for row in cur.fetchall()}
            if done:
                cur.execute("SELECT nextval('newstui_generation')")
                generation = cur.fetchone()[0]
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))
        return done

    def add_many(self, articles: Iterable[Article]) -> list[Article]:
        return self.upsert(articles).added

    def delete(self, ids: Iterable[str]) -> list[str]:
        """Remove articles (their reading state goes with them); returns those removed."""
        self._check_articles_writable()
        with self._lock, self.conn.transaction():
            rows = self._query("DELETE FROM articles WHERE id = ANY(%s) RETURNING id",
                               (sorted(set(ids)),)).fetchall()
            if rows:
                generation = self._query("SELECT nextval('newstui_generation')").fetchone()[0]
                self._query("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))
        return [row[0] for row in rows]

    # -- what earlier imports read (so an unchanged file is not read again) -----

    def known_files(self) -> dict[str, KnownFile]:
        rows = self._query("SELECT path, size, mtime_ns, ids FROM sources").fetchall()
        return {row[0]: (int(row[1]), int(row[2]), list(row[3])) for row in rows}

    def remember_files(self, files: dict[str, KnownFile]) -> None:
        if not files or not self.writable:
            return
        # COPY, then one statement: a row per file sent one at a time took 2 s at 21k.
        with self._lock, self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS incoming_sources ON COMMIT DELETE ROWS "
                        "AS SELECT path, size, mtime_ns, ids FROM sources WITH NO DATA")
            with cur.copy("COPY incoming_sources (path, size, mtime_ns, ids) FROM STDIN") as copy:
                copy.set_types(["text", "int8", "int8", "text[]"])
                for path in sorted(files):
                    size, mtime_ns, ids = files[path]
                    copy.write_row((path, size, mtime_ns, list(ids)))
            cur.execute(
                "INSERT INTO sources AS s (path, size, mtime_ns, ids) "
                "SELECT path, size, mtime_ns, ids FROM incoming_sources ORDER BY path "
                "ON CONFLICT (path) DO UPDATE SET size = EXCLUDED.size, "
                "mtime_ns = EXCLUDED.mtime_ns, ids = EXCLUDED.ids "
                "WHERE (s.size, s.mtime_ns, s.ids) IS DISTINCT FROM "
                "(EXCLUDED.size, EXCLUDED.mtime_ns, EXCLUDED.ids)")


class PgArchive:
    """The PostgreSQL counterpart of `Archive`: a store whose search index is the
    database's own full-text index (always current: no separate index to rebuild)."""

    def __init__(self, store: PgStore) -> None:
        self.store = store
        self._lexer: Any = None
        self._listener: Any = None
        self._seen = 0
        self._closed = threading.Event()

    @classmethod
    def open(cls, url: str, on_wait: Callable[[Path], None] | None = None,
             state_path: str | os.PathLike[str] | None = None,
             reader: str | None = None, read_only: bool = False) -> PgArchive:
        """`state_path` (the `--state` value) names the reader whose marks are kept."""
        name = reader or (os.fspath(state_path) if state_path is not None else None)
        return cls(PgStore(url, reader=name, read_only=read_only))

    @property
    def path(self) -> str:
        return self.store.path

    def close(self) -> None:
        self._closed.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self.store.close()

    # -- importing ----------------------------------------------------------------

    def import_paths(self, paths: Iterable[str | os.PathLike[str]],
                     progress: Progress | None = None) -> ImportReport:
        # The same streaming import as the TinyDB store's (importer.stream_import): the
        # files are read a batch at a time, each batch handed to store.upsert.
        from newstui.importer import stream_import

        self.store._check_articles_writable()
        known = self.store.known_files()
        report = stream_import(paths, self.store.upsert, progress, known,
                               holds=lambda ids: set(ids) <= set(self.store.summary_ids()))
        if report.read_files:
            self.store.remember_files({**known, **report.read_files})
        return report

    def add(self, articles: list[Article]) -> list[Article]:
        return self.store.upsert(articles).added

    def upsert(self, articles: Iterable[Article]) -> UpsertResult:
        return self.store.upsert(articles)

    def delete(self, ids: Iterable[str]) -> list[str]:
        return self.store.delete(ids)

    # -- searching ------------------------------------------------------------------

    def search(self, text: str, limit: int = 50) -> Results:
        from newstui.pg.search import Lexer, compile_query
        from newstui.query import parse_query

        query = parse_query(text)
        if self._lexer is None:
            self._lexer = Lexer(self.store.conn)
        compiled = compile_query(query, self._lexer)
        return self._run(query, compiled, limit)

    #: The most matches a search ranks: the newest this many. A query matching no more
    #: is ranked whole and counted exactly; one matching more (a common word at 106k
    #: articles) shows the best of its newest RANKED matches and says "more than
    #: RANKED matches" (`Results.exact` False). Ranking or counting every match costs
    #: in proportion to the matches (`said`: 85,765 of 105,850, over a second under
    #: load); this reads at most RANKED + 1. docs/scaling.md relates the order to
    #: tantivy's. `count()` counts exactly, for whoever needs the number.
    RANKED = 1000

    def _run(self, query: Any, compiled: Any, limit: int) -> Results:
        from newstui.pg.search import RANK_NORMALIZATION, RANK_WEIGHTS, make_snippet
        from newstui.search import Hit, Results

        ranked = max(self.RANKED, limit)
        if compiled.tsquery is not None:
            score = f"ts_rank('{RANK_WEIGHTS}', a.tsv, %s::tsquery, {RANK_NORMALIZATION})"
            score_params = [compiled.tsquery]
        else:
            score, score_params = "0.0::real", []
        # The newest `ranked + 1` matches (walking the articles newest first for a
        # common word; the GIN index for a rare one: the planner chooses), the best
        # `limit` of them by rank, and how many there were.
        sql = (f"WITH c AS MATERIALIZED (SELECT id FROM articles WHERE {compiled.where} "
               "ORDER BY ts DESC NULLS LAST, id LIMIT %s), "
               f"r AS (SELECT a.id, {score} AS score, a.ts FROM c JOIN articles a USING (id) "
               "ORDER BY score DESC, a.ts DESC NULLS LAST, a.id LIMIT %s) "
               f"SELECT {', '.join('a.' + c for c in _COLUMNS)}, r.score, "
               "(SELECT count(*) FROM c) FROM r JOIN articles a USING (id) "
               "ORDER BY r.score DESC, r.ts DESC NULLS LAST, r.id")
        params = [*compiled.params, ranked + 1, *score_params, limit]
        rows = self.store._query(sql, params).fetchall()
        width = len(_COLUMNS)
        if rows:
            found = int(rows[0][width + 1])
        elif limit:
            found = 0
        else:
            found = self._count(compiled, ranked + 1)
        total, exact = (found, True) if found <= ranked else (ranked, False)
        from newstui.highlight import query_phrases

        phrases = query_phrases(query)
        hits = []
        for row in rows:
            article = _article(row[:width])
            hits.append(Hit(article, float(row[width]), make_snippet(article, phrases)))
        return Results(query, hits, total, exact)

    def _count(self, compiled: Any, at_most: int | None = None) -> int:
        sql = f"SELECT 1 FROM articles WHERE {compiled.where}"
        if at_most is not None:
            sql += f" LIMIT {int(at_most)}"
        row = self.store._query(f"SELECT count(*) FROM ({sql}) m", compiled.params).fetchone()
        return int(row[0])

    def count(self, text: str) -> int:
        """Every match of a query, counted exactly (reads each match: slow for a word
        most articles hold; a search stops counting past RANKED)."""
        from newstui.pg.search import Lexer, compile_query
        from newstui.query import parse_query

        if self._lexer is None:
            self._lexer = Lexer(self.store.conn)
        return self._count(compile_query(parse_query(text), self._lexer))

    def index(self, refresh: bool = True) -> PgArchive:
        """The index is the database's: always current."""
        return self

    def __len__(self) -> int:
        return len(self.store)

    def reindex(self) -> int:
        """Nothing to rebuild (the database indexes as it writes); refresh the planner's
        statistics and report the count."""
        self.store._check_writable()
        self.store._query("ANALYZE articles")
        return len(self.store)

    # -- other processes' writes: LISTEN/NOTIFY -------------------------------------

    #: How often a reader on a read replica looks for new writes: a hot standby cannot
    #: LISTEN, so it polls the generation (replayed from the primary) instead.
    REPLICA_POLL = 2.0

    def change_token(self) -> int:
        """Grows whenever another process writes articles: read from the notifications
        that arrived (no query is sent while nothing changed); on a read replica, the
        replicated generation."""
        import psycopg

        if self.store.conn is not None and self.store._standby:
            return self.store.generation
        if self._listener is None:
            self._listener = psycopg.connect(self.store.url, autocommit=True)
            self._listener.execute(f"LISTEN {CHANNEL}")
            self._seen = self.store.generation
        for note in self._listener.notifies(timeout=0):
            with contextlib.suppress(ValueError):
                self._seen = max(self._seen, int(note.payload))
        return self._seen

    def wait_for_change(self, timeout: float) -> bool:
        """Block until another process writes articles (True) or `timeout` passes."""
        before = self.change_token()
        if self.store._standby:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.store.generation != before:
                    return True
                time.sleep(min(self.REPLICA_POLL, max(0.0, deadline - time.monotonic())))
            return False
        for note in self._listener.notifies(timeout=timeout, stop_after=1):
            with contextlib.suppress(ValueError):
                self._seen = max(self._seen, int(note.payload))
        return self._seen != before

    def watch(self, callback: Callable[[], None]) -> threading.Thread:
        """Call `callback` (from a daemon thread) each time articles change."""

        def run() -> None:
            import psycopg

            missed = False
            while not self._closed.is_set():
                try:
                    with psycopg.connect(self.store.url, autocommit=True,
                                         connect_timeout=10) as conn:
                        row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                        if row and row[0]:
                            self._poll(conn, callback)
                            continue
                        conn.execute(f"LISTEN {CHANNEL}")
                        if missed:  # writes while we were away: look again
                            callback()
                        while not self._closed.is_set():
                            if any(True for _ in conn.notifies(timeout=1.0)):
                                callback()
                except psycopg.Error:
                    # The server restarted or the link dropped: listen again shortly.
                    missed = True
                    self._closed.wait(2.0)

        thread = threading.Thread(target=run, name="newstui-listen", daemon=True)
        thread.start()
        return thread

    def _poll(self, conn: Any, callback: Callable[[], None]) -> None:
        """On a replica: look at the replicated generation every few seconds."""
        sql = "SELECT last_value, is_called FROM newstui_generation"
        seen = conn.execute(sql).fetchone()
        while not self._closed.wait(self.REPLICA_POLL):
            now = conn.execute(sql).fetchone()
            if now != seen:
                seen = now
                callback()


def database_version(url: str) -> int | None:
    """The schema version of a database without migrating it (for `check`)."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        return current_version(conn)


__all__ = ["BATCH", "DatabaseError", "NewerDatabaseError", "PgArchive", "PgStore",
           "database_version"]
