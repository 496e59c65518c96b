"""A full disk during import, reindex or search: one line, exit 1, the archive as it
was, and no half-written file or index left behind to keep the disk full.

A real full file system: a 1 MiB tmpfs (mounting needs root, as in CI; skipped with the
reason otherwise), filled to the last block after the bundled samples are imported."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.core import SAMPLES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="tmpfs is Linux")


@pytest.fixture
def small_disk() -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    mount_point = Path(tempfile.mkdtemp(prefix="newstui-full-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
        shutil.rmtree(mount_point, ignore_errors=True)


def _newstui(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstui", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120)


def _fill(folder: Path, name: str = "filler") -> None:
    """Write zeros until the file system refuses one more byte."""
    with open(folder / name, "wb", buffering=0) as handle:
        try:
            while handle.write(b"\0" * 4096):
                pass
        except OSError:
            pass
    # Whatever partial block is left: fill it byte by byte.
    with open(folder / f"{name}-last", "wb", buffering=0) as handle:
        try:
            while handle.write(b"\0"):
                pass
        except OSError:
            pass


def _one_line_failure(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "panicked" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "no space left" in lines[0]
    return lines[0]


def _debris(folder: Path) -> list[str]:
    """Names that only a half-finished write leaves: temporary files, half-built indexes."""
    names = sorted(p.name for p in folder.iterdir()
                   if p.name.endswith(".tmp") or ".index.new-" in p.name
                   or ".index.old-" in p.name)
    # A segment file that no manifest (nor its backup) names is debris too.
    segments = folder / "store.segments"
    named = (folder / "store.json").read_bytes() + b"".join(
        p.read_bytes() for p in folder.glob("store.json.bak"))
    if segments.is_dir():
        names += sorted(f"store.segments/{p.name}" for p in segments.iterdir()
                        if p.name.encode() not in named)
    return names


def test_a_full_disk_loses_nothing_and_leaves_nothing(small_disk: Path, tmp_path: Path) -> None:
    db = small_disk / "store.json"
    assert _newstui(db, "import", str(SAMPLES)).returncode == 0
    store_before = db.read_bytes()
    story = tmp_path / "story.txt"
    story.write_text("Harbour pilots strike\n\nThe harbour pilots walked out on Monday.\n")
    _fill(small_disk)

    line = _one_line_failure(_newstui(db, "import", str(story)))
    assert "unchanged" in line
    assert db.read_bytes() == store_before
    assert _debris(small_disk) == []

    _fill(small_disk, "refill")  # the failed import gave back the old index's room
    _one_line_failure(_newstui(db, "reindex"))
    assert db.read_bytes() == store_before
    assert _debris(small_disk) == []
    assert ".new-" not in _newstui(db, "reindex").stderr  # names the index, not a temp

    # Searching still answers, from an index built in memory.
    found = _newstui(db, "search", "harbour")
    assert found.returncode == 0, found.stderr
    assert "3 matches" in found.stderr
    checked = _newstui(db, "check")
    assert checked.returncode == 0 and "consistent, 20 articles" in checked.stdout

    # Room again: everything works and nothing was lost.
    for filler in small_disk.glob("*fill*"):
        filler.unlink()
    assert _newstui(db, "import", str(story)).returncode == 0
    found = _newstui(db, "search", "harbour")
    assert "4 matches" in found.stderr
    assert _debris(small_disk) == []
