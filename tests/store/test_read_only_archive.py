"""A shared archive on a read-only file system (red team F18): tantivy takes a lock
file in the index's folder even to read, so `check` and `stats` called a healthy index
"damaged" (with tantivy's Rust error text) and every reader rebuilt it in memory. The
index is now copied once per write of the archive into the user's cache folder and
searched there; `check` is consistent and `stats` counts it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.store_helpers import run_newstui

from newstui.archive import Archive, bundled_samples


@pytest.fixture
def read_only_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """(the writable store, the same store seen through a read-only mount)."""
    source = tmp_path / "shared"
    source.mkdir()
    db = source / "s.json"
    archive = Archive.open(db)
    archive.import_paths([bundled_samples()])
    archive.search("harbour")  # the index exists and is stamped
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    view = tmp_path / "view"
    view.mkdir()
    if os.geteuid() != 0:
        # Not root: a folder without write permission is read-only enough.
        for folder in (source, *[p for p in source.rglob("*") if p.is_dir()]):
            folder.chmod(0o555)
        try:
            yield db, db
        finally:
            for folder in (source, *[p for p in source.rglob("*") if p.is_dir()]):
                folder.chmod(0o755)
        return
    # root writes anywhere but on a read-only mount.
    bound = subprocess.run(["mount", "--bind", str(source), str(view)], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {bound.stderr.decode().strip()}")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], capture_output=True)
        if ro.returncode != 0:
            pytest.skip(f"cannot remount read-only: {ro.stderr.decode().strip()}")
        yield db, view / "s.json"
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)


def test_check_stats_and_search_on_a_read_only_archive(read_only_view: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    _writable, shared = read_only_view
    checked = run_newstui("--db", str(shared), "check")
    assert checked.returncode == 0, checked.stderr
    assert "damaged" not in checked.stdout and "Lockfile" not in checked.stdout
    assert checked.stdout.strip().splitlines()[-1] == f"{shared}: consistent, 20 articles"
    stats = run_newstui("--db", str(shared), "stats")
    index_line = next(line for line in stats.stdout.splitlines() if line.startswith("index"))
    assert "20 articles" in index_line and "damaged" not in index_line
    found = run_newstui("--db", str(shared), "search", "harbour")
    assert found.returncode == 0 and found.stderr.strip() == "3 matches"
    assert list((tmp_path / "cache" / "newstui" / "indexes").iterdir())


def test_a_new_write_to_the_shared_archive_is_searched_from_a_fresh_copy(
        read_only_view: tuple[Path, Path]) -> None:
    writable, shared = read_only_view
    if writable == shared:
        pytest.skip("needs root's read-only mount (a writable path beside the read-only one)")
    assert "Zanzibar" not in run_newstui("--db", str(shared), "search", "zanzibar").stdout
    story = writable.parent.parent / "new.txt"
    story.write_text("Zanzibar ferry returns\n\nZANZIBAR — The ferry came back today.\n")
    Archive.open(writable).import_paths([story])
    found = run_newstui("--db", str(shared), "search", "zanzibar")
    assert "Zanzibar ferry returns" in found.stdout, found.stderr
