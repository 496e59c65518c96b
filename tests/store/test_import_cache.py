"""The import cache (which files an import read, with their article ids) costs what the
files of an import cost: an import appends their lines instead of rewriting what every
earlier import remembered, and a big JSON Lines file's ids are kept as one string."""

from __future__ import annotations

from pathlib import Path

import orjson

from newstui.archive import Archive


def write_jsonl(path: Path, count: int, tag: str) -> Path:
    path.write_bytes(b"".join(orjson.dumps(
        {"headline": f"Story {tag} {n}", "body": [f"Body of {tag} {n}."]}) + b"\n"
        for n in range(count)))
    return path


def test_an_import_appends_to_the_cache_and_an_unchanged_file_is_not_read(
        tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    big = write_jsonl(tmp_path / "big.jsonl", 300, "big")
    assert len(Archive.open(db).import_paths([big]).added) == 300
    cache = db.with_name("store.sources.json")
    first = cache.read_bytes()
    lines = first.splitlines()
    assert len(lines) == 2  # a head, then one line for the file with its ids as one string
    source, _, _, ids = orjson.loads(lines[1])
    assert source == str(big) and isinstance(ids, str) and len(ids) == 300 * 16

    small = write_jsonl(tmp_path / "small.jsonl", 2, "small")
    assert len(Archive.open(db).import_paths([small]).added) == 2
    assert cache.read_bytes().startswith(first)  # appended, not rewritten

    again = Archive.open(db).import_paths([big, small])
    assert (len(again.added), again.already_present, again.failures) == (0, 302, [])


def test_a_cache_of_an_earlier_release_or_cut_short_is_rebuilt(tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    big = write_jsonl(tmp_path / "big.jsonl", 20, "big")
    Archive.open(db).import_paths([big])
    cache = db.with_name("store.sources.json")
    # The single JSON document an earlier release wrote: not understood, so rebuilt.
    cache.write_bytes(orjson.dumps({"store_id": "x", "files": {str(big): [1, 2, []]}}))
    assert Archive.open(db).import_paths([big]).already_present == 20
    assert cache.read_bytes().splitlines()[0].startswith(b'{"store_id"')
    # A line cut short (a kill while appending): that file is read again, no error.
    cache.write_bytes(cache.read_bytes()[:-40])
    report = Archive.open(db).import_paths([big])
    assert (len(report.added), report.already_present, report.ok) == (0, 20, True)
