"""Cases 4 and 5: `newstui import` of the 21k articles from files (the BBC text files,
the Reuters stories as raw pages) into an empty store, index included; then the same
files again (nothing new). The reference: an SQLite FTS5 index built from the same files."""

from __future__ import annotations

import sys

import fixtures
from common import BENCH, SCRATCH, Figure, fresh_dir, median, newstui_argv, say, timed_run


def run(reps: int) -> list[Figure]:
    sources = [str(p) for p in fixtures.import_sources()]
    first: list[float] = []
    again: list[float] = []
    reference: list[float] = []
    summaries: list[str] = []
    for rep in range(reps):
        say(f"case 4/5: import, run {rep + 1} of {reps}")
        where = fresh_dir(SCRATCH / "import")
        db = where / "articles.json"
        command = [*newstui_argv(), "--db", str(db), "import", *sources, "-q"]
        seconds, done = timed_run(command)
        first.append(seconds)
        errors = f", stderr {len(done.stderr.splitlines())} lines" if done.stderr else ""
        summaries.append(f"first: exit {done.returncode}, {done.stdout.strip()}{errors}")
        seconds, done = timed_run(command)
        again.append(seconds)
        summaries.append(f"again: exit {done.returncode}, {done.stdout.strip()}")
        seconds, done = timed_run([sys.executable, str(BENCH / "fts_import.py"),
                                   str(where / "fts.sqlite"), *sources])
        reference.append(seconds)
        summaries.append(f"fts5: {done.stdout.strip()}")
    note = "; ".join(dict.fromkeys(summaries))
    return [
        Figure("4", "import 21k files into an empty store, index included", median(first), "s",
               median(reference), "SQLite FTS5 build from the same files", 3.0, note=note,
               samples={"newstui": first, "fts5": reference}),
        Figure("5", "import the same 21k files again (nothing new)", median(again), "s",
               median(first), "#4 (first import)", 0.5, samples={"newstui": again}),
    ]
