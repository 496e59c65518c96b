"""A damaged index is rebuilt, as the README promises — even when tantivy panics.

tantivy answers some damage with a Rust panic, which pyo3 raises as PanicException, a
BaseException that `except Exception` never sees; the panic hook also writes straight
to file descriptor 2. Each case damages the bundled samples' index in a way measured
to make tantivy panic (or fail) on open or on a search, then runs every command that
touches the index. Corpus-free."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from newstui.archive import Archive, bundled_samples
from newstui.check import check, repair
from newstui.search import SearchIndex


def _payload_end(data: bytearray) -> int:
    (length,) = struct.unpack("<I", data[-8:-4])
    return len(data) - 8 - length


def _fill_middle(value: int) -> Callable[[bytearray], None]:
    def damage(data: bytearray) -> None:
        end = _payload_end(data)
        data[end // 4:end * 3 // 4] = bytes([value]) * (end * 3 // 4 - end // 4)
    return damage


def _fill_tail(data: bytearray) -> None:
    end = _payload_end(data)
    start = max(0, end - 64)
    data[start:end] = b"\xff" * (end - start)


# (file kind, damage): each measured with tantivy 0.27 to panic on open or on search.
DAMAGE = {
    "term-tail": ("term", _fill_tail),
    "idx-middle": ("idx", _fill_middle(0xFF)),
    "idx-zeroed": ("idx", _fill_middle(0)),
    "pos-middle": ("pos", _fill_middle(0xFF)),
    "fast-middle": ("fast", _fill_middle(0xFF)),
    "fieldnorm-tail": ("fieldnorm", _fill_tail),
    "term-middle": ("term", _fill_middle(0xFF)),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pristine")
    archive = Archive.open(folder / "store.json")
    archive.import_paths([bundled_samples()])
    assert archive.search("harbour").total == 3
    return folder


def _damaged(pristine: Path, tmp_path: Path, case: str) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(pristine, folder)
    kind, damage = DAMAGE[case]
    files = list((folder / "store.index").glob(f"*.{kind}"))
    assert files
    for path in files:
        data = bytearray(path.read_bytes())
        damage(data)
        path.write_bytes(bytes(data))
    return folder / "store.json"


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_search_rebuilds_a_damaged_index(pristine: Path, tmp_path: Path, case: str) -> None:
    db = _damaged(pristine, tmp_path, case)
    archive = Archive.open(db)
    for query in ("harbour", '"port avelin"', "harbour -storm", "after:2010"):
        archive.search(query)  # no PanicException, no ValueError
    assert archive.search("harbour").total == 3
    assert SearchIndex(db.with_name("store.index")).verify() == []


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_check_reports_and_repair_rebuilds_a_damaged_index(
        pristine: Path, tmp_path: Path, case: str) -> None:
    db = _damaged(pristine, tmp_path, case)
    report = check(db)
    assert report.index_stale, "check must see the damage before a search trips on it"
    repaired = repair(db)
    assert any("rebuilt the search index" in action for action in repaired.actions)
    assert not check(db).index_stale
    assert Archive.open(db).search("harbour").total == 3


@pytest.mark.parametrize("case", ["idx-middle", "term-tail", "fast-middle"])
def test_reindex_and_import_over_a_damaged_index(
        pristine: Path, tmp_path: Path, case: str) -> None:
    db = _damaged(pristine, tmp_path, case)
    assert Archive.open(db).reindex() == 20
    assert Archive.open(db).search("harbour").total == 3
    db = _damaged(pristine, tmp_path / "again", case)
    story = tmp_path / "story.txt"
    story.write_text("Harbour pilots strike\n\nThe harbour pilots walked out on Monday.\n")
    archive = Archive.open(db)
    report = archive.import_paths([story])
    assert len(report.added) == 1
    assert archive.search("harbour").total == 4


def test_no_panic_or_traceback_reaches_the_terminal(pristine: Path, tmp_path: Path) -> None:
    env = {**os.environ, "RUST_BACKTRACE": "1"}
    for command in (["search", "harbour"], ["check"], ["check", "--repair"], ["reindex"],
                    ["stats"]):
        db = _damaged(pristine, tmp_path / command[-1].strip("-"), "idx-middle")
        done = subprocess.run([sys.executable, "-m", "newstui", "--db", str(db), *command],
                              capture_output=True, text=True, env=env, timeout=120)
        output = done.stdout + done.stderr
        assert done.returncode == 0, output
        for leak in ("panicked", "PanicException", "Traceback", "RUST_BACKTRACE",
                     "stack backtrace"):
            assert leak not in output, f"{command}: {output}"
