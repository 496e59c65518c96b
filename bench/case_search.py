"""Case 1: search latency through newstui's own search function (`Archive.search`, top 50
with snippets) beside SQLite FTS5 (BM25 with the same field weights, top 50, snippet())
over the same articles, and a few TinyDB `Query().body.search(regex)` scans."""

from __future__ import annotations

import re
import sqlite3
import time
from datetime import datetime, timezone

import fixtures
from common import SCRATCH, Figure, fresh_dir, median, percentile, say
from tinydb import Query, TinyDB


def _ts(day: str, end: bool = False) -> int:
    value = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    if end:
        value = value.replace(hour=23, minute=59, second=59)
    return int(value.timestamp())


#: (kind, newstui query, FTS5 MATCH, (first ts, last ts) or None). 20 queries.
QUERIES: list[tuple[str, str, str, tuple[int | None, int | None] | None]] = [
    ("rare word", "chernobyl", "chernobyl", None),
    ("rare word", "eurovision", "eurovision", None),
    ("rare word", "gorbachev", "gorbachev", None),
    ("common word", "said", "said", None),
    ("common word", "market", "market", None),
    ("common words", "dollar yen", "dollar yen", None),
    ("phrase", '"interest rates"', '"interest rates"', None),
    ("phrase", '"prime minister"', '"prime minister"', None),
    ("phrase", '"trade deficit"', '"trade deficit"', None),
    ("field", "headline:oil", "headline : oil", None),
    ("field", "dateline:tokyo", "dateline : tokyo", None),
    ("field phrase", 'headline:"oil prices"', 'headline : "oil prices"', None),
    ("date range", "oil after:1987-06-01", "oil", (_ts("1987-06-01"), None)),
    ("date range", "coffee on:1987-03", "coffee", (_ts("1987-03-01"), _ts("1987-03-31", True))),
    ("date range", "dollar before:1987-04-01", "dollar", (None, _ts("1987-03-31", True))),
    ("exclusion", "oil -opec", "oil NOT opec", None),
    ("exclusion", "bank -england", "bank NOT england", None),
    ("OR", "coffee OR cocoa", "coffee OR cocoa", None),
    ("OR", "tennis OR football", "tennis OR football", None),
    ("OR + exclusion", "music OR film -award", "(music OR film) NOT award", None),
]

#: TinyDB scans every document with a regex: a few queries only, it is slow.
TINYDB_QUERIES = [("rare word", r"(?i)\bchernobyl\b"), ("common word", r"(?i)\bsaid\b"),
                  ("phrase", r"(?i)\binterest\s+rates\b")]
TINYDB_MATCHING = ["chernobyl", "said", '"interest rates"']  # the same in newstui

FTS_SQL = ("SELECT m.id, f.headline, snippet(fts, -1, '«', '»', '…', 30) "
           "FROM fts f JOIN meta m ON m.rowid = f.rowid WHERE fts MATCH ?{dates} "
           "ORDER BY rank LIMIT 50")


def fts_search(connection: sqlite3.Connection, match: str,
               dates: tuple[int | None, int | None] | None) -> list[tuple[str, str, str]]:
    clause, params = "", [match]
    if dates is not None:
        first, last = dates
        if first is not None:
            clause += " AND m.ts >= ?"
            params.append(first)
        if last is not None:
            clause += " AND m.ts <= ?"
            params.append(last)
    return connection.execute(FTS_SQL.format(dates=clause), params).fetchall()


def run(sizes: list[str], reps: int, tinydb_reps: int) -> list[Figure]:
    from newstui.archive import Archive

    figures: list[Figure] = []
    for size in sizes:
        say(f"case 1: search at {size}")
        db = fixtures.copy_store(size, fresh_dir(SCRATCH / f"search-{size}"))
        archive = Archive.open(db)
        start = time.perf_counter()
        archive.search("warm up", 50)  # loads the store and opens the index
        cold = time.perf_counter() - start
        connection = sqlite3.connect(fixtures.fts(size))
        fts_search(connection, "warm", None)

        ours: list[float] = []
        theirs: list[float] = []
        per_query: dict[str, tuple[list[float], list[float], int, int]] = {}
        for _ in range(reps):
            for _kind, text, match, dates in QUERIES:
                t0 = time.perf_counter()
                results = archive.search(text, 50)
                t1 = time.perf_counter()
                rows = fts_search(connection, match, dates)
                t2 = time.perf_counter()
                ours.append(t1 - t0)
                theirs.append(t2 - t1)
                entry = per_query.setdefault(text, ([], [], 0, 0))
                entry[0].append(t1 - t0)
                entry[1].append(t2 - t1)
                per_query[text] = (entry[0], entry[1], len(results.hits), len(rows))
        connection.close()
        detail = "; ".join(f"{q}: {median(a) * 1000:.1f}/{median(b) * 1000:.1f} ms "
                           f"({n}/{m} hits)" for q, (a, b, n, m) in per_query.items())
        figures.append(Figure(
            "1", f"search p95, 20 queries × {reps}, top 50 + snippets ({size})",
            percentile(ours, 95), "s", percentile(theirs, 95), "SQLite FTS5 p95", 0.5,
            note=f"per query, newstui/FTS5 medians: {detail}",
            samples={"newstui": ours, "fts5": theirs}))
        figures.append(Figure(
            "1", f"search p50 ({size})", percentile(ours, 50), "s", percentile(theirs, 50),
            "SQLite FTS5 p50"))
        figures.append(Figure(
            "1", f"first search after opening the store ({size})", cold, "s",
            note="Archive.open + the first query: loads the TinyDB store and opens the index"))

        say(f"case 1: TinyDB regex scans at {size}")
        tiny = TinyDB(fixtures.tinydb(size))
        table = tiny.table("_default")
        table.all()  # load the file once, outside the timing
        scans: list[float] = []
        for _ in range(tinydb_reps):
            for _kind, pattern in TINYDB_QUERIES:
                table.clear_cache()
                t0 = time.perf_counter()
                table.search(Query().body.search(pattern, flags=re.IGNORECASE))
                scans.append(time.perf_counter() - t0)
        tiny.close()
        same = [t for q, (a, _b, _n, _m) in per_query.items() if q in TINYDB_MATCHING
                for t in a]
        figures.append(Figure(
            "1", f"search median, the 3 TinyDB queries ({size})", median(same), "s",
            median(scans), "TinyDB Query().body.search(regex), median",
            note="TinyDB returns every match unranked, no snippets; file load not timed"))
    return figures
