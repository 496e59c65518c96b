"""Keys that arrive in one write (one SSH packet, a paste, a fast typist) must all
count, whatever screen or focus change the first of them causes.

The keys are posted to the app the way the driver posts what it reads, without
waiting in between: Pilot's `press` lets each key finish first, which hides the
class."""

from __future__ import annotations

from support.reader import loaded, screen_text, settle, until
from textual import events
from textual.pilot import Pilot

from newstui.tui.app import NewsApp
from newstui.tui.screens.article_screen import ArticleScreen
from newstui.tui.screens.list_screen import ListScreen
from newstui.tui.screens.search_screen import SearchScreen
from newstui.tui.widgets.article_list import ArticleList
from newstui.tui.widgets.result_list import ResultList

SIZE = (80, 24)
COTTON = "Saltgrave Cotton Mill Reopens With 120 Jobs"
CHARACTERS = {"enter": "\r", "escape": "\x1b", "down": None, "up": None}


async def together(pilot: Pilot[int], *keys: str) -> None:
    """Post `keys` at once, as the driver does with one read of several keys. The
    caller then waits (`until`) for what the keys must lead to."""
    for key in keys:
        character = CHARACTERS.get(key, key if len(key) == 1 else None)
        name = {"/": "slash", " ": "space"}.get(key, key)
        pilot.app.post_message(events.Key(name, character))


async def search_for(pilot: Pilot[int], text: str) -> None:
    await pilot.press("slash", *text)
    results = pilot.app.screen.query_one(ResultList)
    for _ in range(100):
        await pilot.pause(0.05)
        if results.count:
            break
    assert results.count


async def test_down_then_enter_in_the_query_box_opens_the_first_result(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await search_for(pilot, "cotton")
        await together(pilot, "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen)
                    and COTTON in screen_text(pilot), "the first result opened")


async def test_enter_then_enter_in_the_query_box_opens_the_first_result(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await search_for(pilot, "cotton")
        await together(pilot, "enter", "enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen),
                    "the first result opened")


async def test_slash_and_a_query_go_into_the_query_box(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await together(pilot, "/", *"cotton")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen)
                    and app.screen.query_one("#query").value == "cotton"  # type: ignore[attr-defined]
                    and COTTON in screen_text(pilot), "'cotton' in the box and its result")


async def test_open_then_next_reaches_the_article_screen(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await together(pilot, "enter", "n")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen)
                    and "article 2 of 21" in screen_text(pilot), "the second article")


async def test_back_then_down_moves_the_list_cursor(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await together(pilot, "q", "j", "j")
        await until(pilot, lambda: isinstance(app.screen, ListScreen)
                    and app.screen.query_one(ArticleList).cursor == 2,
                    "the list's cursor on the third row")


async def test_up_from_the_first_result_then_typing_edits_the_query(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await search_for(pilot, "mill")
        await pilot.press("down")
        await settle(pilot)
        await together(pilot, "up", *"s")
        await until(pilot, lambda: app.screen.query_one("#query").value  # type: ignore[attr-defined]
                    == "mills", "'mills' in the query box")


async def test_enter_right_after_the_query_goes_to_the_results(app: NewsApp) -> None:
    """"cotton" and Enter in one packet: the box takes every key before its Changed
    messages reach the screen, and Enter's binding runs in the app's own task, so
    under load the Changed messages ("c", "co", … "cotton") can arrive after Enter.
    None of them may take back Enter's "go to the results". (The order is made here
    by hand: it is what a loaded machine did to the pty test of typing while the
    search screen opens.)"""
    from textual.widgets import Input

    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen), "the search screen")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        box = screen.query_one("#query", Input)
        with box.prevent(Input.Changed):  # the keys taken, their Changed not yet seen
            box.value = "cotton"
        screen.action_submit_query()  # Enter's binding, before any result came
        for typed in ("c", "co", "cot", "cott", "cotto", "cotton"):  # their Changed after
            box.post_message(Input.Changed(box, typed))
        await until(pilot, lambda: isinstance(screen.focused, ResultList),
                    "the focus on the results")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ArticleScreen)
                    and COTTON in screen_text(pilot), "cotton's article open")
