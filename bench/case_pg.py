"""Case 17: the PostgreSQL store beside the TinyDB store (tantivy index), same run.

    python bench/case_pg.py                    # 106k: search, first paint, import, readers
    python bench/case_pg.py --readers 20 --seconds 20 --reps 5

- search p95: the 20 queries of case 1, top 50 with snippets, through the same search
  call the reader uses (`Archive.search` / `PgArchive.search`), at 106k articles
- first paint: `newstui --db X` in a real 80×24 pseudo-terminal until the newest
  headline shows, at 106k
- import: `newstui import` of the 21k corpus files into an empty store / database
- concurrent readers: N processes, each opening the archive as a reader does and
  searching (a query of the 20, round robin, offset per reader) for S seconds, all at
  once against one database (and, for reference, one TinyDB store): throughput, p95,
  errors

The PostgreSQL server is a throwaway one (tests/pgserver.py: initdb + pg_ctl on
loopback) with PostgreSQL's durable defaults (fsync on), as the TinyDB store fsyncs.
Prints a table; the figures go into docs/benchmarks.md by hand (its "Case 17" section).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fixtures
from case_search import QUERIES
from common import (
    SCRATCH,
    clean_env,
    fresh_dir,
    median,
    newstui_argv,
    percentile,
    say,
    timed_run,
)

NEEDLE = 30
#: The server's memory for pages: 512 MB instead of PostgreSQL's 128 MB default, which
#: is smaller than the 106k archive's table and indexes (~450 MB). PostgreSQL's manual
#: suggests a quarter of the machine's memory for a database server (this one has 23 GB).
SERVER_SETTINGS = {"shared_buffers": "512MB"}


def search_latency(archive: object, reps: int) -> tuple[list[float], dict[str, int], int]:
    """Latencies of the 20 queries × reps; each query's total (counted exactly, untimed,
    where the search itself stopped counting); how many searches stopped counting."""
    times: list[float] = []
    hits: dict[str, int] = {}
    capped = 0
    archive.search("warm up", 50)  # type: ignore[attr-defined]
    for _ in range(reps):
        for _kind, text, _match, _dates in QUERIES:
            t0 = time.perf_counter()
            results = archive.search(text, 50)  # type: ignore[attr-defined]
            times.append(time.perf_counter() - t0)
            hits[text] = results.total
            if not results.exact:
                capped += 1
                hits[text] = archive.count(text)  # type: ignore[attr-defined]
    return times, hits, capped


def first_paint(db: str, home: Path, needle: str, reps: int) -> list[float]:
    from terminal import Terminal

    found = []
    for _ in range(reps):
        term = Terminal([*newstui_argv(), "--db", db], clean_env(home))
        try:
            found.append(term.until_text(needle) - term.started)
        finally:
            term.close()
    return found


def timed(argv: list[str]) -> tuple[float, str]:
    seconds, done = timed_run(argv)
    return seconds, f"exit {done.returncode}, {done.stdout.strip()}"


def readers(db: str, count: int, seconds: float) -> dict[str, float]:
    """`count` reader processes searching at once; their latencies pooled."""
    worker = [sys.executable, str(Path(__file__).resolve()), "--worker", db, str(seconds)]
    procs = [subprocess.Popen([*worker, str(n)], stdout=subprocess.PIPE, text=True)
             for n in range(count)]
    return pooled(procs, seconds, timeout=seconds + 300)


def pooled(procs: list[subprocess.Popen[str]], seconds: float,
           timeout: float) -> dict[str, float]:
    """The workers' latencies (JSON on their stdout) pooled: throughput, p50, p95, and
    errors (a worker that printed nothing or failed counts as one)."""
    latencies: list[float] = []
    errors = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=timeout)
        result = json.loads(out or '{"latencies": [], "errors": 1}')
        latencies += result["latencies"]
        errors += result["errors"] + (proc.returncode != 0)
    return {"searches": len(latencies), "per_second": len(latencies) / seconds,
            "p50": percentile(latencies, 50) if latencies else float("nan"),
            "p95": percentile(latencies, 95) if latencies else float("nan"),
            "errors": errors}


def worker(db: str, seconds: float, offset: int) -> None:
    """One reader: open the archive, then search until the time is up."""
    archive = open_archive(db)
    latencies: list[float] = []
    errors = 0
    archive.search("warm up", 50)
    # All readers start searching together: wait for the next whole second.
    time.sleep(1 - time.time() % 1)
    end = time.perf_counter() + seconds
    n = offset
    while time.perf_counter() < end:
        text = QUERIES[n % len(QUERIES)][1]
        n += 1
        t0 = time.perf_counter()
        try:
            archive.search(text, 50)
        except Exception:
            errors += 1
            continue
        latencies.append(time.perf_counter() - t0)
    print(json.dumps({"latencies": latencies, "errors": errors}))


def ssh_worker(port: int, key: str, seconds: float, offset: int, totals_file: str) -> None:
    """One reader over SSH: OpenSSH's client in a pty, the reader's own search screen.
    Each search: `/`, the whole query at once (as a paste), until the screen shows the
    query's match count; Esc back to the list. Latency = keys sent to count shown."""
    from support.pty_terminal import KEYS, PtyTerminal
    from support.ssh_room import client_env

    totals = json.loads(Path(totals_file).read_text())
    argv = ["ssh", "-p", str(port), "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-F", "/dev/null", "-tt",
            "-i", key, f"reader{offset}@127.0.0.1"]
    term = PtyTerminal(argv, client_env(), 80, 24)
    latencies: list[float] = []
    errors = 0
    try:
        term.wait_for("articles", timeout=120)
        time.sleep(1 - time.time() % 1)
        end = time.perf_counter() + seconds
        n = offset
        while time.perf_counter() < end:
            text = QUERIES[n % len(QUERIES)][1]
            n += 1
            total = totals[text]
            shown = "No matches." if total == "0 matches" else total
            term.press("/")
            term.wait_for("Type to search", timeout=30)
            t0 = time.perf_counter()
            term.type(text, pause=0)
            try:
                term.wait_for(shown, timeout=60)
            except AssertionError:
                errors += 1
            else:
                latencies.append(time.perf_counter() - t0)
            term.press(KEYS["escape"])
            term.wait_for("newest first", timeout=30)
        term.press("q")
    except AssertionError:
        errors += 1
    finally:
        term.close()
    print(json.dumps({"latencies": latencies, "errors": errors}))


def through_front_ends(url: str, count: int, seconds: float, front_ends: int) -> dict[str, float]:
    """`count` SSH readers spread over `front_ends` serve-ssh servers on one database."""
    from support.ssh_room import Room, make_key

    from newstui.pg.store import PgArchive

    folder = fresh_dir(SCRATCH / "pg-rooms")
    archive = PgArchive.open(url)
    totals = {text: archive.search(text, 1).describe_total() for _k, text, _m, _d in QUERIES}
    archive.close()
    (folder / "totals.json").write_text(json.dumps(totals))
    key = make_key(folder / "key")
    rooms = []
    for n in range(front_ends):
        (folder / f"room{n}").mkdir()
        rooms.append(Room(folder / f"room{n}", url, "--authorized-keys",  # type: ignore[arg-type]
                          str(folder / "key.pub"), "--max-sessions", str(count)))
    try:
        me = [sys.executable, str(Path(__file__).resolve()), "--ssh-worker"]
        procs = [subprocess.Popen([*me, str(rooms[n % front_ends].port), str(key), str(seconds),
                                   str(n), str(folder / "totals.json")],
                                  stdout=subprocess.PIPE, text=True) for n in range(count)]
        return pooled(procs, seconds, timeout=seconds + 600)
    finally:
        for room in rooms:
            room.stop()


def open_archive(db: str) -> object:
    if db.startswith("postgresql://"):
        from newstui.pg.store import PgArchive

        return PgArchive.open(db)
    from newstui.archive import Archive

    return Archive.open(Path(db))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=3, metavar=("DB", "SECONDS", "OFFSET"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--paint-reps", type=int, default=5)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--ssh-worker", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--front-ends", type=int, default=2,
                        help="serve-ssh servers the SSH readers are spread over")
    parser.add_argument("--skip", default="",
                        help="comma-separated: search,paint,import,readers,ssh")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], float(args.worker[1]), int(args.worker[2]))
        return 0
    if args.ssh_worker:
        port, key, seconds, offset, totals = args.ssh_worker
        ssh_worker(int(port), key, float(seconds), int(offset), totals)
        return 0
    skip = set(filter(None, args.skip.split(",")))
    from support import pg_server as pgserver

    from newstui.archive import Archive
    from newstui.pg.store import PgArchive

    reason = pgserver.unavailable_reason()
    if reason:
        say(f"case 17: {reason}")
        return 1
    rows: list[tuple[str, str, str, str]] = []
    tiny_db = fixtures.copy_store("106k", fresh_dir(SCRATCH / "pg-tinydb-106k"))
    with pgserver.running_server(durable=True, settings=SERVER_SETTINGS) as server:
        url = server.create_database("bench106k")
        say("case 17: importing 106k articles into PostgreSQL (JSON Lines)")
        seconds, summary = timed([*newstui_argv(), "--db", url, "import", "-q",
                                  str(fixtures.jsonl("106k"))])
        rows.append(("build: import 106k JSONL into PostgreSQL", f"{seconds:.1f} s", "",
                     summary))
        PgArchive.open(url).reindex()  # ANALYZE
        if "search" not in skip:
            say("case 17: search latency")
            tantivy = Archive.open(tiny_db)
            ours, ours_hits, capped = search_latency(PgArchive.open(url), args.reps)
            theirs, their_hits, _ = search_latency(tantivy, args.reps)
            differ = {q: (their_hits[q], ours_hits[q]) for q in ours_hits
                      if ours_hits[q] != their_hits[q]}
            rows.append((f"search p95, 20 queries × {args.reps}, top 50 + snippets (106k)",
                         f"{percentile(ours, 95) * 1000:.1f} ms",
                         f"{percentile(theirs, 95) * 1000:.1f} ms",
                         f"p50 {percentile(ours, 50) * 1000:.1f} / "
                         f"{percentile(theirs, 50) * 1000:.1f} ms; totals differ on "
                         f"{len(differ)} of 20 queries {differ or ''}; "
                         f"{capped // args.reps} of 20 queries match more than "
                         f"{PgArchive.RANKED:,} (ranked among the newest "
                         f"{PgArchive.RANKED:,}, total counted apart)"))
            per_query: dict[str, list[float]] = {}
            for n, t in enumerate(ours):
                per_query.setdefault(QUERIES[n % len(QUERIES)][1], []).append(t)
            slow = sorted(per_query.items(), key=lambda kv: -median(kv[1]))[:5]
            rows.append(("slowest PostgreSQL queries (median)", "", "",
                         "; ".join(f"{q}: {median(v) * 1000:.0f} ms ({ours_hits[q]} matches)"
                                   for q, v in slow)))
        if "paint" not in skip:
            say("case 17: first paint")
            home = fresh_dir(SCRATCH / "pg-home")
            needle = fixtures.top_articles("106k")[0]["headline"][:NEEDLE]
            pg_paint = first_paint(url, home, needle, args.paint_reps)
            tiny_paint = first_paint(str(tiny_db), home, needle, args.paint_reps)
            rows.append(("start to first paint (106k), median", f"{median(pg_paint):.2f} s",
                         f"{median(tiny_paint):.2f} s",
                         f"ratio {median(pg_paint) / median(tiny_paint):.2f}× (target ≤ 1.5×)"))
        if "import" not in skip:
            say("case 17: import of the 21k files")
            sources = [str(p) for p in fixtures.import_sources()]
            fresh = server.create_database("import21k")
            pg_import, pg_summary = timed([*newstui_argv(), "--db", fresh, "import", "-q",
                                           *sources])
            where = fresh_dir(SCRATCH / "pg-import")
            tiny_import, tiny_summary = timed([*newstui_argv(), "--db",
                                               str(where / "articles.json"), "import", "-q",
                                               *sources])
            rows.append(("import 21k files into an empty store", f"{pg_import:.1f} s",
                         f"{tiny_import:.1f} s",
                         f"ratio {pg_import / tiny_import:.2f}× (target ≤ 2×); "
                         f"PostgreSQL: {pg_summary}; TinyDB: {tiny_summary}"))
        if "readers" not in skip:
            for db, name in ((url, "PostgreSQL"), (str(tiny_db), "TinyDB + tantivy")):
                say(f"case 17: {args.readers} readers at once, {name}")
                got = readers(db, args.readers, args.seconds)
                rows.append((f"{args.readers} reader processes searching at once, {name}",
                             f"{got['per_second']:.0f} searches/s",
                             f"p95 {got['p95'] * 1000:.0f} ms",
                             f"{got['searches']} searches in {args.seconds:.0f} s, p50 "
                             f"{got['p50'] * 1000:.0f} ms, errors {got['errors']}"))
        if "ssh" not in skip:
            say(f"case 17: {args.readers} readers over SSH, {args.front_ends} serve-ssh "
                "front ends, one database")
            got = through_front_ends(url, args.readers, args.seconds, args.front_ends)
            rows.append((f"{args.readers} SSH readers searching at once through "
                         f"{args.front_ends} serve-ssh front ends (PostgreSQL)",
                         f"{got['per_second']:.1f} searches/s",
                         f"p95 {got['p95'] * 1000:.0f} ms",
                         f"{got['searches']} searches in {args.seconds:.0f} s, p50 "
                         f"{got['p50'] * 1000:.0f} ms, errors {got['errors']}; latency = "
                         "query typed to its match count on the reader's screen"))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  PostgreSQL / value | TinyDB+tantivy / other | note")
    for what, ours_text, theirs_text, note in rows:
        print(f"{what:<{width}}  {ours_text} | {theirs_text} | {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
