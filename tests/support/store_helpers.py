"""Helpers for the store's tests (tests/store): a CLI run, stores made small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

from newstui.article import Article

FIXTURES = Path(__file__).resolve().parents[1] / "store" / "fixtures"


def run_newstui(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstui", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def story(n: int, day: int = 1, **fields: str) -> Article:
    """A small dated article, distinct for each n."""
    return Article(f"Story number {n}", (f"Paragraph of story {n}.",),
                   published=f"2024-01-{day:02d}", **fields)


def manifest_of(db: Path) -> dict:
    return orjson.loads(db.read_bytes())


def segment_files(db: Path) -> dict[str, Path]:
    """Segment name -> the file the manifest names."""
    folder = db.with_name(db.stem + ".segments")
    return {name: folder / entry["file"] for name, entry in manifest_of(db)["segments"].items()}
