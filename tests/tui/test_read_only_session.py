"""A reading-room session (`serve-ssh`) opens the archive read-only with its own state
file: it reads and keeps its own stars, and cannot make the host fetch or write."""

from __future__ import annotations

from pathlib import Path

from newstui.archive import Archive
from newstui.tui.app import NewsApp


async def test_a_session_stars_in_its_own_state_and_cannot_fetch(archive: Archive,
                                                                 tmp_path: Path) -> None:
    before = archive.path.read_bytes()
    mine = tmp_path / "reader.state.json"
    session = Archive.open(archive.path, state_path=mine, read_only=True)
    app = NewsApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if app.model.loaded:
                break
            await pilot.pause(0.05)
        assert not app.model.read_only  # its reading state can be saved
        await pilot.press("s")
        await pilot.press("r")  # fetch: refused, not attempted
        await pilot.pause(0.2)
        messages = [n.message for n in app._notifications]
        assert any("read-only here" in m for m in messages), messages
        assert not app.fetcher.running
        app.model.close()
    assert app.return_code in (None, 0)
    assert archive.path.read_bytes() == before
    starred = [k for k, v in Archive.open(archive.path, state_path=mine).store.states().items()
               if v.starred]
    assert len(starred) == 1
    assert not any(v.starred for v in archive.store.states().values())
