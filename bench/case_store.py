"""Cases 10-15 (issue 9): the archive that grows. Each figure is a fresh `newstui`
process (start, open, work, exit): wall time and its peak RSS (from wait4).

    python bench/case_store.py                      # 21k and 106k (the stores are built once)
    python bench/case_store.py --sizes 21k,106k,530k --full-import 106k,530k
    python bench/case_store.py --cases 13 --sizes 106k  # only `stats` and `check`

Case 12 (the reader at 530k) is bench/case_reader.py's.

10  import of 1 new article into the 106k store (and the 21k one, for the ratio)
11  import of 100 new articles into the 106k store
13  `stats` and `check` at each size (≥106k)
14  one `newstui search 'oil prices'` from the shell, at each size vs 21k
15  import of all the articles into an empty store: peak RSS

Writes its section of docs/benchmarks.md (between the case 10-15 markers) and prints it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import fixtures
from common import (
    REPO,
    SCRATCH,
    fresh_dir,
    measured_run,
    median,
    newstui_argv,
    replace_doc_section,
    say,
)

DOC = REPO / "docs" / "benchmarks.md"
BEGIN = "<!-- cases 10-15 (store) start -->"
END = "<!-- cases 10-15 (store) end -->"


def run_rss(argv: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB), exit status and stderr of one process."""
    run = measured_run(argv)
    return run.wall, run.rss_mb, run.status, run.stderr


def new_articles(folder: Path, count: int, tag: str) -> Path:
    """`count` new plain-text stories (never seen before: the tag and time make them
    unique)."""
    fresh_dir(folder)
    stamp = time.time_ns()
    for n in range(count):
        (folder / f"story-{n}.txt").write_text(
            f"Harbour board approves new quay {tag} {stamp} {n}\n\n"
            f"PORT AVELIN — The harbour board approved a new quay on Tuesday ({stamp}-{n}). "
            "Work starts in spring and should take two years, the board said.\n\n"
            "Fishing crews welcomed the decision.\n", encoding="utf-8")
    return folder


def import_new(size: str, count: int, reps: int) -> tuple[float, float]:
    """Median wall time and peak RSS of importing `count` new articles into a copy of
    the `size` store (each repetition adds new ones to the same copy)."""
    where = fresh_dir(SCRATCH / f"import-{size}-{count}")
    db = fixtures.copy_store(size, where / "store")
    times, peaks = [], []
    for rep in range(reps):
        files = new_articles(where / f"new-{rep}", count, f"{size}-{count}-{rep}")
        seconds, rss, status, err = run_rss([*newstui_argv(), "--db", str(db), "import",
                                             str(files), "-q"])
        if status != 0:
            raise RuntimeError(f"import failed: {err}")
        times.append(seconds)
        peaks.append(rss)
    shutil.rmtree(where, ignore_errors=True)
    return median(times), max(peaks)


def command(size: str, args: list[str], reps: int) -> tuple[float, float]:
    db = fixtures.store(size)
    times, peaks = [], []
    for _ in range(reps):
        seconds, rss, status, err = run_rss([*newstui_argv(), "--db", str(db), *args])
        if status not in (0,):
            raise RuntimeError(f"{args} failed: {err[:300]}")
        times.append(seconds)
        peaks.append(rss)
    return median(times), max(peaks)


def full_import(size: str) -> tuple[float, float]:
    where = fresh_dir(SCRATCH / f"full-{size}")
    db = where / "articles.json"
    seconds, rss, status, err = run_rss([*newstui_argv(), "--db", str(db), "import",
                                         str(fixtures.jsonl(size)), "-q"])
    shutil.rmtree(where, ignore_errors=True)
    if status != 0:
        raise RuntimeError(f"full import failed: {err[:300]}")
    return seconds, rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="21k,106k")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--full-import", default="106k",
                        help="sizes for case 15, comma-separated ('' for none)")
    parser.add_argument("--cases", default="10,11,13,14,15",
                        help="which cases to run, comma-separated")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    sizes = args.sizes.split(",")
    cases = set(args.cases.split(","))
    say(f"building or reusing stores: {', '.join(sizes)}")
    for size in sizes:
        fixtures.store(size)
    rows: list[tuple[str, str, str, str, str]] = []

    def row(case: str, what: str, value: str, target: str, met: bool | None) -> None:
        rows.append((case, what, value, target,
                     "" if met is None else ("yes" if met else "NO")))
        say(f"{case} {what}: {value} (target {target})")

    # The floors every command stands on here: the interpreter starting, and a process
    # that starts and imports the CLI.
    start = median([run_rss([sys.executable, "-c", "pass"])[0] for _ in range(args.reps)])
    row("—", "`python -c pass` (interpreter start)", f"{start:.3f} s", "", None)
    floor = median([run_rss([*newstui_argv(), "--version"])[0] for _ in range(args.reps)])
    row("—", "`newstui --version` (process start + CLI import: the floor)", f"{floor:.3f} s",
        "", None)
    one = {size: import_new(size, 1, args.reps) for size in sizes
           if size in ("21k", "106k") and cases & {"10", "11"}}
    if "106k" in one:
        t, rss = one["106k"]
        row("10", "import 1 new article into the 106k store: wall", f"{t:.3f} s "
            f"({t - start:.3f} s over interpreter start, {t - floor:.3f} s over "
            "`--version`)", "≤ 0.25 s", t <= 0.25)
        row("10", "… peak RSS", f"{rss:.0f} MB", "≤ 100 MB", rss <= 100)
        if "21k" in one:
            ratio = t / one["21k"][0]
            row("10", "… ÷ the same import into the 21k store", f"{ratio:.2f}× "
                f"({one['21k'][0]:.3f} s)", "≤ 1.2×", ratio <= 1.2)
    if "106k" in one and "11" in cases:
        t = one["106k"][0]
        t100, rss100 = import_new("106k", 100, args.reps)
        ratio = t100 / t
        row("11", "import 100 new articles into the 106k store", f"{t100:.3f} s = {ratio:.2f}× "
            f"#10, {rss100:.0f} MB", "≤ 2× #10", ratio <= 2)
    for size in sizes:
        if size == "21k" or "13" not in cases:
            continue
        t, rss = command(size, ["stats"], args.reps)
        row("13", f"`stats` at {size}", f"{t:.2f} s, {rss:.0f} MB",
            "≤ 100 MB" + (", ≤ 0.5 s" if size == "106k" else ""),
            rss <= 100 and (t <= 0.5 if size == "106k" else True))
        t, rss = command(size, ["check"], max(1, args.reps // 2))
        row("13", f"`check` at {size}", f"{t:.2f} s, {rss:.0f} MB", "≤ 100 MB", rss <= 100)
    search = {size: command(size, ["search", "oil prices"], args.reps) for size in sizes
              if "14" in cases}
    base = search.get("21k")
    for size, (t, rss) in search.items():
        if size == "21k" or base is None:
            row("14", f"`newstui search 'oil prices'` at {size}", f"{t:.3f} s, {rss:.0f} MB",
                "(reference)", None)
            continue
        ratio = t / base[0]
        row("14", f"`newstui search 'oil prices'` at {size} ÷ 21k",
            f"{ratio:.2f}× ({t:.3f} s, {rss:.0f} MB)", "≤ 1.2×", ratio <= 1.2)
    for size in [s for s in args.full_import.split(",") if s and "15" in cases]:
        t, rss = full_import(size)
        row("15", f"`newstui import` of all {size} articles into an empty store: peak RSS",
            f"{rss:.0f} MB ({t:.0f} s)", "≤ 500 MB (at 530k)", rss <= 500)
    lines = [f"Measured by `python bench/case_store.py --sizes {args.sizes} --reps {args.reps}"
             f" --full-import '{args.full_import}' --cases {args.cases}` on "
             f"{time.strftime('%Y-%m-%d %H:%M')} UTC "
             f"({os.cpu_count()} cores, shared machine: figures are medians of "
             f"{args.reps} runs; RSS is the maximum).", "",
             "| case | what | measured | target | met |", "|---|---|---|---|---|"]
    lines += [f"| {c} | {w} | {v} | {t} | {m} |" for c, w, v, t, m in rows]
    text = "\n".join(lines)
    print(text)
    if not args.no_doc:
        write_section(text)
    return 0


def write_section(text: str) -> None:
    replace_doc_section(DOC, BEGIN, END, text, heading="## Cases 10-15: the archive that grows")


if __name__ == "__main__":
    sys.exit(main())
