"""The database schema, created and migrated by newstui itself.

`newstui_schema` holds one row: the schema version, the store's id and which release
wrote it last. Opening a database runs the migrations it lacks, in one transaction
under an advisory lock (two processes opening a new database at once do not race).
A database whose version is newer than this release knows is read, never written:
`newstui check` reports it and every write refuses.
"""

from __future__ import annotations

import uuid
from typing import Any

from newstui import __version__

SCHEMA_VERSION = 2
#: pg_advisory_xact_lock key for migrations: "newstui" in ASCII, as a bigint.
MIGRATION_LOCK = 0x6E657773747569
#: The channel readers LISTEN on; every write that changes articles NOTIFYs it.
CHANNEL = "newstui_articles"

#: The text search configuration: words folded to ASCII (unaccent) and lower-cased
#: (simple: no stemming, no stop words, like the tantivy index). Hyphenated compounds
#: are indexed as their parts only, as tantivy's tokenizer splits them.
_CONFIG = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION newstui (COPY = pg_catalog.simple)",
    "ALTER TEXT SEARCH CONFIGURATION newstui ALTER MAPPING FOR asciiword, word, numword, "
    "hword_asciipart, hword_part, hword_numpart WITH unaccent, simple",
    "ALTER TEXT SEARCH CONFIGURATION newstui DROP MAPPING FOR asciihword, hword, numhword",
    # Words are runs of letters and digits, as in the tantivy index: punctuation becomes
    # a space before PostgreSQL's parser sees the text, so "12.5", "e.g.", "bbc.co.uk"
    # and "don't" give their words, not one compound token each.
    r"""CREATE FUNCTION newstui_words(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
        PARALLEL SAFE AS $$ SELECT regexp_replace($1,
        '[!-/:-@\[-`{-~\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f\u20a0-\u20cf\u2190-\u2bff\u3000-\u303f]+',
        ' ', 'g') $$""",
]

#: Each article's search vectors: `tsv` holds every field (headline A, caption B,
#: dateline and credit C, body D); `meta_tsv` the short fields alone, with the same
#: weights, for field queries. Expressions over an `articles` row.
META_TSV = ("setweight(to_tsvector('newstui', newstui_words(headline)), 'A') || "
            "setweight(to_tsvector('newstui', newstui_words(coalesce(caption, ''))), 'B') || "
            "setweight(to_tsvector('newstui', newstui_words(coalesce(dateline, '') || ' ' || "
            "coalesce(credit, ''))), 'C')")
BODY_TSV = "setweight(to_tsvector('newstui', newstui_words(array_to_string(body, ' '))), 'D')"
TSV = f"{META_TSV} || {BODY_TSV}"

#: Migrations by the version they bring the database to. Never edit a released one:
#: add the next.
MIGRATIONS: dict[int, list[str]] = {
    1: [
        *_CONFIG,
        """CREATE TABLE articles (
            id text PRIMARY KEY,
            headline text NOT NULL,
            dateline text, updated text, published text, caption text, credit text,
            body text[] NOT NULL,
            url text, feed text, guid text, author text,
            source text, imported_at text,
            -- derived, for the list order, date filters and change detection
            sort_date text,
            sort_headline text NOT NULL,
            ts bigint,
            content_hash text NOT NULL,
            -- headline A, caption B, dateline and credit C, body D
            tsv tsvector NOT NULL
        )""",
        "CREATE INDEX articles_tsv ON articles USING gin (tsv)",
        "CREATE INDEX articles_order ON articles "
        "((sort_date IS NULL), sort_date DESC, sort_headline)",
        "CREATE INDEX articles_ts ON articles (ts)",
        # An article's identity is its id (hash of feed + guid, or of its content): the
        # primary key makes concurrent imports of one article meet on one row.
        """CREATE TABLE reading_state (
            reader text NOT NULL,
            article_id text NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            read boolean NOT NULL DEFAULT false,
            starred boolean NOT NULL DEFAULT false,
            position integer NOT NULL DEFAULT 0,
            PRIMARY KEY (reader, article_id)
        )""",
        """CREATE TABLE settings (
            reader text NOT NULL, name text NOT NULL, value jsonb,
            PRIMARY KEY (reader, name)
        )""",
        """CREATE TABLE search_history (
            reader text NOT NULL, query text NOT NULL, at bigint NOT NULL,
            PRIMARY KEY (reader, query)
        )""",
        """CREATE TABLE sources (
            path text PRIMARY KEY, size bigint NOT NULL, mtime_ns bigint NOT NULL,
            ids text[] NOT NULL
        )""",
        "CREATE SEQUENCE newstui_generation",
    ],
    2: [
        # Search without reading the big vector: field queries (headline:, caption:,
        # dateline:, credit:) are answered by a small vector of those fields alone (a
        # row's few words, never moved out of line), and the newest matches are found
        # by walking the articles newest first.
        "ALTER TABLE articles ADD COLUMN meta_tsv tsvector",
        f"UPDATE articles SET meta_tsv = {META_TSV}",
        "ALTER TABLE articles ALTER COLUMN meta_tsv SET NOT NULL",
        "CREATE INDEX articles_meta_tsv ON articles USING gin (meta_tsv)",
        "CREATE INDEX articles_newest ON articles (ts DESC NULLS LAST, id)",
        # The feed subscriptions, in the database so every front end's feeds screen
        # and every machine that fetches see one list (a TinyDB archive keeps its list
        # in a file beside it). `position` keeps the order they were added in.
        """CREATE TABLE feeds (
            feed_id text PRIMARY KEY,
            position integer NOT NULL,
            record jsonb NOT NULL
        )""",
    ],
}


class NewerDatabaseError(Exception):
    """The database was written by a newer newstui: read it, never write it."""


def current_version(conn: Any) -> int | None:
    """The schema version of the database, or None where newstui never wrote it."""
    exists = conn.execute("SELECT to_regclass('newstui_schema') IS NOT NULL").fetchone()[0]
    if not exists:
        return None
    row = conn.execute("SELECT version FROM newstui_schema").fetchone()
    return None if row is None else int(row[0])


def migrate(conn: Any) -> int:
    """Bring the schema up to SCHEMA_VERSION (in one transaction); returns the version
    the database has. A newer database is left as it is (see NewerDatabaseError)."""
    with conn.transaction():
        version = current_version(conn)
        if version is not None and version >= SCHEMA_VERSION:
            return version
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        if conn.execute("SELECT to_regclass('newstui_schema') IS NULL").fetchone()[0]:
            conn.execute("""CREATE TABLE newstui_schema (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                version integer NOT NULL, store_id text NOT NULL, written_by text NOT NULL)""")
            conn.execute("INSERT INTO newstui_schema (version, store_id, written_by) "
                         "VALUES (0, %s, %s)", (uuid.uuid4().hex, __version__))
        version = current_version(conn) or 0
        for target in sorted(MIGRATIONS):
            if target > version:
                for statement in MIGRATIONS[target]:
                    conn.execute(statement)
                version = target
        conn.execute("UPDATE newstui_schema SET version = %s, written_by = %s",
                     (version, __version__))
        return version
