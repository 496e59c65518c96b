"""The reader over a PostgreSQL archive: the list, search and a star saved for this
reader, and articles another process imports appearing without a restart."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from newstui.archive import bundled_samples
from newstui.pg.store import PgArchive
from newstui.tui.app import NewsApp

SIZE = (80, 24)


async def wait_for(pilot: Pilot[int], condition: object, tries: int = 300) -> None:
    for _ in range(tries):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.02)
    raise AssertionError("the reader never got there")


def screen_text(pilot: Pilot[int]) -> str:
    return "\n".join(s.text for s in pilot.app.screen._compositor.render_strips())


async def test_reader_lists_searches_and_saves_state(pg_url: str, tmp_path: Path) -> None:
    setup = PgArchive.open(pg_url)
    setup.import_paths([bundled_samples()])
    setup.close()
    archive = PgArchive.open(pg_url, reader="carol")
    app = NewsApp(archive)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.loaded)
        await pilot.pause()
        text = screen_text(pilot)
        assert "20 articles" in text and "Ancient Mosaic Goes on Display" in text
        await pilot.press("s")  # star the newest
        await pilot.pause(0.1)
        app.model.flush()
        starred = PgArchive.open(pg_url, reader="carol")
        assert [s.starred for s in starred.store.states().values()] == [True]
        assert PgArchive.open(pg_url, reader="dave").store.states() == {}
        # Another process imports an article: the reader hears of it and lists it.
        folder = tmp_path / "new"
        folder.mkdir()
        (folder / "late.txt").write_text("Late Breaking Lighthouse Story\n\nIt shone.\n")
        writer = PgArchive.open(pg_url)
        writer.import_paths([folder])
        writer.close()
        await wait_for(pilot, lambda: "21 articles" in screen_text(pilot))
        await pilot.press("slash")
        await pilot.press(*"lighthouse")
        await wait_for(pilot, lambda: "Late Breaking Lighthouse" in screen_text(pilot))
    archive.close()
    starred.close()
