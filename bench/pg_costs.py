"""What a reader costs the database, and how far a read replica lags: the figures
docs/scaling.md gives. A primary and a streaming replica (tests/support/pg_server.py),
the 21k articles imported on the primary.

    python bench/pg_costs.py [--readers 20]

- PSS of every PostgreSQL process with no reader connected, then with N readers
  connected to the replica, each having listed the archive and run the 20 queries of
  case 1 (a reader holds two connections: queries, and LISTEN)
- replication lag: one article imported on the primary until a reader on the replica
  counts it (polled every 5 ms), 10 times
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fixtures
from case_search import QUERIES
from common import median, newstui_argv, percentile


def pss_of(servers: list[object]) -> tuple[int, int]:
    """(processes, total PSS in bytes) of these servers: each postmaster (the first line
    of its postmaster.pid) and the processes it started — not other servers on the
    machine."""
    roots = {int((Path(s.folder) / "data" / "postmaster.pid").read_text().split()[0])  # type: ignore[attr-defined]
             for s in servers}
    total = count = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if int(proc.name) not in roots and ppid not in roots:
                continue
            for line in (proc / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    count += 1
        except (OSError, ValueError, IndexError):
            continue
    return count, total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readers", type=int, default=20)
    args = parser.parse_args()
    from support.pg_server import running_replica, running_server

    from newstui.article import Article
    from newstui.pg.store import PgArchive

    with running_server(durable=True) as primary:
        url = primary.create_database("costs")
        subprocess.run([*newstui_argv(), "--db", url, "import", "-q",
                        str(fixtures.jsonl("21k"))], check=True, stdout=subprocess.DEVNULL)
        PgArchive.open(url).reindex()
        with running_replica(primary) as replica:
            replica_url = replica.url("costs")
            time.sleep(2)
            idle_procs, idle = pss_of([primary, replica])
            readers = []
            for n in range(args.readers):
                archive = PgArchive.open(replica_url, reader=f"reader{n}")
                archive.store.summaries()
                archive.store.states()
                archive.watch(lambda: None)  # its second connection, as the reader has
                for _k, text, _m, _d in QUERIES:
                    archive.search(text, 50)
                readers.append(archive)
            busy_procs, busy = pss_of([primary, replica])
            writer = PgArchive.open(url)
            watcher = readers[0]
            lags = []
            for n in range(10):
                before = len(watcher.store)
                writer.upsert([Article(headline=f"Lag probe {n}", body=(f"Probe {n}.",))])
                t0 = time.perf_counter()
                while len(watcher.store) == before:
                    time.sleep(0.005)
                lags.append(time.perf_counter() - t0)
            for archive in readers:
                archive.close()
            writer.close()
    per_reader = (busy - idle) / args.readers
    print(f"PostgreSQL processes (primary + replica), no reader: {idle_procs} processes, "
          f"PSS {idle / 2**20:.1f} MB")
    print(f"with {args.readers} readers on the replica (2 connections each, list + 20 "
          f"searches done): {busy_procs} processes, PSS {busy / 2**20:.1f} MB; "
          f"{per_reader / 2**20:.2f} MB per reader")
    print(f"replication lag, commit on the primary to visible on the replica: median "
          f"{median(lags) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms, "
          f"p95 {percentile(lags, 95) * 1000:.0f} ms (10 probes, 5 ms polling)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
