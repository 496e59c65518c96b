"""A corrupt or foreign store: every command says so in one line naming the file and
leaves it untouched; `newstui check` says what is wrong and what a repair would do;
`newstui check --repair` restores the last good backup or salvages what it can.

The store is a manifest (`store.json`) and segment files (`store.segments/`): either
can be the damaged one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from newstui.archive import Archive, bundled_samples

SAMPLE_COUNT = 20


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstui", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store of the 20 samples written twice, so a good backup (of 19) exists."""
    path = tmp_path / "store.json"
    samples = sorted(bundled_samples().iterdir())
    Archive.open(path).import_paths(samples[:-1])
    Archive.open(path).import_paths([samples[-1]])
    return path


def newest_segment(db: Path) -> Path:
    """The segment file the manifest names (the samples fit in one segment)."""
    [entry] = orjson.loads(db.read_bytes())["segments"].values()
    return db.with_name("store.segments") / entry["file"]


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


CORRUPTIONS = {
    "truncated": truncate,
    "zero-length": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(bytes(range(256)) * 40),
    "not TinyDB's shape": lambda p: p.write_bytes(b'["a", "list", "of", "strings"]'),
}


@pytest.mark.parametrize("target", ["manifest", "segment"])
@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_corrupt_store_is_reported_untouched_and_repaired(db: Path, kind: str,
                                                          target: str) -> None:
    damaged_file = db if target == "manifest" else newest_segment(db)
    CORRUPTIONS[kind](damaged_file)
    damaged = damaged_file.read_bytes()
    for command in (["list"], ["search", "harbour"], ["import", str(bundled_samples())]):
        done = run("--db", str(db), *command)
        assert done.returncode == 1, (command, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and str(damaged_file) in lines[0], lines
        assert "Traceback" not in done.stderr
        assert damaged_file.read_bytes() == damaged, f"{command} changed the damaged file"

    checked = run("--db", str(db), "check")
    assert checked.returncode == 1
    plan = ("would: restore the last good manifest" if target == "manifest"
            else "would: take segment 000001 from the previous version")
    assert plan in checked.stdout, checked.stdout
    assert damaged_file.read_bytes() == damaged

    repaired = run("--db", str(db), "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    done_line = ("done: restored the last good manifest (19 articles)" if target == "manifest"
                 else "done: took segment 000001 from the previous version (19 articles)")
    assert done_line in repaired.stdout, repaired.stdout
    pattern = "store.json.broken-*" if target == "manifest" else "*.json.broken-*"
    kept = list(damaged_file.parent.glob(pattern))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged  # nothing thrown away
    listed = run("--db", str(db), "list", "--json")
    assert listed.returncode == 0
    count = len(orjson.loads(listed.stdout))
    # The backup's 19, plus whatever the damaged file still held of the 20th.
    assert count in (19, 20)
    assert run("--db", str(db), "check").returncode == 0


@pytest.mark.parametrize("target", ["manifest", "segment"])
def test_truncated_store_without_backup_is_salvaged(db: Path, target: str) -> None:
    db.with_name("store.json.bak").unlink()
    segment = newest_segment(db)
    truncate(db if target == "manifest" else segment)
    for older in db.with_name("store.segments").glob("*.json"):
        if older != segment:
            older.unlink()  # no earlier copy of the segment either
    repaired = run("--db", str(db), "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    listed = orjson.loads(run("--db", str(db), "list", "--json").stdout)
    if target == "manifest":
        # Nothing of the articles was lost: the manifest is rebuilt from the segments.
        assert "rebuilt the manifest from 1 segment file(s)" in repaired.stdout
        assert len(listed) == SAMPLE_COUNT
    else:
        assert "salvaged" in repaired.stdout and "previous" not in repaired.stdout
        assert 5 <= len(listed) < SAMPLE_COUNT  # what survived the cut, nothing invented
    assert run("--db", str(db), "check").returncode == 0


@pytest.mark.parametrize("kind", ["newer schema", "foreign TinyDB"])
def test_newer_or_foreign_store_is_never_touched(db: Path, kind: str) -> None:
    if kind == "newer schema":
        tables = orjson.loads(db.read_bytes())
        tables["meta"]["store"]["schema"] = 99
        db.write_bytes(orjson.dumps(tables))
    else:
        db.write_bytes(b'{"_default": {"1": {"name": "a todo list"}}}')
    before = db.read_bytes()
    listed = run("--db", str(db), "list")
    assert listed.returncode == 1 and str(db) in listed.stderr
    assert ("newer" in listed.stderr) if kind == "newer schema" else ("not a newstui store"
                                                                     in listed.stderr)
    repaired = run("--db", str(db), "check", "--repair")
    assert repaired.returncode == 1 and "left untouched" in repaired.stdout
    assert db.read_bytes() == before


@pytest.mark.parametrize("damage", ["missing", "damaged"])
def test_missing_or_damaged_index_is_rebuilt(db: Path, damage: str) -> None:
    index = db.with_name("store.index")
    if damage == "missing":
        shutil.rmtree(index)
    else:
        for file in index.iterdir():
            if file.is_file() and file.name != "stamp.json":
                file.write_bytes(b"\x00garbage")
    checked = run("--db", str(db), "check")
    assert checked.returncode == 0  # the store is whole; the index is derived
    assert "index" in checked.stdout
    found = run("--db", str(db), "search", "harbour", "--json")
    assert found.returncode == 0, found.stderr
    assert len(orjson.loads(found.stdout)) >= 2
    assert "index" not in run("--db", str(db), "check").stdout.split("consistent")[1]
