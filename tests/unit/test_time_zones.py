"""Times with a zone keep their instant (stored in UTC with `+00:00`), are shown in the
reader's local time, and zone names are read — never a dateutil warning on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstui.archive import Archive
from newstui.dates import local_moment, parse_article_date
from newstui.rawtext import parse_page
from newstui.render import display_date, short_date
from newstui.search import timestamp


@pytest.mark.parametrize(("text", "stored"), [
    ("2016-07-26T23:30-05:00", "2016-07-27T04:30+00:00"),
    ("July 26, 2016 23:30 -0500", "2016-07-27T04:30+00:00"),
    ("Dec 3, 2009 14:05 ET", "2009-12-03T19:05+00:00"),      # New York, winter
    ("July 3, 2009 14:05 ET", "2009-07-03T18:05+00:00"),     # New York, summer
    ("July 3, 2009 14:05 EDT", "2009-07-03T18:05+00:00"),
    ("Dec 3, 2009 14:05 EST", "2009-12-03T19:05+00:00"),
    ("Dec 3, 2009 09:00 PST", "2009-12-03T17:00+00:00"),
    ("July 3, 2009 09:00 PT", "2009-07-03T16:00+00:00"),
    ("July 3, 2009 09:00 BST", "2009-07-03T08:00+00:00"),
    ("Dec 3, 2009 09:00 CET", "2009-12-03T08:00+00:00"),
    ("July 3, 2009 09:00 CEST", "2009-07-03T07:00+00:00"),
    ("Dec 3, 2009 09:00 MSK", "2009-12-03T06:00+00:00"),
    ("Dec 3, 2009 09:00 JST", "2009-12-03T00:00+00:00"),
    ("Dec 3, 2009 09:00 GMT", "2009-12-03T09:00+00:00"),
    ("Dec 3, 2009 09:00 UTC", "2009-12-03T09:00+00:00"),
    ("Dec 3, 2009 09:00 GMT+3", "2009-12-03T06:00+00:00"),
    # No zone: the time as written (the local time of wherever it was filed).
    ("Dec 3, 2009 09:00", "2009-12-03T09:00"),
])
def test_a_time_with_a_zone_keeps_its_instant(text: str, stored: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no dateutil warning may escape
        assert parse_article_date(text) == stored


def test_an_unknown_zone_is_noted_in_our_words_and_the_time_kept() -> None:
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_article_date("Dec 3, 2009 09:00 XYZT", notes) == "2009-12-03T09:00"
    assert notes == ["time zone 'XYZT' in 'Dec 3, 2009 09:00 XYZT' not recognised; "
                     "time kept as written"]


def test_a_page_with_an_unknown_zone_imports_with_a_warning() -> None:
    parsed = parse_page("Updated: Dec 3, 2009 09:00 XYZT\n\nHeadline\n\nBody.")
    assert parsed.articles[0].updated == "2009-12-03T09:00"
    assert any("XYZT" in w and "not recognised" in w for w in parsed.warnings)


def test_importing_zone_names_prints_no_python_warning(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n, zone in enumerate(["ET", "BST", "XYZT", "PT", "CEST"]):
        (pages / f"{n}.txt").write_text(
            f"Updated: Dec {n + 1}, 2009 09:00 {zone}\n\nHeadline {n}\n\nBody {n}.\n")
    env = {**os.environ, "NEWSTUI_DB": str(tmp_path / "store.json"), "PYTHONWARNINGS": "default"}
    done = subprocess.run([sys.executable, "-m", "newstui", "import", str(pages)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "tzname" not in done.stderr
    assert "'XYZT'" in done.stdout + done.stderr and "not recognised" in done.stdout + done.stderr


@pytest.fixture
def new_york() -> Iterator[None]:
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    old = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def test_an_instant_is_shown_in_local_time(new_york: None) -> None:
    stored = "2016-07-27T04:30+00:00"
    assert display_date(stored) == "27 July 2016 00:30"   # EDT is UTC-4
    assert short_date(stored) == "2016-07-27"
    assert display_date("2016-07-27T03:30+00:00") == "26 July 2016 23:30"
    assert short_date("2016-07-27T03:30+00:00") == "2016-07-26"
    # A time without a zone is shown as written, a day as a day.
    assert display_date("2016-07-27T04:30") == "27 July 2016 04:30"
    assert display_date("2016-07-27") == "27 July 2016"
    assert local_moment("not a date") is None


def test_the_index_orders_by_the_instant(tmp_path: Path) -> None:
    # 23:30 in New York is later than 01:00 in London on the same night.
    assert timestamp("2016-07-27T03:30+00:00") > timestamp("2016-07-27T01:00+00:00")  # type: ignore[operator]
    archive = Archive.open(tmp_path / "store.json")
    archive.import_paths([])
    from newstui.article import Article

    late = Article(headline="New York late", body=("x",),
                   published=parse_article_date("2016-07-26T23:30-04:00"))
    early = Article(headline="London early", body=("x",),
                    published=parse_article_date("2016-07-27T02:00+01:00"))
    archive.add([late, early])
    found = archive.search("on:2016-07-27")
    assert [h.article.headline for h in found.hits] == ["New York late", "London early"]
