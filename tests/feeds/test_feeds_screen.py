"""The reader's feeds screen (F) shows server- and user-chosen text as text (review F9):
no cell is parsed as markup (`[@click=app.quit]` stays text and does nothing), and no
escape, control or bidi character reaches the terminal, whatever the subscription list
holds (a name from OPML, a feed's title, a server's status line, kept by an older
release or a hand edit). Checked with Pilot (the screen's text and cells) and in a real
pty (the bytes the reader writes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from support.feed_samples import rss2
from support.feed_server import FeedServer, Route
from support.pty_terminal import PtyTerminal, newstui_command, terminal_env
from support.reader import loaded, screen_text, settle
from test_hostile import (  # type: ignore[import-not-found]
    ESC,
    HOSTILE,
    NASTY,
    RawServer,
    assert_inert,
)
from textual.pilot import Pilot
from textual.widgets import DataTable

from newstui.archive import Archive
from newstui.feeds.subscriptions import SubscriptionList, feeds_path
from newstui.feeds.update import fetch_feeds
from newstui.tui.app import NewsApp
from newstui.tui.screens.feeds_screen import FeedsScreen
from newstui.tui.screens.list_screen import ListScreen

STATUS = f"500 Oops {ESC}]0;PWN{chr(7)}{ESC}[2J [b]m[/b]"
MARKUP = "[b]bold[/b] [link=http://x]L[/link] [@click=app.quit]Q[/]"


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.routes["/a.xml"] = Route(rss2([("a1", "Harbour news", "Body.")],
                                              title="Harbour"))
        yield running


@pytest.fixture
def db(tmp_path: Path, server: FeedServer) -> Path:
    """A store with one fetched feed, then the subscription list as an older release or
    a hand edit could have left it: raw escapes and markup in names, titles, statuses."""
    db = tmp_path / "articles.json"
    subs = SubscriptionList(db)
    with subs.changing():
        subs.add(server.url("/a.xml"), None)
    fetch_feeds(Archive.open(db), SubscriptionList(db))
    path = feeds_path(db)
    data = orjson.loads(path.read_bytes())
    data["feeds"][0]["title"] = f"{MARKUP} {NASTY}"
    data["feeds"] += [
        {"url": "http://b.test/b.xml", "name": f"Evil {NASTY}", "last_error": STATUS,
         "last_fetched": "2026-11-30T01:00:00+00:00", "failures": 1},
        {"url": "http://c.test/c.xml", "title": MARKUP, "last_status": f"3 new {NASTY}",
         "last_fetched": "2026-11-30T01:00:00+00:00"},
    ]
    path.write_bytes(orjson.dumps(data))
    return db


async def open_feeds(pilot: Pilot[int]) -> FeedsScreen:
    app = await loaded(pilot)
    await pilot.press("F")
    for _ in range(200):
        if isinstance(app.screen, FeedsScreen) and app.screen.view is not None:
            break
        await pilot.pause(0.05)
    await settle(pilot)
    assert isinstance(app.screen, FeedsScreen)
    return app.screen


async def test_cells_are_plain_inert_text(db: Path) -> None:
    app = NewsApp(Archive.open(db))
    async with app.run_test(size=(140, 24)) as pilot:
        screen = await open_feeds(pilot)
        text = screen_text(pilot)
        assert "[b]bold[/b] [link=http://x]L[/l…" in text  # as written, not as markup
        assert "failed: 500 Oops" in text and "[b]m[/b]" in text
        assert_inert(text, "the screen")
        table = screen.query_one("#feeds", DataTable)
        for row in range(table.row_count):
            for cell in table.get_row_at(row):
                assert_inert(getattr(cell, "plain", cell), f"row {row}")
                assert not getattr(cell, "spans", None), f"row {row} has styles: {cell!r}"
        # Choosing the feed whose title is markup: the list's title names it as text,
        # and the reader is still running ([@click=app.quit] did nothing).
        table.move_cursor(row=1)
        await pilot.press("enter")
        for _ in range(200):
            if isinstance(app.screen, ListScreen):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        first = screen_text(pilot).splitlines()[0]
        assert MARKUP in first
        assert_inert(first, "the list's title")
        assert app.is_running


def test_the_reader_writes_no_escape_from_the_subscription_list(db: Path,
                                                                tmp_path: Path) -> None:
    terminal = PtyTerminal([newstui_command(), "--db", str(db)],
                           terminal_env(tmp_path, NEWSTUI_FETCH_TIMEOUT="2"))
    try:
        terminal.wait_for("Harbour news")
        terminal.press("F")
        terminal.wait_for("All articles")
        terminal.wait_for("failed: 500 Oops")
        terminal.read(0.5)
        text = terminal.text
        assert "[b]bold[/b] [link=http://x]L[/l…" in text
        raw = bytes(terminal.raw)
        for marker in (b"PWN", b"\x1b]0;", b"\x1b]2;", b"\xc2\x9b", b"\xc2\x9d",
                       "\u202e".encode(), "\u2066".encode()):
            assert marker not in raw, f"{marker!r} written raw"
        # The whole screen survived (a raw ESC[2J wiped it before).
        assert "Evil" in text and "All articles" in text and "3 new" in text
        terminal.press("q")
        terminal.press("q")
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()


async def test_r_with_a_hostile_server_reports_and_the_reader_goes_on(
        tmp_path: Path, server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """F5 in the reader: a Retry-After of 10**20 seconds and escapes in a reason phrase
    took the background fetch (and its worker) down; now they are two lines of the
    "Fetched" notification, inert, and the good feed's article is listed."""
    monkeypatch.setenv("NEWSTUI_FETCH_TIMEOUT", "5")
    db = tmp_path / "articles.json"
    with RawServer() as raw:
        raw.routes["/retry"] = HOSTILE["retry-after-huge"]
        raw.routes["/reason"] = HOSTILE["reason-escapes"]
        subs = SubscriptionList(db)
        with subs.changing():
            subs.add(server.url("/a.xml"), "good")
            subs.add(raw.url("/retry"), "retry")
            subs.add(raw.url("/reason"), "reason")
        app = NewsApp(Archive.open(db))
        async with app.run_test(size=(100, 24)) as pilot:
            await loaded(pilot)
            await pilot.press("r")
            for _ in range(400):
                if len(app.model.summaries) == 1 and not app.fetcher.running:
                    break
                await pilot.pause(0.05)
            await settle(pilot, 0.3)
            assert len(app.model.summaries) == 1 and app.is_running
            messages = [n.message for n in app._notifications]
            (fetched,) = [m for m in messages if m.startswith("fetched 1 feed(s)")]
            assert "retry: 429 Too Many Requests" in fetched
            assert "reason: 500 Oops" in fetched
            assert_inert(fetched.replace("\n", " "), "the notification")
            assert "Harbour news" in screen_text(pilot)
