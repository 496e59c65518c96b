"""Snapshots of the three screens at 80×24 (pytest-textual-snapshot).

Textual is pinned exactly in pyproject.toml: its rendering changes between releases,
and so would these pictures. Nothing on these screens depends on the clock or on a
path: the articles' `source` (the last lines of an article, whose length moves the
article's scroll bar) names the samples relative to the repository, wherever it is.
Update after a deliberate change with `pytest tests/tui/test_snapshots.py
--snapshot-update` and look at the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from support.reader import loaded, settle
from textual.pilot import Pilot
from textual.widgets import Input

from newstui.archive import Archive, bundled_samples
from newstui.importer import read_file
from newstui.tui.app import NewsApp
from newstui.tui.widgets.result_list import ResultList

SIZE = (80, 24)
SnapCompare = Callable[..., bool]  # pytest-textual-snapshot's fixture


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """The samples and the hostile article (tests/tui/conftest.py), their sources named
    the same in every checkout."""
    from tui.conftest import write_hostile

    incoming = tmp_path / "incoming"
    incoming.mkdir()
    files = [*sorted(bundled_samples().iterdir()), write_hostile(incoming)]
    articles = [replace(article, source=f"data/samples/{path.name}")
                for path in files for article in read_file(path)[0]]
    archive = Archive.open(tmp_path / "articles.json")
    assert len(archive.upsert(articles).added) == 21
    return Archive.open(tmp_path / "articles.json")


async def _wait_loaded(pilot: Pilot[int]) -> None:
    await loaded(pilot)


def test_list_screen(app: NewsApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=_wait_loaded)


def test_article_screen(app: NewsApp, snap_compare: SnapCompare) -> None:
    async def open_first(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot, 0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_first)


def test_search_screen(app: NewsApp, snap_compare: SnapCompare) -> None:
    async def search(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        await pilot.press("slash", *"harbour")
        results = pilot.app.screen.query_one(ResultList)
        for _ in range(100):  # the search runs in a worker: wait for its answer
            await pilot.pause(0.05)
            if results.count:
                break
        # A blinking cursor would make the picture depend on the moment it is taken.
        pilot.app.screen.query_one(Input).cursor_blink = False
        await settle(pilot, 0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=search)
