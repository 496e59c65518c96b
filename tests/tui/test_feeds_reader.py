"""The feeds in the reader (Pilot, 80×24), against a real loopback feed server: the
feeds screen, `r` fetching in the background, a feed's articles alone, the author and
link in the article view, `o` copying the link where there is no local display."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.feed_samples import rss2
from support.feed_server import FeedServer, Route
from support.reader import loaded, screen_text, settle
from textual.pilot import Pilot

from newstui.archive import Archive
from newstui.feeds.subscriptions import SubscriptionList
from newstui.tui.app import NewsApp
from newstui.tui.screens.article_screen import ArticleScreen
from newstui.tui.screens.feeds_screen import FeedsScreen
from newstui.tui.screens.list_screen import ListScreen

SIZE = (80, 24)
HARBOUR = [("h1", "Trawlers home before the storm", "The fleet is in."),
           ("h2", "Harbour wall repaired", "Masons finished the work.")]
VALLEY = [("v1", "Valley floods expected", "Rain for days.")]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def feed_app(tmp_path: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> NewsApp:
    monkeypatch.setenv("NEWSTUI_FETCH_TIMEOUT", "2")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    harbour = rss2(HARBOUR, title="Harbour").replace(
        b"<guid isPermaLink='false'>h1</guid>",
        b"<guid isPermaLink='false'>h1</guid><author>ann@example.test (Ann Writer)</author>")
    server.routes["/harbour.xml"] = Route(harbour)
    server.routes["/valley.xml"] = Route(rss2(VALLEY, title="Valley"))
    db = tmp_path / "articles.json"
    subs = SubscriptionList(db)
    with subs.changing():
        subs.add(server.url("/harbour.xml"), "harbour")
        subs.add(server.url("/valley.xml"), "valley")
    return NewsApp(Archive.open(db))


async def wait_for(pilot: Pilot[int], condition: object, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if callable(condition) and condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out waiting")


async def test_fetch_in_background_then_feeds_screen_and_article(feed_app: NewsApp) -> None:
    async with feed_app.run_test(size=SIZE) as pilot:
        app = await loaded(pilot)
        assert isinstance(app.screen, ListScreen)
        await pilot.press("r")
        await wait_for(pilot, lambda: len(app.model.summaries) == 3)
        await settle(pilot)
        text = screen_text(pilot)
        assert "Trawlers home before the storm" in text and "Valley floods" in text
        assert "fetching" not in text.splitlines()[0]

        # The feeds screen: counts and status; Enter lists that feed alone.
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen)
                       and app.screen.view is not None)
        await settle(pilot)
        text = screen_text(pilot)
        assert "harbour" in text and "valley" in text and "All articles" in text
        assert "2 new, 0 updated" in text
        await pilot.press("down", "enter")  # the first feed: harbour
        await wait_for(pilot, lambda: isinstance(app.screen, ListScreen))
        await settle(pilot)
        text = screen_text(pilot)
        assert "harbour" in text.splitlines()[0]
        assert "Trawlers home" in text and "Valley floods" not in text

        # The article shows its author and link; `o` copies the link (no display).
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
        screen = app.screen
        assert isinstance(screen, ListScreen)
        rows = [a.headline for a in screen.article_list.articles]
        screen.article_list.cursor = rows.index("Trawlers home before the storm")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ArticleScreen))
        await settle(pilot)
        text = screen_text(pilot)
        assert "By ann@example.test (Ann Writer)" in text
        assert "Link: http://example.test/h1" in text
        await pilot.press("o")
        assert copied == ["http://example.test/h1"]

        # Back on the list, "All articles" shows everything again.
        await pilot.press("q", "F")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedsScreen)
                       and app.screen.view is not None)
        await settle(pilot)
        await pilot.press("home", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ListScreen))
        await settle(pilot)
        assert "Valley floods" in screen_text(pilot)
