"""Batches of real articles for the crash and concurrency tests.

Each batch is a JSON Lines file of distinct articles made from real news text (the
BBC corpus when it is beside the checkout, else the bundled samples), with headlines
made unique per batch so every batch adds new articles.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from newstui.importer import read_file, read_paths

REPO = Path(__file__).resolve().parents[2]
BBC = (REPO / ".." / "shared" / "corpus" / "bbc").resolve()
SAMPLES = REPO / "data" / "samples"


def source_records() -> list[dict]:
    folder = BBC if BBC.is_dir() else SAMPLES
    return [a.to_record() for a in read_paths([folder]).articles]


def write_batches(folder: Path, count: int, size: int) -> list[tuple[Path, set[str]]]:
    """`count` batch files of `size` articles: [(path, ids of its articles)]."""
    records = source_records()
    batches = []
    for number in range(count):
        path = folder / f"batch-{number:03d}.jsonl"
        with path.open("wb") as out:
            for item in range(size):
                record = dict(records[(number * size + item) % len(records)])
                record["headline"] = f"{record['headline']} [batch {number} #{item}]"
                for key in ("id", "source", "imported_at"):
                    record.pop(key, None)
                out.write(orjson.dumps(record) + b"\n")
        articles, _ = read_file(path)
        batches.append((path, {a.id for a in articles}))
    return batches
