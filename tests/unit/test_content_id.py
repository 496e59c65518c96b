"""An article known by its text alone is named by ALL of its text: two stories under
one headline (a daily column, a "Letters" page, a wire story and its correction) are two
articles, and every content field takes part in the id. Corpus-free: a fresh clone
catches an id computed from the headline alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from newstui.archive import Archive
from newstui.article import CONTENT_FIELDS, Article, content_id

BASE = Article(headline="Letters to the editor", body=("First letter.", "Second."),
               dateline="AVELIN", updated="2016-07-27", published="2016-07-26",
               caption="A caption", credit="AP")

CHANGES: dict[str, Any] = {
    "headline": "Letters to the editor, continued",
    "dateline": "DUNMERE",
    "updated": "2016-07-28",
    "published": "2016-07-25",
    "caption": "Another caption",
    "credit": "Reuters",
    "body": ("First letter.", "Second, corrected."),
}


def test_every_content_field_is_covered() -> None:
    assert set(CHANGES) == set(CONTENT_FIELDS)


@pytest.mark.parametrize("field", CONTENT_FIELDS)
def test_changing_any_content_field_changes_the_id(field: str) -> None:
    # id="" recomputes it (dataclasses.replace would copy the old one).
    changed = dataclasses.replace(BASE, **{field: CHANGES[field], "id": ""})
    assert changed.id != BASE.id
    assert content_id(changed) != content_id(BASE)


def test_paragraph_boundaries_are_part_of_the_id() -> None:
    joined = dataclasses.replace(BASE, body=("First letter. Second.",), id="")
    assert joined.id != BASE.id


def test_the_id_is_stable() -> None:
    again = Article(headline="Letters to the editor", body=("First letter.", "Second."),
                    dateline="AVELIN", updated="2016-07-27", published="2016-07-26",
                    caption="A caption", credit="AP")
    assert again.id == BASE.id


def test_two_stories_under_one_headline_both_import(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "monday.txt").write_text("Letters to the editor\n\nThe tram is late again.\n")
    (pages / "tuesday.txt").write_text("Letters to the editor\n\nThe zoo's otters are lovely.\n")
    archive = Archive.open(tmp_path / "store.json")
    report = archive.import_paths([pages])
    assert len(report.added) == 2 and report.ok
    bodies = sorted(a.body[0] for a in archive.store.articles())
    assert bodies == ["The tram is late again.", "The zoo's otters are lovely."]
