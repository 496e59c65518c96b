"""What the tests read off a running reader: the text on its screen."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

from newstui.tui.app import NewsApp


async def loaded(pilot: Pilot[int]) -> NewsApp:
    """Wait until the archive has loaded and the list is drawn."""
    app = pilot.app
    assert isinstance(app, NewsApp)
    for _ in range(250):
        if app.loaded:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    assert app.loaded, "the archive never loaded"
    return app


def screen_text(pilot: Pilot[int]) -> str:
    """The current screen as plain text, as a reader would see it."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def settle(pilot: Pilot[int], seconds: float = 0.05) -> None:
    await pilot.pause(seconds)
    await pilot.pause()


async def until(pilot: Pilot[int], check: Callable[[], bool], what: str,
                timeout: float = 60.0) -> None:
    """Let the app run until `check()` holds: what a test waits for is what the
    reader shows or does, never a fixed pause (a loaded machine takes many times
    longer). `timeout` is only a safety net; fail saying `what` never happened."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() >= deadline:
            raise AssertionError(f"never: {what}\n{screen_text(pilot)}")
        await pilot.pause(0.02)
    await pilot.pause()
