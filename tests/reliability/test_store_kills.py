"""kill -9 against the store of segments: during an import into a large store, during
`prune` and during `compact`. After every kill the store opens, `check` finds it
consistent, nothing committed before is lost, and the killed command's change is all
there or not at all.

Short form in the suite; `pytest --long` runs the counts in docs/reliability.md.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import orjson
from support.batches import source_records, write_batches

from newstui.archive import Archive
from newstui.article import Article, ReadingState
from newstui.check import check
from newstui.store import ArticleStore


def newstui(*args: str) -> list[str]:
    return [sys.executable, "-m", "newstui", *args]


def live_ids(db: Path) -> set[str]:
    return set(ArticleStore(db).ids())


def grown_store(db: Path, count: int) -> set[str]:
    """A store of `count` articles (real text, distinct headlines, dated over years),
    written in chunks as feeds would: many segments, some with dead records."""
    records = source_records()
    archive = Archive.open(db)
    ids: set[str] = set()
    chunk: list[Article] = []
    for n in range(count):
        record = dict(records[n % len(records)])
        for key in ("id", "source", "imported_at"):
            record.pop(key, None)
        record["headline"] = f"{record['headline']} [grown #{n}]"
        record["published"] = f"{2000 + n % 25:04d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        record.pop("updated", None)
        chunk.append(Article.from_record(record))
        if len(chunk) == 1500:
            ids |= {a.id for a in archive.upsert(chunk).added}
            chunk = []
    if chunk:
        ids |= {a.id for a in archive.upsert(chunk).added}
    return ids


def kill_at_random(argv: list[str], duration: float, rng: random.Random) -> int:
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(rng.uniform(0.2, 1.1) * duration if rng.random() < 0.8
               else rng.uniform(0, duration))
    process.send_signal(signal.SIGKILL)
    process.wait(60)
    return process.returncode


def timed(argv: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(argv, check=True, capture_output=True, timeout=300)
    return time.monotonic() - started


def test_killed_imports_into_a_large_store_lose_nothing(tmp_path: Path,
                                                        long_form: bool) -> None:
    trials = 60 if long_form else 5
    size = 40_000 if long_form else 4_500
    rng = random.Random(9)
    db = tmp_path / "store.json"
    committed = grown_store(db, size)
    batches = write_batches(tmp_path, trials + 1, size=300)
    duration = timed(newstui("--db", str(db), "import", "-q", str(batches[0][0])))
    committed |= batches[0][1]
    outcomes = {"finished": 0, "killed, all in": 0, "killed, none in": 0}
    for path, ids in batches[1:]:
        status = kill_at_random(newstui("--db", str(db), "import", "-q", str(path)),
                                duration, rng)
        present = live_ids(db)
        report = check(db)
        assert report.consistent, report.problems
        assert committed <= present, "an earlier import lost articles"
        landed = ids & present
        assert landed in (set(), ids), f"a killed import left {len(landed)} of {len(ids)}"
        key = "finished" if status == 0 else (
            "killed, all in" if landed else "killed, none in")
        outcomes[key] += 1
        committed |= landed
    print(f"\n{trials} kills during import into {size:,}: {outcomes}")
    assert Archive.open(db).search('"batch 0"', limit=500).total == len(batches[0][1])


def test_a_killed_import_of_many_batches_leaves_whole_batches(tmp_path: Path,
                                                               long_form: bool) -> None:
    """An import streams in batches of 2,000 articles, each its own write: a kill keeps
    the batches written before it, whole, in the order the file gives them, and never a
    part of one."""
    trials = 20 if long_form else 3
    rng = random.Random(15)
    records = source_records()
    db = tmp_path / "store.json"
    committed = grown_store(db, 2_500)
    outcomes: dict[str, int] = {}
    for trial in range(trials):
        source = tmp_path / f"run-{trial}.jsonl"
        order: list[str] = []
        with source.open("wb") as out:
            for n in range(7_000):
                record = dict(records[n % len(records)])
                for key in ("id", "source", "imported_at"):
                    record.pop(key, None)
                record["headline"] = f"{record['headline']} [run {trial} #{n}]"
                record["body"] = record["body"][:2]  # small: batches end by count
                order.append(Article.from_record(record).id)
                out.write(orjson.dumps(record) + b"\n")
        argv = newstui("--db", str(db), "import", "-q", str(source))
        if trial == 0:
            duration = timed(argv)
            assert set(order) <= live_ids(db)
            committed |= set(order)
            continue
        status = kill_at_random(argv, duration, rng)
        present = live_ids(db)
        assert check(db).consistent
        assert committed <= present, "an earlier import lost articles"
        kept = [key for key in order if key in present]
        # Whole batches, first ones first: a prefix of the file, a multiple of 2,000.
        assert kept == order[:len(kept)], "a killed import left articles out of order"
        assert len(kept) % 2000 == 0 or len(kept) == len(order), \
            f"a killed import left part of a batch ({len(kept)} articles)"
        if status == 0:
            assert len(kept) == len(order)
        key = "finished" if status == 0 else f"killed, {len(kept) // 2000} batch(es) in"
        outcomes[key] = outcomes.get(key, 0) + 1
        committed |= set(kept)
    print(f"\n{trials - 1} kills during imports of 7,000 articles (4 batches): {outcomes}")


def test_killed_prunes_and_compactions_lose_nothing_else(tmp_path: Path,
                                                         long_form: bool) -> None:
    trials = 40 if long_form else 4
    size = 20_000 if long_form else 4_500
    rng = random.Random(11)
    db = tmp_path / "store.json"
    grown_store(db, size)
    store = ArticleStore(db)
    starred = [s.id for s in store.summaries()[::97]]
    for key in starred:
        store.set_state(key, ReadingState(starred=True))
    before = live_ids(db)
    # Dates run from 2000 to 2024: each prune takes one more year off the old end.
    # compact runs between them, killed too.
    duration = timed(newstui("--db", str(db), "prune", "--older-than", f"{365 * 27}d",
                             "--dry-run"))
    outcomes = {"prune finished": 0, "prune killed, all": 0, "prune killed, none": 0,
                "compact finished": 0, "compact killed": 0}
    for trial in range(trials):
        years = 26 - trial % 24
        cutoff = (date.today() - timedelta(days=365 * years)).isoformat()
        doomed = {k for k in before if k not in starred and _day(db, k) < cutoff}
        status = kill_at_random(newstui("--db", str(db), "prune", "--older-than",
                                        f"{365 * years}d", "--keep-starred"),
                                duration * 2, rng)
        present = live_ids(db)
        report = check(db)
        assert report.consistent, report.problems
        gone = before - present
        assert gone <= doomed, "prune removed an article it should have kept"
        assert gone in (set(), doomed), f"a killed prune removed {len(gone)} of {len(doomed)}"
        assert set(starred) <= present, "a starred article was pruned"
        if status == 0:
            assert gone == doomed
        key = "prune finished" if status == 0 else (
            "prune killed, all" if gone else "prune killed, none")
        outcomes[key] += 1
        before = present
        status = kill_at_random(newstui("--db", str(db), "compact"), duration, rng)
        assert check(db).consistent
        assert live_ids(db) == before, "compact changed which articles are there"
        outcomes["compact finished" if status == 0 else "compact killed"] += 1
        manifest = orjson.loads(db.read_bytes())
        assert manifest["meta"]["store"]["live"] == len(before)
    print(f"\n{trials} rounds of kills during prune and compact at {size:,}: {outcomes}")


_DAYS: dict[str, str] = {}


def _day(db: Path, key: str) -> str:
    if not _DAYS:
        for summary in ArticleStore(db).summaries():
            _DAYS[summary.id] = (summary.date or "9999")[:10]
    return _DAYS.get(key, "9999")

