"""The store's own commands: `delete`, `prune`, `compact`, and the streaming `stats`
and `export` (one segment in memory at a time, whatever the archive's size).

Registered in cli.py with `add_parsers`; errors are the core's typed exceptions, shown
by cli.py as one line.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from newstui.archive import Archive
from newstui.article import Summary
from newstui.files import FileWriteError, atomic_writer, is_special_file
from newstui.inert import inert
from newstui.store_format import UnknownArticleError

EXIT_OK, EXIT_FAILED = 0, 1
_AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.ASCII)
_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def _example(*lines: str) -> dict[str, Any]:
    return {"epilog": "example:\n" + "\n".join(f"  {line}" for line in lines),
            "formatter_class": argparse.RawDescriptionHelpFormatter}


def add_parsers(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "delete", parents=common, help="remove articles by id",
        description="Remove articles (and their reading state) by id; prints what it removed.",
        **_example("newstui delete 3d469f8b30 9a1c"))
    p.add_argument("ids", nargs="+", metavar="ID", help="article ids (unique prefixes will do)")

    p = sub.add_parser(
        "prune", parents=common, help="remove articles older than an age",
        description="Remove the articles dated before an age ago (undated ones stay); "
                    "prints what it removed.",
        **_example("newstui prune --older-than 90d --dry-run",
                   "newstui prune --older-than 1y --keep-starred"))
    p.add_argument("--older-than", required=True, type=age, metavar="AGE",
                   help="e.g. 90d, 12w, 6m, 2y (by the article's date; undated ones stay)")
    p.add_argument("--keep-starred", action="store_true", help="keep starred articles")
    p.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")

    sub.add_parser("compact", parents=common,
                   help="rewrite the segments that hold replaced or deleted articles",
                   description="Rewrite every segment that holds replaced or deleted "
                               "records (done by itself once a quarter of one is dead).",
                   **_example("newstui compact"))


def age(text: str) -> int:
    """`90d` -> 90 (days)."""
    match = _AGE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"not an age like 90d, 12w, 6m or 2y: {text!r}")
    days = int(match.group(1)) * _DAYS[match.group(2)]
    if days > (date.today() - date.min).days:
        # No date is that old, and the cut-off could not even be computed.
        raise argparse.ArgumentTypeError(f"{text!r} reaches back before the year 1")
    return days


def run(archive: Archive, args: argparse.Namespace) -> int:
    if args.command == "delete":
        return cmd_delete(archive, args.ids)
    if args.command == "prune":
        return cmd_prune(archive, args.older_than, args.keep_starred, args.dry_run)
    if args.command == "compact":
        return cmd_compact(archive)
    raise ValueError(args.command)


def _row(summary: Summary | Any) -> str:
    # What the store holds is shown, never obeyed: a shared, older or hand-edited store
    # can hold escape sequences the importer would have cleaned (as `list` does).
    return inert(f"{summary.id}  {(summary.date or '')[:10]:<10}  {summary.headline}",
                 lines=True)


def cmd_delete(archive: Archive, prefixes: list[str]) -> int:
    store = archive.store
    try:
        chosen = [store.resolve(prefix) for prefix in prefixes]
    except UnknownArticleError as exc:
        print(inert(f"newstui: {exc}; nothing deleted", lines=True), file=sys.stderr)
        return EXIT_FAILED
    removed = set(archive.delete(a.id for a in chosen))
    for article in chosen:
        if article.id in removed:
            print(f"deleted {_row(article)}")
    print(f"deleted {len(removed)} article(s)", file=sys.stderr)
    return EXIT_OK


def cmd_prune(archive: Archive, days: int, keep_starred: bool, dry_run: bool) -> int:
    store = archive.store
    cutoff = (date.today() - timedelta(days=days)).isoformat()
    states = store.states() if keep_starred else {}
    chosen: list[Summary] = []
    kept = 0
    each = getattr(store, "each_summary", store.iter_summaries)  # the PostgreSQL store too
    for summary in each():
        if not summary.date or summary.date[:10] >= cutoff:
            continue
        state = states.get(summary.id)
        if state is not None and state.starred:
            kept += 1
            continue
        chosen.append(summary)
    verb = "would remove" if dry_run else "removed"
    if not dry_run and chosen:
        removed = set(archive.delete(s.id for s in chosen))
        chosen = [s for s in chosen if s.id in removed]
    for summary in sorted(chosen, key=lambda s: s.date or ""):
        print(f"{verb} {_row(summary)}")
    note = f", kept {kept} starred" if keep_starred else ""
    print(f"{verb} {len(chosen)} article(s) dated before {cutoff}{note}", file=sys.stderr)
    return EXIT_OK


def cmd_compact(archive: Archive) -> int:
    if not hasattr(archive, "compact"):
        print(f"{archive.path}: nothing to compact (the database reclaims space itself)")
        return EXIT_OK
    dropped = archive.compact()
    print(f"compacted {archive.path}: {dropped} replaced or deleted record(s) dropped, "
          f"{len(archive.store.manifest.segments)} segment(s)")
    return EXIT_OK


def cmd_export(archive: Archive, output: str | None,
               safe: Callable[[bytes], bytes] = bytes) -> int:
    """Every article as JSON Lines, newest first, streamed a record at a time. `safe`:
    what makes a line safe to show (the CLI escapes C1 and bidi controls in JSON)."""
    records = archive.store.newest_first_records()
    if output is None:
        out = sys.stdout.buffer
        for record in records:
            out.write(safe(orjson.dumps(record) + b"\n"))
        sys.stdout.flush()
        return EXIT_OK
    target = Path(output)
    if target.is_dir():
        raise FileWriteError(f"{target}: is a folder; give --output a file name")
    if not target.parent.is_dir():
        raise FileWriteError(f"{target}: cannot write: no such folder {target.parent}")
    count = 0
    if is_special_file(target):
        # A FIFO, a terminal, /dev/stdout: written straight, as a shell's `>` would.
        try:
            with open(target, "wb") as handle:
                for record in records:
                    handle.write(safe(orjson.dumps(record) + b"\n"))
                    count += 1
        except OSError as exc:
            raise FileWriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    else:
        # A regular file (or a link to one) is replaced whole, through the link, with
        # its permission bits: an export is a backup and must never be half written.
        with atomic_writer(target) as handle:
            for record in records:
                handle.write(safe(orjson.dumps(record) + b"\n"))
                count += 1
    print(f"newstui: exported {count} articles to {output}", file=sys.stderr)
    return EXIT_OK


def stats_rows(archive: Archive) -> list[tuple[str, str]]:
    """What `newstui stats` prints, read a summary at a time."""
    from newstui.search import IndexDamagedError, open_for_reading

    store = archive.store
    total = len(store)
    dated, first, last = store.dates()  # the manifest's figures: no row is read
    states = store.states()
    index_path = store.index_path
    try:
        index = open_for_reading(index_path, store.store_id) if index_path.exists() else None
        if index is None:
            indexed = "none yet (built at the next search)"
        else:
            current = index.is_current(store.store_id, store.generation)
            indexed = f"{len(index):,} articles" + ("" if current else
                                                      " (stale: rebuilt at the next search)")
    except (IndexDamagedError, OSError, ValueError):
        indexed = "damaged (rebuilt at the next search)"
    return [
        ("store", str(store.path)),
        ("articles", f"{total:,}"),
        ("dated", f"{dated:,}" + (f" ({first} to {last})" if first else "")),
        ("read", f"{sum(s.read for s in states.values()):,}"),
        ("starred", f"{sum(s.starred for s in states.values()):,}"),
        ("store size", _size(store.path, store.segments_path)),
        ("segments", f"{len(store.manifest.segments):,}"),
        ("index", f"{indexed}, {_size(index_path)}"),
    ]


def _size(*paths: Path) -> str:
    total = 0
    found = False
    for path in paths:
        if path.is_dir():
            total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            found = True
        elif path.exists():
            total += path.stat().st_size
            found = True
    if not found:
        return "none"
    size = float(total)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
