"""The reader driven by Pilot at 80×24: every screen and binding, on a temporary store.

Assertions are on what the reader sees (the screen's text) and on what survives (the
state file on disk, read back through a fresh store)."""

from __future__ import annotations

import pytest
from support.reader import loaded, screen_text, settle
from textual.pilot import Pilot
from textual.widgets import Input

from newstui.archive import Archive
from newstui.store import ArticleStore
from newstui.tui.app import LIGHT_THEME, NewsApp
from newstui.tui.screens.article_screen import ArticleScreen
from newstui.tui.screens.help_screen import HelpScreen
from newstui.tui.screens.list_screen import ListScreen
from newstui.tui.screens.search_screen import SearchScreen
from newstui.tui.widgets.article_list import ArticleList
from newstui.tui.widgets.article_view import ArticleView
from newstui.tui.widgets.result_list import ResultList

SIZE = (80, 24)
NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"
SECOND = "Orlan Software Startup Raises £12 Million"
OLDEST = "Kestrel Valley Braces for Spring Floods"
TRAWLERS = "Trawlers Return to Port Avelin Harbour After Storm Season"
COTTON = "Saltgrave Cotton Mill Reopens With 120 Jobs"


def article_list(app: NewsApp) -> ArticleList:
    return app.screen.query_one(ArticleList)


def fresh_store(archive: Archive) -> ArticleStore:
    return ArticleStore(archive.path)


async def open_headline(pilot: Pilot[int], app: NewsApp, headline: str) -> None:
    rows = article_list(app).articles
    index = next(i for i, a in enumerate(rows) if a.headline == headline)
    article_list(app).cursor = index
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, ArticleScreen)


async def test_list_shows_every_article_newest_first(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        text = screen_text(pilot)
        lines = text.splitlines()
        assert "21 articles" in lines[0]
        assert NEWEST in lines[1] and "2016-12-01" in lines[1] and "MARROWBY" in lines[1]
        assert lines[1].startswith("●")  # unread mark
        assert SECOND in lines[2]
        # Everything fits in 80 columns: long headlines are cut with an ellipsis.
        assert all(len(line) <= 80 for line in lines)
        trawlers = next(line for line in lines if "Trawlers" in line)
        assert trawlers.rstrip().endswith("…")
        assert "Trawlers Return to Port Avelin Harbour After" in trawlers
        assert "Search" in lines[-1] and "Quit" in lines[-1]  # the footer's keys


async def test_cursor_keys_move_and_page(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        articles = article_list(app)
        await pilot.press("down", "j")
        assert articles.cursor == 2
        await pilot.press("up")
        assert articles.cursor == 1
        await pilot.press("k")
        assert articles.cursor == 0
        await pilot.press("G")
        assert articles.cursor == 20
        assert "Hostile [bold]Markup[/bold] Story" in screen_text(pilot)  # scrolled into view
        await pilot.press("g")
        assert articles.cursor == 0
        await pilot.press("end")
        assert articles.cursor == 20
        await pilot.press("home", "pagedown")
        assert articles.cursor == min(20, articles.scrollable_content_region.height)
        await pilot.press("pageup")
        assert articles.cursor == 0


async def test_article_screen_renders_headline_dateline_caption_body(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await open_headline(pilot, app, TRAWLERS)
        text = screen_text(pilot)
        assert TRAWLERS in text
        assert "PORT AVELIN · Updated 19 July 2013" in text
        assert "Photo: AP — A fisherman mends nets on the quay at Port Avelin on Monday." in text
        # A readable measure: no line is longer than 76 columns plus the 2-column margin
        # (column 80 is the scroll bar).
        body_lines = [line[:79].rstrip() for line in text.splitlines()[1:-1]]
        assert max(len(line) for line in body_lines) <= 78


async def test_back_keys_return_to_the_list_with_the_cursor_in_place(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for key in ("q", "escape", "backspace"):
            await pilot.press("j", "j", "j", "enter")
            await settle(pilot)
            assert isinstance(app.screen, ArticleScreen)
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ListScreen)
            assert article_list(app).cursor == 3
            await pilot.press("g")


async def test_opening_marks_read_and_it_is_saved(app: NewsApp, archive: Archive) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        newest = article_list(app).articles[0]
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert screen_text(pilot).splitlines()[1].startswith(" ")  # no unread mark now
        app.model.flush()
        assert fresh_store(archive).state(newest.id).read


async def test_star_and_read_toggle_are_shown_and_saved(app: NewsApp, archive: Archive) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        newest = article_list(app).articles[0]
        await pilot.press("s")
        await settle(pilot)
        assert screen_text(pilot).splitlines()[1].startswith("●★")
        await pilot.press("u")
        await settle(pilot)
        assert screen_text(pilot).splitlines()[1].startswith(" ★")
        app.model.flush()
        state = fresh_store(archive).state(newest.id)
        assert state.starred and state.read
        await pilot.press("u", "s")
        app.model.flush()
        state = fresh_store(archive).state(newest.id)
        assert not state.starred and not state.read


async def test_filter_cycles_all_unread_starred(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s", "j", "u")  # star the newest, mark the second read
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(pilot)
        assert "20 of 21 articles — unread" in text
        assert SECOND not in text
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(pilot)
        assert "1 of 21 articles — starred" in text
        assert NEWEST in text and SECOND not in text
        await pilot.press("f")
        await settle(pilot)
        assert "21 articles — all" in screen_text(pilot)


async def test_order_cycles_newest_oldest_headline(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("o")
        await settle(pilot)
        lines = screen_text(pilot).splitlines()
        assert "oldest first" in lines[0]
        assert OLDEST in lines[1]
        await pilot.press("o")
        await settle(pilot)
        lines = screen_text(pilot).splitlines()
        assert "by headline" in lines[0]
        assert "Ancient Mosaic" in lines[1]  # alphabetical: A first
        assert "Avelin Herald" in lines[2]
        await pilot.press("o")
        await settle(pilot)
        assert NEWEST in screen_text(pilot).splitlines()[1]


async def test_next_and_previous_walk_the_list(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert NEWEST in screen_text(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert SECOND in screen_text(pilot)
        assert "article 2 of 21" in screen_text(pilot)
        await pilot.press("p", "p")  # the second p finds no earlier article
        await settle(pilot)
        assert NEWEST in screen_text(pilot)
        await pilot.press("n", "q")
        await settle(pilot)
        assert article_list(app).cursor == 1  # the list follows the reader


async def test_reopening_returns_to_the_reading_position(app: NewsApp, archive: Archive) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        view = app.screen.query_one("#article")
        position = view.scroll_offset.y
        assert position > 0
        first_line = screen_text(pilot).splitlines()[1]
        await pilot.press("q")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, 0.2)
        assert app.screen.query_one("#article").scroll_offset.y == position
        assert screen_text(pilot).splitlines()[1] == first_line
        await pilot.press("q")
        app.model.flush()
    assert fresh_store(archive).state(article_list_first_id(archive)).position == position


def article_list_first_id(archive: Archive) -> str:
    from newstui.listing import arrange

    store = fresh_store(archive)
    return arrange(store.articles(), store.states())[0].id


async def test_article_scroll_keys(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one("#article")
        await pilot.press("j", "down")
        assert view.scroll_offset.y == 2
        await pilot.press("k")
        assert view.scroll_offset.y == 1
        await pilot.press("pagedown")
        page = view.scrollable_content_region.height - 1
        assert view.scroll_offset.y == min(1 + page, view.max_scroll_y)
        await pilot.press("b")
        assert view.scroll_offset.y == 0
        await pilot.press("G")
        assert view.scroll_offset.y == view.max_scroll_y > 0
        await pilot.press("g")
        assert view.scroll_offset.y == 0
        await pilot.press("end", "home")
        assert view.scroll_offset.y == 0


async def test_search_as_you_type_opens_results_with_highlights(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"cotton")
        await settle(pilot, 0.5)
        text = screen_text(pilot)
        assert "1 match" in text
        assert COTTON in text
        assert "2015-06-18 · SALTGRAVE" in text
        results = app.screen.query_one(ResultList)
        assert results.hits[0].snippet.highlights  # the snippet marks "cotton"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        text = screen_text(pilot)
        assert COTTON in text
        assert "Photo: Reuters — Bales of cotton" in text
        view = app.screen.query_one("#article", ArticleView)
        highlighted = [line for line in view._lines
                       if line.spans and "cotton" in line.plain.lower()]
        assert highlighted, "the matched term is highlighted in the article"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)


async def test_search_results_walk_with_n_and_p(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"harbour")
        await settle(pilot, 0.5)
        results = app.screen.query_one(ResultList)
        assert results.count >= 2
        second = results.hits[1].article.headline
        await pilot.press("enter")  # Enter in the box moves into the results
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert second in screen_text(pilot)
        assert f"article 2 of {results.count}" in screen_text(pilot)


async def test_malformed_query_is_explained_not_raised(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *'"cotton')
        await settle(pilot, 0.5)
        assert "missing its closing quote" in screen_text(pilot)
        await pilot.press(*' nonsense:x')
        await settle(pilot, 0.5)
        assert isinstance(app.screen, SearchScreen)


async def test_query_history_is_recalled_and_kept(app: NewsApp, archive: Archive) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"cotton", "enter")
        await settle(pilot, 0.3)
        await pilot.press("escape")
        await settle(pilot)
        app.model.flush()
    assert fresh_store(archive).search_history() == ["cotton"]
    app2 = NewsApp(Archive.open(archive.path))
    async with app2.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press("up")
        await settle(pilot, 0.4)
        assert app2.screen.query_one("#query", Input).value == "cotton"
        assert COTTON in screen_text(pilot)


async def test_help_lists_the_keys(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        for _ in range(50):  # drawn from the bindings: give it a frame or two
            text = screen_text(pilot)
            if "Article list" in text:
                break
            await settle(pilot)
        # The keys as bound, with their descriptions (tui/keys.py).
        assert "Article list" in text and "mark read / unread" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ListScreen)


async def test_hostile_markup_is_shown_literally_and_does_nothing(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("G")
        await settle(pilot)
        assert "Hostile [bold]Markup[/bold] Story" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "[@click=app.quit]Click me[/]" in text
        assert "[link=https://example.com]a link[/link]" in text
        assert "\x1b" not in text and "pwned" not in text and "aGVsbG8" not in text
        line = next(y for y, row in enumerate(text.splitlines()) if "Click me" in row)
        await pilot.click(offset=(5, line))
        await settle(pilot)
        assert app.is_running  # the [@click=app.quit] did not quit
        assert isinstance(app.screen, ArticleScreen)


async def test_theme_switch_is_remembered(app: NewsApp, archive: Archive) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.action_toggle_theme()
        await settle(pilot)
        assert app.theme == LIGHT_THEME
        app.model.flush()
    assert fresh_store(archive).setting("theme") == LIGHT_THEME  # by name


async def test_command_palette_offers_search(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, 0.2)
        await pilot.press(*"search art")
        await settle(pilot, 0.5)
        assert "Search articles" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot, 0.2)
        assert isinstance(app.screen, SearchScreen)


@pytest.mark.parametrize("size", [(120, 40), (60, 20)])
async def test_resizing_reflows(app: NewsApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.resize_terminal(*size)
        await settle(pilot, 0.2)
        text = screen_text(pilot)
        assert all(len(line) <= size[0] for line in text.splitlines())
        if size[0] >= 100:
            assert TRAWLERS in text  # a wide terminal gives the headline the room
        await pilot.press("enter")
        await settle(pilot)
        assert NEWEST in screen_text(pilot)


async def test_mouse_click_selects_and_double_click_opens(app: NewsApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.click(ArticleList, offset=(20, 2))
        await settle(pilot)
        assert article_list(app).cursor == 2
        await pilot.click(ArticleList, offset=(20, 2), times=2)
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
