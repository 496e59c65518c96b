"""The CLI over a PostgreSQL store: the same subcommands as over a TinyDB file (cli.py
runs them with a `PgArchive`), and the few whose work differs — stats, check, reindex.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from newstui.pg.schema import SCHEMA_VERSION
from newstui.pg.store import PgArchive


def open_archive(url: str, args: argparse.Namespace) -> PgArchive:
    reader = getattr(args, "state", None)
    return PgArchive.open(url, reader=str(reader) if reader else None)


def run(url: str, args: argparse.Namespace, cli: Any) -> int:
    """Dispatch a subcommand (cli is the cli module: its commands work on either store)."""
    from newstui.pg.store import DatabaseError

    archive = open_archive(url, args)
    if args.command is None:
        # The reader: load the driver and connect while Textual loads (each takes a
        # good part of a second), rather than one after the other — so psycopg is not
        # imported here first.
        import threading

        threading.Thread(target=archive.store.connect_quietly, name="newstui-connect",
                         daemon=True).start()
    try:
        return _run(archive, args, cli)
    except Exception as exc:
        if not type(exc).__module__.startswith("psycopg"):  # psycopg.Error and kin
            raise
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
    """Is the database a newstui store this release may write, and is it whole? The
    same findings as the file store's check, and `repair` mends the same ones: rows a
    hand edit (SQL) left with terminal escapes are cleaned, an article whose id is not
    its content's gets it (its readers' state follows), a damaged copy of an article
    that is stored is kept aside in a file, never beside the good one."""
    from newstui.check import cleaned_record, has_escapes

    store = archive.store
    version = store.schema_version
    if version > SCHEMA_VERSION:
        print(f"problem: schema version {version} was written by a newer newstui "
              f"(this release knows {SCHEMA_VERSION})")
        print(f"{store.path}: left untouched: upgrade newstui to write it")
        return 1
    problems = []
    from newstui.article import Article, RecordError, content_id

    escaped: dict[str, dict[str, Any]] = {}
    mismatched: list[str] = []
    for article in store.articles():
        record = article.to_record()
        if has_escapes(record):
            escaped[article.id] = record
        # (feed items are named by their feed and guid: their id is not their content's)
        if not (article.has_identity or content_id(article) == article.id):
            mismatched.append(article.id)
    if mismatched:
        problems.append(f"{len(mismatched)} article(s) whose id does not match their content")
    if escaped:
        problems.append(f"{len(escaped)} record(s) hold terminal escape or control sequences "
                        f"(e.g. {next(iter(escaped))!r})")
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
        if empty:
            print("done: indexed the articles again")
        fixes: dict[str, Article] = {}
        for key in {*mismatched, *escaped}:
            record = escaped.get(key) or store.get(key).to_record()  # type: ignore[union-attr]
            try:
                mended = cleaned_record(record) if key in escaped else record
                fixes[key] = Article.from_record(mended)
            except RecordError:
                continue
        aside = _mend(store, fixes)
        cleaned = sum(1 for key in escaped if key in fixes)
        if cleaned:
            print(f"done: cleaned {cleaned} record(s) of control sequences")
        moved = sum(1 for key, fixed in fixes.items() if fixed.id != key) - len(aside[1])
        if moved:
            print(f"done: gave {moved} article(s) the id their content has")
        if aside[1]:
            print(f"done: kept {len(aside[1])} damaged copy(ies) of stored articles aside "
                  f"in {aside[0]}")
        return check(archive, repair=False)
    if problems:
        print(f"{store.path}: NOT consistent")
        return 1
    print(f"{store.path}: consistent, {len(store):,} articles (schema {version})")
    return 0


def _mend(store: Any, fixes: dict[str, Any]) -> tuple[str, list[str]]:
    """Write the mended articles: same id -> replaced in place; a new id -> added, its
    readers' state moved to it, the old row removed; a new id that is already stored
    (this row is a damaged copy of it) -> the row kept aside in a JSON Lines file in
    the data folder and removed. Returns (that file, the ids kept aside)."""
    import time

    import orjson

    from newstui.folders import data_folder

    in_place = [a for key, a in fixes.items() if a.id == key]
    if in_place:
        # The row's hash is of what the article should hold (a hand edit changed the
        # text, not the hash), so the upsert would see nothing to change: forget it.
        with store.conn.transaction():
            store._query("UPDATE articles SET content_hash = '' WHERE id = ANY(%s)",
                         ([a.id for a in in_place],))
        store.upsert(in_place)
    aside_ids: list[str] = []
    aside_path = data_folder() / f"pg-aside-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    for key, fixed in sorted(fixes.items()):
        if fixed.id == key:
            continue
        if fixed.id in store:
            old = store.get(key)
            aside_path.parent.mkdir(parents=True, exist_ok=True)
            with open(aside_path, "ab") as handle:
                handle.write(orjson.dumps(old.to_record()) + b"\n")
                handle.flush()
                os.fsync(handle.fileno())
            aside_ids.append(key)
        else:
            store.upsert([fixed])
            with store.conn.transaction():
                store._query("UPDATE reading_state SET article_id = %s WHERE article_id = %s",
                             (fixed.id, key))
        store.delete([key])
    return str(aside_path), aside_ids


def _size(total: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.0f} {unit}" if unit == "B" else f"{total:.1f} {unit}"
        total /= 1024
    return ""
