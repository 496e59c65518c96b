"""newstui's benchmark suite (issue 4): every figure beside its reference, measured in the
same run, as a ratio against the issue's target.

    python bench/run.py                      # everything, at 21k and 106k (~5 min)
    python bench/run.py --quick              # 21k only, fewer repetitions (~2 min)
    python bench/run.py --cases 1,6 --sizes 21k

Run it with the interpreter newstui is installed in (the `newstui` command beside it is
what the terminal cases launch). Needs ../shared/corpus beside the checkout, and
newsboat (`apt-get install newsboat`) for its references. The first run builds the
derived data into bench/.cache/ (a minute or two); later runs reuse it. Prints a table
and writes docs/benchmarks.md (a hand-written analysis below its marker line is kept).
Benchmarks are not tests: nothing here fails a run over a missed target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixtures
from common import CACHE, REPO, SCRATCH, Figure, fresh_dir, say

DOC = REPO / "docs" / "benchmarks.md"
MARKER = "<!-- Everything below this line is written by hand and kept by bench/run.py. -->"
ALL_CASES = (1, 2, 3, 4, 5, 6, 7, 8, 9)


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {"CPU": cpu, "cores": str(os.cpu_count()), "RAM": mem,
            "load average at start": load, "OS": platform.platform()}


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("newstui", "textual", "tantivy", "tinydb", "pyte"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["sqlite"] = sqlite3.sqlite_version
    newsboat = shutil.which("newsboat")
    found["newsboat"] = (subprocess.run([newsboat, "--version"], capture_output=True, text=True)
                         .stdout.split("\n")[0].split(" - ")[0].replace("newsboat ", "")
                         if newsboat else "not installed")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=REPO,
                           capture_output=True, text=True).stdout.strip()
    found["newstui commit"] = commit + (" + uncommitted changes in src/" if dirty else "")
    return found


def show(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:,.1f} ms" if value < 10 else f"{value:,.2f} s"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "MB":
        return f"{value:,.1f} MB"
    if unit == "×":
        return f"{value:.2f}×"
    return f"{value:,.0f} {unit}"


def rows(figures: list[Figure]) -> list[list[str]]:
    out = []
    for f in figures:
        ratio = ("—" if f.ratio is None
                 else f"{f.ratio:.2f}×" if f.ratio >= 0.1 else f"{f.ratio:.2g}×")
        if f.target is None:
            target = ""
        elif f.absolute:
            target = f"≤ {show(f.target, f.unit)}"
        else:
            target = f"≤ {f.target:g}×"
        verdict = {True: "met", False: "MISSED", None: ""}[f.met]
        if f.met is False:
            verdict += f" ({f.margin.split(': ', 1)[1]})"
        if f.target is not None and f.met is None:
            verdict = "not measured"
        out.append([f.case, f.what, show(f.value, f.unit),
                    show(f.reference, f.unit) if f.reference is not None else "—",
                    f.reference_what, ratio, target, verdict])
    return out


HEAD = ["#", "what", "newstui", "reference", "reference is", "ratio", "target", "verdict"]


def print_table(figures: list[Figure]) -> None:
    table = [HEAD, *rows(figures)]
    widths = [min(48, max(len(r[i]) for r in table)) for i in range(len(HEAD))]
    for row in table:
        print("  ".join(cell[:w].ljust(w) for cell, w in zip(row, widths, strict=True)))


def markdown(figures: list[Figure], info: dict[str, dict[str, str]], command: str,
             seconds: float, quick: bool) -> str:
    lines = [
        "# Benchmarks",
        "",
        "newstui at 21,000 real articles (`../shared/corpus`: BBC + Reuters) and at 106,000",
        "(the same set five times over, distinct ids), each figure beside its reference",
        "measured in the same run — the machine is shared and noisy, so read the ratios.",
        "Targets are issue 4's. Written by `bench/run.py`; run it again with:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {seconds / 60:.1f} minutes"
        + (" (--quick: 21k only, fewer repetitions)." if quick else "."),
        "",
        "| # | what | newstui | reference | reference is | ratio | target | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows(figures):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", "## Notes on the figures", ""]
    for f in figures:
        if f.note:
            lines.append(f"- **{f.case}, {f.what}:** {f.note}")
    for title, values in info.items():
        lines += ["", f"## {title}", "", "| | |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in values.items()]
    lines += ["", "## How each case is measured", "", METHOD.strip(), ""]
    return "\n".join(lines)


METHOD = """
- **1** `Archive.search(query, 50)` in-process (parse, tantivy, snippets, articles from the
  store) against `SELECT … snippet() … WHERE fts MATCH ? ORDER BY rank LIMIT 50` on an FTS5
  table of the same articles (unicode61, diacritics removed, `bm25` with newstui's field
  weights; date filters on a joined, indexed `ts` column). 20 queries, interleaved, each
  run several times; p50/p95 over all samples. The store is loaded by a warm-up query
  first (reported separately). TinyDB: `Query().body.search(regex)` over a plain TinyDB
  table, three queries.
- **2** The program launched in a pseudo-terminal (80×24, TERM=xterm-256color) until the
  newest headline is on the pyte screen; the bare app (`bench/bare_app.py`: Header,
  Static, Footer) until its Static shows; newsboat until its article list shows, Enter
  sent the moment its feed list appears. Median of the repetitions, interleaved.
- **3** VmHWM from `/proc/PID/status` of the program in the pty, after its list is on
  screen and one search (`oil`) has shown results.
- **4, 5** `newstui --db NEW import bbc/ reuters-raw/ -q`, wall time, then the same again;
  the reference `bench/fts_import.py` reads the same files (first line headline, the rest
  body) into an FTS5 table, also as its own process.
- **6** Bytes the program writes after the screen has settled: ↓ in the list (five
  times; newsboat gets ESC O B once it has switched on application cursor keys), then
  PgDn three times in the same long article (the first of more than 4,000 characters in
  the list), median. newstui runs four times: default and --low-bandwidth, each with the
  output layer and with --output plain; a page's text bytes are the UTF-8 bytes of the
  rows between title and footer, stripped (newsboat: between its title and its key and
  message lines).
- **7** 90 × ↓ sent 1/30 s apart in the list; the cursor's row is read off the screen (the
  visible rows matched against `newstui list` order); "settled" is the time from the
  last key to the last byte written (nothing more for 1 s).
- **8** `/`, then the query typed 120 ms a key; the time from the last key to the
  "N matches" line for the full query. newsboat: `/`, the query, then Enter to its
  "Search results".
"""


def write_doc(text: str) -> None:
    kept = ""
    if DOC.exists():
        old = DOC.read_text(encoding="utf-8")
        if MARKER in old:
            kept = old[old.index(MARKER):]
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text + "\n" + (kept or MARKER + "\n"), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="21k only, fewer repetitions (a couple of minutes)")
    parser.add_argument("--sizes", help="comma-separated: 21k,106k (default both; --quick: 21k)")
    parser.add_argument("--cases", help="comma-separated case numbers (default all)")
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    sizes = args.sizes.split(",") if args.sizes else (["21k"] if args.quick else ["21k", "106k"])
    if bad := [s for s in sizes if s not in fixtures.SIZES]:
        parser.error(f"unknown size(s) {bad}; known: {', '.join(fixtures.SIZES)}")
    cases = [int(c) for c in args.cases.split(",")] if args.cases else list(ALL_CASES)
    quick = args.quick
    try:
        fixtures.check_corpus()
    except fixtures.CorpusMissing as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    if shutil.which("newsboat") is None:
        say("bench: newsboat is not installed (apt-get install newsboat): its references "
            "are skipped")

    started = time.perf_counter()
    command = " ".join(["python bench/run.py", shlex.join(sys.argv[1:])]).strip()
    info = {"Machine": machine(), "Versions": versions()}
    CACHE.mkdir(exist_ok=True)
    fresh_dir(SCRATCH)
    say("preparing the data (built once into bench/.cache/)")
    for size in sizes:
        fixtures.store(size)
        fixtures.fts(size)
    if shutil.which("newsboat"):
        fixtures.newsboat_home("21k")

    import case_import
    import case_search
    import case_terminal

    stores = case_terminal.Stores()
    figures: list[Figure] = []
    have_newsboat = shutil.which("newsboat") is not None
    plan = [
        (1, lambda: case_search.run(sizes, 3 if quick else 5, 1 if quick else 2)),
        (2, lambda: case_terminal.first_paint(stores, sizes, 3 if quick else 7)),
        (3, lambda: case_terminal.peak_memory(stores, sizes)),
        (4, lambda: case_import.run(1 if quick else 2)),
        (6, lambda: case_terminal.bytes_per_key(stores)),
        (7, lambda: case_terminal.held_down(stores, sizes[-1])),
        (8, lambda: case_terminal.search_as_you_type(stores, sizes, 1 if quick else 2)),
        (9, lambda: case_terminal.low_bandwidth(stores)),
    ]
    needs_newsboat = {2, 3, 6, 8}
    for number, case in plan:
        if number not in cases and not (number == 4 and 5 in cases):
            continue
        if number in needs_newsboat and not have_newsboat:
            say(f"case {number} skipped: newsboat is not installed")
            continue
        try:
            figures += case()
        except Exception as exc:  # a case that breaks is reported; the others still run
            say(f"case {number} failed: {type(exc).__name__}: {exc}")
            figures.append(Figure(str(number), f"case {number} did not complete", None, "",
                                  note=f"{type(exc).__name__}: {str(exc).splitlines()[0]}"))
    figures = [f for f in figures if int(f.case) in cases or not f.case.isdigit()]
    seconds = time.perf_counter() - started
    shutil.rmtree(SCRATCH, ignore_errors=True)

    print_table(figures)
    print(f"\n{seconds / 60:.1f} minutes")
    (CACHE / "last-run.json").write_text(json.dumps(
        {"command": command, "info": info, "figures": [f.__dict__ for f in figures]}, indent=1))
    if not args.no_doc:
        write_doc(markdown(figures, info, command, seconds, quick))
        say(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
