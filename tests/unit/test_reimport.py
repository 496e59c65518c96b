"""Importing a folder again reads only what changed since."""

from __future__ import annotations

import shutil
from pathlib import Path

from newstui.archive import Archive, bundled_samples
from newstui.rawtext import parse_page


def test_unchanged_files_are_not_read_again_and_changed_ones_are(tmp_path: Path) -> None:
    folder = tmp_path / "news"
    shutil.copytree(bundled_samples(), folder)
    db = tmp_path / "store.json"
    first = Archive.open(db).import_paths([folder])
    assert (len(first.added), first.already_present) == (20, 0)
    assert db.with_name("store.sources.json").exists()

    # Nothing changed: every file is known, none is parsed (an unreadable copy would
    # fail if it were), and all 20 are reported as already present.
    again = Archive.open(db).import_paths([folder])
    assert (len(again.added), again.already_present, again.failures) == (0, 20, [])

    # One file edited: it alone is read again and its new article added.
    edited = sorted(folder.iterdir())[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Trawlers", "Fishing boats"),
                      encoding="utf-8")
    third = Archive.open(db).import_paths([folder])
    assert len(third.added) == 1 and third.already_present == 19
    new = Archive.open(db).store.get(third.added[0])
    assert new is not None and "Fishing boats" in new.headline


def test_a_lost_cache_or_a_restored_store_reads_everything_again(tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    Archive.open(db).import_paths([bundled_samples()])
    db.with_name("store.sources.json").write_bytes(b"not json")
    assert Archive.open(db).import_paths([bundled_samples()]).already_present == 20
    # The store goes back to an empty one; the cache still lists the files.
    db.unlink()
    shutil.rmtree(db.with_name("store.segments"))
    report = Archive.open(db).import_paths([bundled_samples()])
    assert len(report.added) == 20


def test_a_story_ending_in_a_price_table_is_not_an_archive_index() -> None:
    page = """U.S. FEEDER STEER PRICE

The U.S. Feeder Steer Price, as posted by the exchange, is calculated by Cattle Fax and \
represents the price used for cash settlement of the Feeder Cattle contract, over a seven \
day average of feeder steer prices from 27 states, based on auction and direct country \
sales for feeder steers that weigh between 600 and 800 lbs.

April 5         Previous quote

69.35             69.25

April 3

69.32
"""
    article = parse_page(page).articles[0]
    assert article.headline == "U.S. FEEDER STEER PRICE"
