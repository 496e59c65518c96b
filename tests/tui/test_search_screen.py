"""The search screen: late results of an older query, snippet lines that show their
match, and the article highlighting what the search found."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from support.reader import loaded, screen_text, settle

from newstui.archive import Archive
from newstui.article import Article
from newstui.search import Results
from newstui.tui.app import NewsApp
from newstui.tui.screens.article_screen import ArticleScreen
from newstui.tui.widgets.article_view import ArticleView
from newstui.tui.widgets.result_list import ResultList

SIZE = (80, 24)
COTTON = "Saltgrave Cotton Mill Reopens With 120 Jobs"


async def test_an_older_querys_late_results_are_dropped(app: NewsApp) -> None:
    """Typing `cotton` fast: the search for `c` answers last; its results must not
    replace those of `cotton`."""
    search = app.model.search
    c_done = threading.Event()

    def slow_for_c(text: str, limit: int) -> Results:
        if text == "c":
            time.sleep(0.6)
            results = search(text, limit)
            c_done.set()
            return results
        return search(text, limit)

    app.model.search = slow_for_c  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"cotton")
        await settle(pilot, 0.3)
        for _ in range(100):
            if c_done.is_set():
                break
            await pilot.pause(0.05)
        assert c_done.is_set()
        await settle(pilot, 0.3)  # the late answer for "c" has been delivered
        results = app.screen.query_one(ResultList)
        assert results.count == 1
        assert results.hits[0].article.headline == COTTON
        assert "1 match" in screen_text(pilot)


async def test_each_snippet_line_shows_its_match(app: NewsApp) -> None:
    """At 80 columns two of the three results for `harbour` showed a line without
    the word: the match sat past the cut."""
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"harbour")
        await settle(pilot, 0.6)
        results = app.screen.query_one(ResultList)
        assert results.count >= 3
        lines = screen_text(pilot).splitlines()
        first = 5  # title, the query box (3 lines), the status line; then 3 lines a result
        snippet_lines = lines[first + 2:first + 3 * results.count:3]
        assert len(snippet_lines) == results.count
        for line in snippet_lines:
            assert "harbour" in line.lower(), line


async def test_the_article_highlights_folded_letters(tmp_path: Path) -> None:
    db = tmp_path / "names.json"
    Archive.open(db).add([Article(
        headline="Visitors From Afar", published="2016-03-03",
        body=("Søren Ødegård travelled from Łódź with Đorđe to see the Æsir exhibit.",))])
    app = NewsApp(Archive.open(db))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"soren lodz dorde aesir")
        await settle(pilot, 0.6)
        hits = app.screen.query_one(ResultList).hits
        assert len(hits) == 1
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.query_one(ArticleView)
        match = view.get_component_rich_style("article-view--match")
        marked = [line.plain[span.start:span.end] for line in view._lines
                  for span in line.spans if span.style == match]
        for word in ("Søren", "Łódź", "Đorđe", "Æsir"):
            assert word in marked, marked
