"""The CLI over a PostgreSQL store: the same subcommands as over a TinyDB file (cli.py
runs them with a `PgArchive`), and the few whose work differs — stats, check, reindex.
"""

from __future__ import annotations

import argparse
from typing import Any

from newstui.pg.schema import SCHEMA_VERSION
from newstui.pg.store import PgArchive


def open_archive(url: str, args: argparse.Namespace) -> PgArchive:
    reader = getattr(args, "state", None)
    return PgArchive.open(url, reader=str(reader) if reader else None)


def run(url: str, args: argparse.Namespace, cli: Any) -> int:
    """Dispatch a subcommand (cli is the cli module: its commands work on either store)."""
    import psycopg

    from newstui.pg.store import DatabaseError

    archive = open_archive(url, args)
    if args.command is None:
        # The reader: load the driver and connect while Textual loads (each takes a
        # good part of a second), rather than one after the other.
        import threading

        threading.Thread(target=archive.store.connect_quietly, name="newstui-connect",
                         daemon=True).start()
    try:
        return _run(archive, args, cli)
    except psycopg.Error as exc:
        raise DatabaseError(f"{archive.path}: {str(exc).strip().splitlines()[0]}") from None
    finally:
        archive.close()


def _run(archive: PgArchive, args: argparse.Namespace, cli: Any) -> int:
    command = args.command
    if command == "stats":
        return stats(archive)
    if command == "check":
        return check(archive, getattr(args, "repair", False))
    if command == "reindex":
        count = archive.reindex()
        print(f"indexed {count} articles in {archive.path} (the database's own index)")
        return 0
    return int(cli.dispatch(archive, args))


def stats(archive: PgArchive) -> int:
    store = archive.store
    dated, first, last = store.dates()
    row = store._query(
        "SELECT count(*) FILTER (WHERE read), count(*) FILTER (WHERE starred) "
        "FROM reading_state WHERE reader = %s", (store.reader,)).fetchone()
    size = store._query("SELECT pg_total_relation_size('articles')").fetchone()[0]
    index = store._query("SELECT pg_relation_size('articles_tsv')").fetchone()[0]
    count = len(store)
    rows = [
        ("store", store.path),
        ("articles", f"{count:,}"),
        ("dated", f"{dated:,}" + (f" ({first} to {last})" if dated else "")),
        ("read", f"{row[0]:,}"),
        ("starred", f"{row[1]:,}"),
        ("store size", _size(size)),
        ("index", f"{count:,} articles, {_size(index)} (PostgreSQL full-text, GIN)"),
        ("reader", store.reader),
    ]
    for name, value in rows:
        print(f"{name:<11} {value}")
    return 0


def check(archive: PgArchive, repair: bool) -> int:
    """Is the database a newstui store this release may write, and is it whole?"""
    store = archive.store
    version = store.schema_version
    if version > SCHEMA_VERSION:
        print(f"problem: schema version {version} was written by a newer newstui "
              f"(this release knows {SCHEMA_VERSION})")
        print(f"{store.path}: left untouched: upgrade newstui to write it")
        return 1
    problems = []
    from newstui.article import content_id

    mismatched = [a.id for a in store.articles()
                  if not (a.has_identity or content_id(a) == a.id)]
    # (feed items are named by their feed and guid: their id is not their content's)
    if mismatched:
        problems.append(f"{len(mismatched)} article(s) whose id does not match their content")
    empty = store._query("SELECT count(*) FROM articles WHERE tsv = ''::tsvector "
                         "AND headline <> ''").fetchone()[0]
    if empty:
        problems.append(f"{empty} article(s) missing from the search index")
    for problem in problems:
        print(f"problem: {problem}")
    if problems and repair:
        from newstui.pg.schema import META_TSV, TSV

        with store.conn.transaction():
            store._query(f"UPDATE articles SET tsv = {TSV}, meta_tsv = {META_TSV} "
                         "WHERE tsv = ''::tsvector")
        print("done: indexed the articles again")
        problems = [p for p in problems if "search index" not in p]
    if problems:
        print(f"{store.path}: NOT consistent")
        return 1
    print(f"{store.path}: consistent, {len(store):,} articles (schema {version})")
    return 0


def _size(total: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.0f} {unit}" if unit == "B" else f"{total:.1f} {unit}"
        total /= 1024
    return ""
