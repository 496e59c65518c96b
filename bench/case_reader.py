"""Case 12 (issue 9): the reader on a large archive — 106k and 530k articles.

    python bench/case_reader.py                       # 106k and 530k, 5 repetitions
    python bench/case_reader.py --sizes 530k --reps 3

For each size, in one run (the machine is shared: read the ratios):
- start to first paint: `newstui --db STORE` in a pty at 80×24 until the newest headline
  shows, beside the bare Textual app (bench/bare_app.py), launched alternately;
- start to the whole list: until the title bar counts every article;
- peak RSS (VmHWM) with the whole list read and one search ("oil", as you type) shown;
- search p95: `Archive.search` (top 50 + snippets) over case 1's 20 queries × reps, beside
  SQLite FTS5 (bench/.cache/fts-SIZE.sqlite, BM25 with the same weights, snippet(), top
  50) over the same articles, alternately in this one process.

Writes its section of docs/benchmarks.md (between the case 12 markers) and prints it.
Moved out of case_store.py (which measures cases 10, 11, 13-15) so each can be run and
written on its own.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import sys
import time
from functools import partial
from pathlib import Path

import case_search
import fixtures
from case_terminal import NEEDLE, _newstui_search, launch_newstui
from common import (
    BENCH,
    REPO,
    SCRATCH,
    clean_env,
    fresh_dir,
    median,
    percentile,
    replace_doc_section,
    say,
)
from terminal import Terminal

DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- case 12 (reader) start -->"
END = "<!-- case 12 (reader) end -->"


def _shows(term: Terminal, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(term.text))


def first_paint_and_memory(size: str, reps: int) -> dict[str, float]:
    """Medians of first paint, of the whole list, of the bare app's first paint; the
    peak RSS (the largest over the repetitions)."""
    from newstui.archive import Archive

    home = fresh_dir(SCRATCH / "home-12")
    db = fixtures.copy_store(size, fresh_dir(SCRATCH / f"reader-{size}") / "store")
    needle = fixtures.top_articles(size)[0]["headline"][:NEEDLE]
    total = len(Archive.open(db).store)
    counted = re.compile(rf"\b{total:,} articles\b")
    paints, wholes, bare, peaks = [], [], [], []
    for _ in range(reps):
        for leftover in db.parent.glob(f"{db.stem}.state*"):
            leftover.unlink()
        term = launch_newstui(db, home)
        try:
            paints.append(term.until_text(needle, timeout=120) - term.started)
            wholes.append(term.until(partial(_shows, term, counted), 300) - term.started)
            _newstui_search(term, "oil")
            term.settle(1.0)
            peaks.append(term.peak_rss_kb() / 1024)
        finally:
            term.close()
        term = Terminal([sys.executable, str(BENCH / "bare_app.py")], clean_env(home))
        try:
            bare.append(term.until_text("Bare Textual app: first paint") - term.started)
        finally:
            term.close()
    shutil.rmtree(db.parent.parent, ignore_errors=True)
    say(f"  {size}: paints {[round(p, 2) for p in paints]}, bare {[round(b, 2) for b in bare]}, "
        f"whole list {[round(w, 2) for w in wholes]}, RSS {[round(p) for p in peaks]}")
    # Each run beside the bare app's run right after it: the load on a shared machine
    # drifts over a run, and a pair sees the same load.
    paired = median([ours / theirs for ours, theirs in zip(paints, bare, strict=True)])
    return {"paint": median(paints), "bare": median(bare), "whole": median(wholes),
            "rss": max(peaks), "paired": paired}


def search_p95(size: str, reps: int) -> dict[str, float]:
    """p95 and p50 (ms) of Archive.search and of FTS5 over the case-1 queries, measured
    alternately query by query."""
    from newstui.archive import Archive

    db = fixtures.copy_store(size, fresh_dir(SCRATCH / f"search12-{size}") / "store")
    archive = Archive.open(db)
    archive.search("warm up", 50)
    connection = sqlite3.connect(fixtures.fts(size))
    case_search.fts_search(connection, "warm", None)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(reps):
        for _kind, text, match, dates in case_search.QUERIES:
            t0 = time.perf_counter()
            archive.search(text, 50)
            t1 = time.perf_counter()
            case_search.fts_search(connection, match, dates)
            t2 = time.perf_counter()
            ours.append((t1 - t0) * 1000)
            theirs.append((t2 - t1) * 1000)
    connection.close()
    shutil.rmtree(db.parent.parent, ignore_errors=True)
    return {"p95": percentile(ours, 95), "fts_p95": percentile(theirs, 95),
            "p50": percentile(ours, 50), "fts_p50": percentile(theirs, 50)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="106k,530k")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: str, target: str, met: bool | None) -> None:
        rows.append((what, value, target, "" if met is None else ("yes" if met else "NO")))
        say(f"12 {what}: {value} (target {target})")

    for size in sizes:
        say(f"case 12 at {size}: building or reusing the store and the FTS5 reference")
        fixtures.store(size)
        fixtures.fts(size)
        tui = first_paint_and_memory(size, args.reps)
        ratio = tui["paint"] / tui["bare"]
        row(f"reader at {size}: start to first paint ÷ the bare Textual app",
            f"{ratio:.2f}× ({tui['paint']:.2f} s vs {tui['bare']:.2f} s); each run ÷ the "
            f"bare app's next to it, median: {tui['paired']:.2f}×", "≤ 1.5×", ratio <= 1.5)
        row("… start to the whole list read (title counts every article)",
            f"{tui['whole']:.2f} s", "", None)
        row("… peak RSS, whole list read and one search shown", f"{tui['rss']:.0f} MB",
            "≤ 300 MB", tui["rss"] <= 300)
        found = search_p95(size, args.reps)
        ratio = found["p95"] / found["fts_p95"]
        row(f"… `Archive.search` p95, 20 queries × {args.reps}, top 50 + snippets",
            f"{ratio:.2f}× ({found['p95']:.1f} ms vs SQLite FTS5 {found['fts_p95']:.1f} ms)",
            "≤ 0.5× FTS5", ratio <= 0.5)
        row("… search p50", f"{found['p50']:.1f} ms vs FTS5 {found['fts_p50']:.1f} ms", "", None)
    lines = [f"Measured by `env -u PYTHONDONTWRITEBYTECODE python bench/case_reader.py "
             f"--sizes {args.sizes} --reps {args.reps}` on {started} ({os.cpu_count()} cores, "
             f"shared; load average {load:.1f} at the start): medians of {args.reps} runs, "
             "newstui and its reference alternately; RSS the largest.", "",
             "| what | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {w} | {v} | {t} | {m} |" for w, v, t, m in rows]
    text = "\n".join(lines)
    print(text)
    if not args.no_doc:
        write_section(text)
    return 0


def write_section(text: str) -> None:
    replace_doc_section(DOC, BEGIN, END, text,
                        heading="## Case 12: the reader on a large archive")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
