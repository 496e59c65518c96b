"""A store or a reading-state file that cannot be read: the reader says so once, in
one line, and leaves with exit status 1 — or, when the damage comes after it has
read the archive, says so once and goes on. Never a loop, and Ctrl+C always quits.

(Before the reader model, the failure was re-posted between the app and its screens
for ever: a core at 100%, and with an article open Ctrl+C did nothing.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from support.reader import loaded, settle
from textual.pilot import Pilot

from newstui.archive import Archive
from newstui.tui.app import NewsApp
from newstui.tui.screens.article_screen import ArticleScreen

SIZE = (80, 24)


def truncate_file(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def damage_state(archive: Archive) -> Path:
    archive.store.set_state("x" * 16, archive.store.state("x" * 16).__class__(starred=True))
    state = archive.store.state_path
    truncate_file(state)
    return state


async def run_within(app: NewsApp, body: Callable[[Pilot[int]], Awaitable[None]],
                     seconds: float = 30.0) -> None:
    """Run `body` under Pilot, failing (not hanging) if the reader never settles."""

    async def session() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await body(pilot)

    await asyncio.wait_for(session(), seconds)


async def wait_exit(pilot: Pilot[int], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if pilot.app._exit:
            return
        await pilot.pause(0.05)


@pytest.mark.parametrize("damage", ["store", "state"])
async def test_a_damaged_file_at_start_is_one_message_and_exit_status_1(
        archive: Archive, damage: str) -> None:
    if damage == "store":
        path = archive.path
        truncate_file(path)
    else:
        path = damage_state(archive)
    app = NewsApp(Archive.open(archive.path))

    async def body(pilot: Pilot[int]) -> None:
        await wait_exit(pilot)

    await run_within(app, body)
    assert app.return_code == 1
    assert app.failure is not None and str(path) in app.failure
    assert "\n" not in app.failure
    assert len(app._notifications) == 0  # said once, on stderr, after the screen is gone


async def test_damage_while_reading_is_said_once_and_ctrl_c_quits(archive: Archive) -> None:
    app = NewsApp(archive)

    async def body(pilot: Pilot[int]) -> None:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        truncate_file(archive.path)  # another process broke the store
        for _ in range(3):  # what the timer does every few seconds
            app._watch()
            await settle(pilot, 0.3)
        assert len(app._notifications) == 1
        assert "Cannot read the archive" in next(iter(app._notifications)).title
        assert isinstance(app.screen, ArticleScreen)  # still reading
        await pilot.press("j", "q")
        await settle(pilot)
        await pilot.press("ctrl+c")
        await wait_exit(pilot)
        assert app._exit

    await run_within(app, body)
    assert app.return_code == 0
