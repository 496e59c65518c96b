"""Text from a store, a file name or a query, wherever the reader shows it: never
parsed as markup, never a terminal control, never reordered by a bidi override.

The store here is written directly (`Archive.add`), not through the importer that
cleans text: as a store shared by others, edited by hand or written by an older
release can be. Every output of the reader must neutralise it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.reader import loaded, screen_text, settle
from textual.widgets._toast import Toast

from newstui.archive import Archive
from newstui.article import Article
from newstui.tui.app import NewsApp
from newstui.tui.screens.article_screen import ArticleScreen
from newstui.tui.screens.search_screen import SearchScreen
from newstui.tui.widgets.article_list import ArticleList
from newstui.tui.widgets.article_view import ArticleView

SIZE = (80, 24)
MARKUP = "[link=http://evil.example]Open[/link] [PDF] [@click=app.quit]x[/] [b]"
ESCAPES = "\x1b]52;c;SE9TVElMRUNMSVA=\x07\x1b]0;PWNED\x07\x1b[2J\x9b31m\x9d0;C1\x9c"
BIDI_SOURCE = "/archive/report_\u202egnp.exe"
# What no screen, copy or notification may hold: ESC and the other C0 controls,
# DEL, C1, and the bidi embeddings, overrides and isolates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

HOSTILE = Article(
    headline=f"Hostile {MARKUP} {ESCAPES}Headline",
    dateline=f"{ESCAPES}PORT",
    published="2016-05-05",
    caption=f"A caption {ESCAPES}",
    credit="AP",
    source=BIDI_SOURCE,
    body=(f"First paragraph about the harbour {MARKUP} {ESCAPES} end.",
          "Second paragraph."),
)


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    db = tmp_path / "hostile.json"
    Archive.open(db).add([HOSTILE, Article(headline="A Quiet Story", body=("Nothing.",),
                                           published="2016-01-01"),
                          # Escapes first, so that they are inside what the list draws.
                          Article(headline=f"{ESCAPES}Escapes First", body=("x",),
                                  dateline=f"東京{ESCAPES}", published="2015-01-01")])
    return db


def strips_text(app: NewsApp) -> str:
    """Every segment the screen would send, joined: what reaches the terminal."""
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for strip in strips for segment in strip)


async def test_the_list_sends_no_escape_from_the_store(hostile_store: Path) -> None:
    app = NewsApp(Archive.open(hostile_store))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        sent = strips_text(app)
        assert FORBIDDEN.search(sent) is None
        assert "Hostile [link=http://evil.example]Open[/link] [P…" in screen_text(pilot)
        assert "Escapes First" in screen_text(pilot)


async def test_the_article_shows_markup_literally_and_no_control(hostile_store: Path) -> None:
    app = NewsApp(Archive.open(hostile_store))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.query_one(ArticleView)
        assert FORBIDDEN.search(view.text) is None
        assert FORBIDDEN.search(strips_text(app)) is None
        assert "[@click=app.quit]x[/]" in view.text
        # The bidi override in the source path is gone: the name reads as it is.
        assert "Source: /archive/report_gnp.exe" in view.text


@pytest.mark.parametrize("whole", [False, True])
async def test_y_copies_no_escape_and_no_c1(hostile_store: Path, whole: bool) -> None:
    app = NewsApp(Archive.open(hostile_store))
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("Y" if whole else "y")
        await settle(pilot)
    assert copied and "Headline" in copied[0]
    assert FORBIDDEN.search(copied[0]) is None
    assert ("report_gnp.exe" in copied[0]) and (("\n" in copied[0]) == whole)


async def test_the_palette_shows_headlines_as_text(hostile_store: Path) -> None:
    """"Open: <headline>" was parsed as markup: `[link=…` crashed the reader, `[PDF]`
    vanished, `[@click=app.quit]` was live."""
    app = NewsApp(Archive.open(hostile_store))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, 0.2)
        await pilot.press(*"hostile")
        await settle(pilot, 0.6)
        text = screen_text(pilot)
        assert "Open: Hostile [link=http://evil.example]Open[/link] [PDF]" in text
        assert FORBIDDEN.search(strips_text(app)) is None
        await pilot.press("enter")
        await settle(pilot, 0.3)
        assert app.is_running
        assert isinstance(app.screen, ArticleScreen)
        assert "Hostile" in app.screen.query_one(ArticleView).text


@pytest.mark.parametrize(("query", "status_shows"), [
    ("[/]", "'[/]' has no searchable words"),  # quoted back: parsed, "[/]" crashed it
    ("[@=/]", "'[@=/]' has no searchable words"),
    ("[b]", "match"), ("[link=x]", "match"), ('"[/]', "closing quote"),
])
async def test_markup_typed_in_the_search_box_is_only_text(hostile_store: Path, query: str,
                                                           status_shows: str) -> None:
    app = NewsApp(Archive.open(hostile_store))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *query)
        await settle(pilot, 0.5)
        assert app.is_running and isinstance(app.screen, SearchScreen)
        status = str(app.screen.query_one("#search-status").render())
        assert status_shows in status
        assert status_shows in screen_text(pilot)


async def test_notifications_are_not_markup(hostile_store: Path) -> None:
    app = NewsApp(Archive.open(hostile_store))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot)
        app.notify(f"{MARKUP} {ESCAPES}", title=f"[@click=app.quit]{ESCAPES}")
        await settle(pilot, 0.3)
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1
        shown = str(toasts[0].render())
        assert MARKUP in shown and "[@click=app.quit]" in shown
        assert FORBIDDEN.search(shown) is None
        assert app.is_running


async def test_a_file_name_with_markup_and_escapes_in_a_failure(tmp_path: Path) -> None:
    folder = tmp_path / "[b]x[red] \x1b]0;PWNED\x07"
    folder.mkdir()
    db = folder / "store.json"
    db.write_bytes(b"{not json")
    app = NewsApp(Archive.open(db))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            if app._exit:
                break
            await pilot.pause(0.05)
    assert app.return_code == 1 and app.failure is not None
    assert "[b]x[red]" in app.failure and FORBIDDEN.search(app.failure) is None


async def test_the_list_pads_columns_by_cells(tmp_path: Path) -> None:
    """A CJK or emoji dateline takes two cells a character: padded by characters it
    pushed the headline column to the right."""
    db = tmp_path / "wide.json"
    datelines = ["東京", "🚢 PORT", "SØR-VARANGER", "e\u0301te\u0301"]
    Archive.open(db).add([Article(headline=f"Headline {i}", dateline=d, body=("x",),
                                  published=f"2016-01-0{i + 1}")
                          for i, d in enumerate(datelines)])
    app = NewsApp(Archive.open(db))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        rows = [strip for strip in app.screen.query_one(ArticleList).render_lines(
            __import__("textual.geometry", fromlist=["Region"]).Region(0, 0, 80, 4))]
        columns = set()
        for strip in rows:
            cells = 0
            for segment in strip:
                if segment.text.startswith("Headline"):
                    columns.add(cells)
                    break
                cells += segment.cell_length
        assert len(columns) == 1, columns


@pytest.mark.parametrize("size", [(20, 5), (30, 6), (45, 8)])
async def test_a_small_terminal_still_shows_headlines(hostile_store: Path,
                                                     size: tuple[int, int]) -> None:
    app = NewsApp(Archive.open(hostile_store))
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await settle(pilot)
        rows = screen_text(pilot).splitlines()
        assert any("Hostile" in row for row in rows), rows
        assert any("A Quiet" in row for row in rows), rows
