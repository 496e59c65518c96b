"""Snapshots of the three screens at 80×24 (pytest-textual-snapshot).

Textual is pinned exactly in pyproject.toml: its rendering changes between releases,
and so would these pictures. Nothing on these screens depends on the clock or on the
temporary path of the store. Update after a deliberate change with
`pytest tests/tui/test_snapshots.py --snapshot-update` and look at the report.
"""

from __future__ import annotations

from textual.pilot import Pilot

from newstui.tui.app import NewsApp
from tui_helpers import loaded, settle

SIZE = (80, 24)


async def _wait_loaded(pilot: Pilot[int]) -> None:
    await loaded(pilot)


def test_list_screen(app: NewsApp, snap_compare) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=_wait_loaded)


def test_article_screen(app: NewsApp, snap_compare) -> None:
    async def open_first(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot, 0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_first)


def test_search_screen(app: NewsApp, snap_compare) -> None:
    async def search(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        await pilot.press("slash", *"harbour")
        await settle(pilot, 0.6)

    assert snap_compare(app, terminal_size=SIZE, run_before=search)
