"""`stats` reads the manifest, not the rows: each segment's entry says how many of its
live articles are dated and their first and last day. A manifest written before those
figures existed still works (the segment is read) and the next write fills them in;
deleting or replacing articles keeps them true; `check` finds an article stored twice
among many segments without holding a Python object per article."""

from __future__ import annotations

from pathlib import Path

import orjson
from support.store_helpers import manifest_of, run_newstui, segment_files, story

from newstui.archive import Archive
from newstui.article import Article
from newstui.check import check


def stats(db: Path) -> dict[str, str]:
    done = run_newstui("--db", str(db), "stats")
    assert done.returncode == 0, done.stderr
    return {line[:11].strip(): line[12:] for line in done.stdout.splitlines()}


def grown(db: Path) -> Archive:
    archive = Archive.open(db)
    archive.upsert([story(n, day=1 + n % 28) for n in range(12)])
    archive.upsert([Article(f"Undated {n}", (f"Body {n}.",)) for n in range(3)])
    archive.upsert([story(100 + n, day=5) for n in range(4)])
    return archive


def test_each_segment_entry_carries_its_dates_and_stats_reads_no_row(
        tmp_path: Path, small_segments: int) -> None:
    db = tmp_path / "a.json"
    grown(db)
    entries = manifest_of(db)["segments"]
    assert len(entries) >= 4
    assert sum(e["dated"] for e in entries.values()) == 16
    assert min(e["first"] for e in entries.values() if e["dated"]) == "2024-01-01"
    before = stats(db)
    assert before["articles"] == "19"
    assert before["dated"] == "16 (2024-01-01 to 2024-01-12)"
    # The rows are not read: segments whose rows cannot be parsed give the same figures
    # (a damaged row is check's to find; stats opens each segment's head only).
    for path in segment_files(db).values():
        data = path.read_bytes()
        head, _, rest = data.partition(b'"articles"')
        path.write_bytes(head + b'"articles"' + rest.replace(b"2024-01-", b"1999-12-"))
    assert stats(db)["dated"] == before["dated"]


def test_a_manifest_from_before_the_dates_still_works_and_the_next_write_fills_them_in(
        tmp_path: Path, small_segments: int) -> None:
    db = tmp_path / "a.json"
    grown(db)
    expected = stats(db)
    manifest = manifest_of(db)
    for entry in manifest["segments"].values():
        for key in ("dated", "first", "last"):
            del entry[key]
    db.write_bytes(orjson.dumps(manifest))
    old = stats(db)
    assert (old["articles"], old["dated"]) == (expected["articles"], expected["dated"])
    assert check(db).consistent
    Archive.open(db).upsert([story(500, day=2)])
    entries = manifest_of(db)["segments"].values()
    assert all({"dated", "first", "last"} <= set(e) for e in entries)
    after = stats(db)
    assert after["articles"] == "20"
    assert after["dated"] == "17 (2024-01-01 to 2024-01-12)"


def test_deleted_articles_leave_the_dates(tmp_path: Path, small_segments: int) -> None:
    db = tmp_path / "a.json"
    archive = grown(db)
    oldest = story(0, day=1)
    newest = story(11, day=12)
    archive.delete([oldest.id, newest.id])
    assert stats(db)["dated"] == "14 (2024-01-02 to 2024-01-11)"
    # A hand-edited figure that makes no sense is read again from the segment.
    manifest = manifest_of(db)
    for entry in manifest["segments"].values():
        entry["dated"] = "many"
    db.write_bytes(orjson.dumps(manifest))
    assert stats(db)["dated"] == "14 (2024-01-02 to 2024-01-11)"


def test_check_finds_an_article_stored_in_two_segments(tmp_path: Path,
                                                       small_segments: int) -> None:
    db = tmp_path / "a.json"
    grown(db)
    files = segment_files(db)
    first, last = files["000001"], files[max(files)]
    # Put a copy of a record of the first segment into the last (a bad hand edit).
    records = orjson.loads(first.read_bytes())["articles"]
    key = next(iter(records))
    data = orjson.loads(last.read_bytes())
    data["articles"][key] = records[key]
    data["meta"]["store"]["rows"] += 1
    last.write_bytes(orjson.dumps(data))
    manifest = manifest_of(db)
    manifest["segments"][max(files)]["rows"] += 1
    manifest["meta"]["store"]["live"] += 1
    db.write_bytes(orjson.dumps(manifest))
    report = check(db)
    assert not report.consistent
    assert any("stored twice" in p and key in p for p in report.problems), report.problems
    assert report.articles == 19
