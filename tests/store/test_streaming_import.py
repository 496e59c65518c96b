"""An import streams: the store is handed batches as the files are read, never the
whole run at once, and every promise of an import still holds batch by batch — a bad
file is reported while the rest import, the exit status says so, a store error stops
the import with the batches before it whole, and a JSON Lines file of any size is read
a line at a time."""

from __future__ import annotations

import threading
from pathlib import Path

import orjson
import pytest
from support.store_helpers import run_newstui

from newstui import importer
from newstui.archive import Archive
from newstui.article import Article
from newstui.check import check
from newstui.store import ArticleStore, StoreError, UpsertResult


def story(n: int, tag: str = "") -> dict[str, object]:
    return {"headline": f"Harbour story {tag}{n}", "published": "2016-07-27",
            "body": [f"PORT AVELIN — Quay number {tag}{n} opened on Tuesday."]}


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_bytes(b"".join(
        (r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records))
    return path


def news_folder(tmp_path: Path) -> Path:
    """Text pages, a binary file in the middle, and a JSON Lines file with a bad line."""
    folder = tmp_path / "news"
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.txt").write_text(f"Harbour page {n}\n\nPORT AVELIN — Page {n} body.\n",
                                          encoding="utf-8")
    (folder / "b-bad.txt").write_bytes(b"\x00\x01\x02binary" * 50)
    records: list[object] = [story(n) for n in range(30)]
    records[17] = b"{not json"
    write_jsonl(folder / "c.jsonl", records)
    for n in range(3):
        (folder / f"d{n}.txt").write_text(f"Mill page {n}\n\nKELDBY — Mill {n} body.\n",
                                          encoding="utf-8")
    return folder


def test_the_store_is_handed_batches_and_a_bad_file_in_the_middle_is_reported(
        tmp_path: Path) -> None:
    folder = news_folder(tmp_path)
    handed: list[int] = []
    archive = Archive.open(tmp_path / "store.json")

    def upsert(batch: list[Article]) -> UpsertResult:
        handed.append(len(batch))
        return archive.upsert(batch)

    report = importer.stream_import([folder], upsert, batch_articles=4)
    assert max(handed) <= 4 and len(handed) >= 9  # 35 articles, never all at once
    assert len(report.added) == sum(handed) == 3 + 29 + 3
    assert not report.ok
    reasons = sorted(str(p) for p in report.failures)
    assert len(reasons) == 2
    assert "b-bad.txt: binary file" in reasons[0]
    assert "c.jsonl:18: malformed JSON" in reasons[1]
    headlines = {s.headline for s in ArticleStore(tmp_path / "store.json").summaries()}
    assert {"Harbour page 0", "Harbour story 29", "Mill page 2"} <= headlines
    assert "Harbour story 17" not in headlines
    assert report.files == 8


def test_a_store_error_mid_import_keeps_the_batches_before_whole(tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    source = write_jsonl(tmp_path / "many.jsonl", [story(n) for n in range(25)])
    archive = Archive.open(db)
    calls = 0

    def upsert(batch: list[Article]) -> UpsertResult:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise StoreError(f"{db}: no space left on device; the archive is unchanged")
        return archive.upsert(batch)

    before = threading.active_count()
    with pytest.raises(StoreError):
        importer.stream_import([source], upsert, batch_articles=10)
    assert threading.active_count() == before  # the reader thread has ended
    stored = {s.headline for s in ArticleStore(db).summaries()}
    assert stored == {f"Harbour story {n}" for n in range(20)}  # two whole batches
    assert check(db).consistent
    # Importing again completes it.
    again = Archive.open(db).import_paths([source])
    assert (len(again.added), again.already_present) == (5, 20)


def test_duplicates_and_newer_versions_across_batches_count_once(tmp_path: Path) -> None:
    item = {"headline": "Ferry timetable", "feed": "https://example.org/feed",
            "guid": "ferry-1", "body": ["Old times."], "published": "2016-01-02"}
    newer = {**item, "headline": "Ferry timetable changes", "body": ["New times."]}
    records: list[object] = [item, *[story(n) for n in range(6)], story(0), newer]
    source = write_jsonl(tmp_path / "run.jsonl", records)
    db = tmp_path / "store.json"
    report = importer.stream_import([source], Archive.open(db).upsert, batch_articles=3)
    assert len(report.added) == 7 and report.updated == []
    assert report.duplicates == 2 and report.already_present == 0
    # The last version read is the one stored, as in one write.
    stored = ArticleStore(db).get(Article.from_record(item).id)
    assert stored is not None and stored.headline == "Ferry timetable changes"


def test_a_json_lines_file_over_the_file_size_cap_is_read_a_line_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "_MAX_FILE_BYTES", 2000)
    big = write_jsonl(tmp_path / "big.jsonl", [story(n) for n in range(40)])
    page = tmp_path / "big.txt"
    page.write_text("Long page\n\nPORT AVELIN — " + "word " * 1000, encoding="utf-8")
    assert big.stat().st_size > 2000
    report = Archive.open(tmp_path / "store.json").import_paths([big, page])
    assert len(report.added) == 40
    assert [str(p) for p in report.failures] == [f"{page}: file too large (0 MiB) to be an article"]


def test_an_unchanged_file_is_not_read_again_but_a_lost_article_makes_it(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "run.jsonl", [story(n) for n in range(12)])
    db = tmp_path / "store.json"
    assert len(Archive.open(db).import_paths([source]).added) == 12
    again = Archive.open(db).import_paths([source])
    assert (len(again.added), again.already_present) == (0, 12)
    Archive.open(db).delete([Article.from_record(story(3)).id])
    third = Archive.open(db).import_paths([source])
    assert (len(third.added), third.already_present) == (1, 11)


def test_cli_import_of_several_batches_with_a_bad_file_between_them(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [story(n, "a") for n in range(2500)])
    (folder / "b.txt").write_bytes(b"")
    records: list[object] = [story(n, "c") for n in range(2500)]
    records[1200] = {"headline": "no body"}
    write_jsonl(folder / "c.jsonl", records)
    db = tmp_path / "store.json"
    result = run_newstui("--db", str(db), "import", str(folder), timeout=300)
    assert result.returncode == 1
    assert f"{folder / 'b.txt'}: empty file" in result.stderr
    assert f"{folder / 'c.jsonl'}:1201:" in result.stderr
    assert "imported 4999, already present 0, failed 2" in result.stdout
    assert sum(1 for _ in ArticleStore(db).ids()) == 4999
    assert check(db).consistent
    manifest = orjson.loads(db.read_bytes())
    assert manifest["meta"]["store"]["generation"] >= 3  # one write per batch


def test_a_streamed_json_lines_file_with_a_byte_order_mark_imports(tmp_path: Path) -> None:
    source = tmp_path / "bom.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + b"".join(orjson.dumps(story(n)) + b"\n"
                                                 for n in range(3)))
    report = Archive.open(tmp_path / "store.json").import_paths([source])
    assert (len(report.added), report.failures) == (3, [])


def test_an_unforeseen_error_mid_file_fails_that_file_and_the_rest_import(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [story(n, "a") for n in range(5)])
    write_jsonl(folder / "b.jsonl", [story(n, "b") for n in range(5)])
    real = importer.article_from_json

    def flaky(record: object, notes: list[str] | None = None) -> Article:
        if isinstance(record, dict) and record.get("headline") == "Harbour story a3":
            raise RuntimeError("a library raised what nobody foresaw")
        return real(record, notes)

    monkeypatch.setattr(importer, "article_from_json", flaky)
    report = Archive.open(tmp_path / "store.json").import_paths([folder])
    assert [str(p) for p in report.failures] == [
        f"{folder / 'a.jsonl'}: could not be read (RuntimeError: a library raised what "
        "nobody foresaw); please report this file"]
    assert len(report.added) == 3 + 5  # what a.jsonl gave before the error, and all of b


def test_a_line_break_in_a_file_name_cannot_print_a_second_line(tmp_path: Path) -> None:
    """Red team F24: a crafted name printed a made-up status line of its own."""
    folder = tmp_path / "nl"
    folder.mkdir()
    (folder / "bad\nnewstui: imported 999 FAKE.txt").write_text("x", encoding="utf-8")
    (folder / "good.txt").write_text("Harbour page\n\nPORT AVELIN — A body.\n",
                                     encoding="utf-8")
    result = run_newstui("--db", str(tmp_path / "store.json"), "import", str(folder))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == 1, errors
    assert "bad\\nnewstui: imported 999 FAKE.txt: no article found" in errors[0]
    assert result.stdout.startswith("imported 1, ")
