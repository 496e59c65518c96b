"""Make the README's screenshots (SVG, Textual's own export) of the three screens at
80×24, from the bundled fictional samples.

    python docs/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from textual.widgets import Input

from newstui.archive import Archive, bundled_samples
from newstui.tui.app import NewsApp
from newstui.tui.widgets.result_list import ResultList

OUT = Path(__file__).resolve().parent / "screenshots"


async def shoot() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "articles.json"
        Archive.open(store).import_paths([bundled_samples()])
        app = NewsApp(Archive.open(store))
        async with app.run_test(size=(80, 24)) as pilot:
            while not app.loaded:
                await pilot.pause(0.05)
            await pilot.press("j", "s", "j")
            await pilot.pause(0.3)
            app.save_screenshot(str(OUT / "list.svg"))
            await pilot.press("enter")
            await pilot.pause(0.3)
            app.save_screenshot(str(OUT / "article.svg"))
            await pilot.press("q", "slash", *"harbour")
            while not app.screen.query_one(ResultList).count:
                await pilot.pause(0.05)
            app.screen.query_one(Input).cursor_blink = False
            await pilot.pause(0.3)
            app.save_screenshot(str(OUT / "search.svg"))


if __name__ == "__main__":
    asyncio.run(shoot())
    print(f"wrote {OUT}/list.svg, article.svg, search.svg")
