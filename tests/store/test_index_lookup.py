"""A write learns which of its articles are stored already from the index when the
index reflects the store as it is, and from the segments otherwise: never a duplicate,
whatever state the index is in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.store_helpers import story

from newstui.archive import Archive
from newstui.check import check
from newstui.segment import ArticleFile
from newstui.store import ArticleStore


def test_an_import_into_a_current_index_reads_no_sealed_segment(
        tmp_path: Path, small_segments: int, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(n) for n in range(23)])

    def no_scan(*_: object) -> None:
        raise AssertionError("a segment's rows were read to find an id")

    monkeypatch.setattr(ArticleFile, "ids_among", no_scan)
    monkeypatch.setattr(ArticleFile, "has", no_scan)
    report = Archive.open(db).upsert([story(100), story(101)])
    assert len(report.added) == 2
    monkeypatch.undo()
    assert len(ArticleStore(db)) == 25 and check(db).consistent


@pytest.mark.parametrize("damage", ["index removed", "index stale"])
def test_without_a_current_index_the_segments_say_what_is_stored(
        tmp_path: Path, small_segments: int, damage: str) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(n) for n in range(23)])
    index = db.with_name("a.index")
    kept = tmp_path / "kept.index"
    shutil.copytree(index, kept)
    Archive.open(db).upsert([story(200 + n) for n in range(4)])
    shutil.rmtree(index)
    if damage == "index stale":
        # The index of an earlier generation, which lacks the last write's articles.
        shutil.copytree(kept, index)
    again = Archive.open(db).upsert([story(n) for n in range(23)] + [story(203), story(300)])
    assert [a.headline for a in again.added] == ["Story number 300"]
    assert check(db).consistent
    assert Archive.open(db).search('"Story number 203"').total == 1
