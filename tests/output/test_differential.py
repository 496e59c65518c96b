"""The output layer changes bytes, never the picture.

The reader runs in-process on a driver that hands every write and flush Textual makes
to two terminal emulators (pyte): one gets Textual's bytes as they are (what
`--output plain` sends, less its repeat filter), the other what the shadow-screen layer
makes of them. After every key of a scripted session — the list, an article, search,
a resize in the middle — both screens must be identical cell for cell: character,
foreground, background, bold, italics, underline, strike-through, reverse, blink.
Same frames into both, so the comparison is deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pyte
import pytest
from textual import constants
from textual.drivers.headless_driver import HeadlessDriver
from textual.messages import TerminalSupportsSynchronizedOutput
from textual.pilot import Pilot

from newstui.archive import Archive, bundled_samples
from newstui.terminal import TerminalSettings
from newstui.tui.app import NewsApp
from newstui.tui.shadow import Capabilities, ShadowScreen

WIDE = """東京で新しい図書館が開館 Library Opens in Tokyo

東京 — 新しい図書館が月曜日に開館した。Readers queued from dawn; the café served crème brûlée.

Combining marks: e\u0301 a\u0300 o\u0302 n\u0303 — and wide text 漢字かな交じり文 between ASCII.

""" + "\n\n".join(
    f"Paragraph {n}: 図書館 {'word ' * (8 + n % 5)}and more text to fill the page, line {n}."
    for n in range(40)
)


def _build_archive(folder: Path) -> Archive:
    extra = folder / "incoming"
    extra.mkdir()
    (extra / "wide.txt").write_text(WIDE, encoding="utf-8")
    archive = Archive.open(folder / "articles.json")
    report = archive.import_paths([bundled_samples(), extra])
    assert report.ok
    return Archive.open(folder / "articles.json")


class Screens:
    """Two emulators: Textual's own bytes into one, the layer's into the other."""

    def __init__(self, width: int, height: int, caps: Capabilities) -> None:
        self.plain = pyte.Screen(width, height)
        self.layered = pyte.Screen(width, height)
        self._plain_stream = pyte.Stream(self.plain)
        self._layered_stream = pyte.Stream(self.layered)
        self.shadow = ShadowScreen(width, height, caps)
        self.plain_bytes = self.layered_bytes = 0
        self.lost = 0
        self.flushes = 0

    def resize(self, width: int, height: int) -> None:
        self.plain.resize(height, width)
        self.layered.resize(height, width)

    def feed(self, raw: str, out: str) -> None:
        if self.shadow.caps.onlcr:  # what the tty does to both on the way
            raw, out = raw.replace("\n", "\r\n"), out.replace("\n", "\r\n")
        if raw:
            self.plain_bytes += len(raw.encode())
            self._plain_stream.feed(raw)
        if out:
            self.layered_bytes += len(out.encode())
            self._layered_stream.feed(out)

    def difference(self) -> str | None:
        """None when the screens agree; else the first cell that does not."""
        a, b = self.plain, self.layered
        for y in range(a.lines):
            for x in range(a.columns):
                if a.buffer[y][x] != b.buffer[y][x]:
                    return (f"row {y} column {x}: plain {a.buffer[y][x]} layered "
                            f"{b.buffer[y][x]}\nplain:\n" + "\n".join(a.display)
                            + "\nlayered:\n" + "\n".join(b.display))
        return None


def capture_driver(screens: Screens) -> type[HeadlessDriver]:
    class Capture(HeadlessDriver):
        """Draws (is not headless); every write goes to both emulators."""

        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            size = self._app.size
            screens.shadow.resize(size.width, size.height)
            screens.feed(data, screens.shadow.write(data))

        def flush(self) -> None:
            screens.flushes += 1
            screens.feed("", screens.shadow.flush())

    return Capture


LIST_KEYS = ["down"] * 12 + ["up"] * 3 + ["pagedown", "end", "up", "home", "down", "down"]
ARTICLE_KEYS = (["down"] * 6 + ["space", "space", "b", "up", "up", "pagedown", "G", "g"]
                + ["down"] * 4 + ["n", "p", "s"])
SEARCH_KEYS = ["slash", *"the", "down", "down", "enter", "space", "down", "escape",
               "escape", "escape"]


def script() -> list[str]:
    """>= 200 keys across the list, articles and search; resizes as (width, height)."""
    keys: list[str] = []
    keys += LIST_KEYS
    keys += ["enter", *ARTICLE_KEYS, "q"]
    keys += ["down", "down", "s", "u", "f", "f", "f", "o", "o", "o"]
    keys += SEARCH_KEYS
    keys += ["RESIZE"]  # replaced by the other size, then back
    keys += LIST_KEYS
    keys += ["enter", *ARTICLE_KEYS, "q"]
    keys += ["RESIZE-BACK"]
    keys += ["slash", *"library", "down", "enter", *["down"] * 8, "space", "b", "escape"]
    keys += ["escape", "escape"]
    keys += LIST_KEYS
    keys += ["end", "enter", *["down"] * 10, "space", "space", "q"]
    keys += ["home", "enter", "G", "q", "question_mark", "escape"]
    keys += ["down"] * 3 + ["enter", *ARTICLE_KEYS, "q", "s", "s", "u", "u"]
    return keys


# (colour, size, synchronized output, low bandwidth); the tty adds CR to LF with sync.
CASES = [
    ("truecolor", (80, 24), True, False),
    ("256", (200, 60), False, False),
    ("16", (80, 24), False, True),
    ("none", (200, 60), True, True),
]


@pytest.mark.parametrize(("color", "size", "sync", "low"), CASES,
                         ids=[f"{c}-{s[0]}x{s[1]}{'-sync' if y else ''}{'-low' if lo else ''}"
                              for c, s, y, lo in CASES])
async def test_screens_identical_after_every_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, color: str,
        size: tuple[int, int], sync: bool, low: bool) -> None:
    monkeypatch.setattr(constants, "COLOR_SYSTEM",
                        {"truecolor": "truecolor", "256": "256"}.get(color, "standard"))
    archive = _build_archive(tmp_path)
    settings = replace(TerminalSettings(color=color, utf8=True, low_bandwidth=low,
                                        hyperlinks=not low, bce=True))
    app = NewsApp(archive, settings=settings)
    # It draws (not headless) with no terminal on stdin: the vanished-terminal watch
    # would take that for a hang-up.
    monkeypatch.setattr(app, "_terminal_alive", lambda: True)
    screens = Screens(*size, Capabilities(onlcr=sync))
    app.driver_class = capture_driver(screens)
    other = (200, 60) if size == (80, 24) else (80, 24)
    keys = script()
    assert len([k for k in keys if not k.startswith("RESIZE")]) >= 200
    checked = 0
    async with app.run_test(headless=False, size=size) as pilot:
        if sync:
            app.post_message(TerminalSupportsSynchronizedOutput())
        await _loaded(pilot)
        for key in keys:
            if key.startswith("RESIZE"):
                target = other if key == "RESIZE" else size
                screens.resize(*target)
                await pilot.resize_terminal(*target)
            else:
                await pilot.press(key)
            await pilot.pause()
            problem = screens.difference()
            assert problem is None, f"after key {checked} ({key!r}): {problem}"
            checked += 1
        await pilot.pause(0.1)
        assert screens.difference() is None
    # It did something: fewer bytes, mostly as differences (not passed through).
    print("plain", screens.plain_bytes, "layered", screens.layered_bytes, "frames",
          screens.shadow.frames, "blind", screens.shadow.blind_frames,
          "scrolls", screens.shadow.scrolls, "flushes", screens.flushes)
    assert screens.shadow.frames > 50, (screens.shadow.lost_on,
                                        screens.shadow.blind_frames,
                                        [y for y, row in enumerate(screens.shadow.want)
                                         if any(c[0] == "\x00?" for c in row)])
    assert screens.layered_bytes < screens.plain_bytes * 0.6


async def _loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    for _ in range(250):
        if getattr(app, "loaded", False):
            break
        await pilot.pause(0.02)
    await pilot.pause(0.1)
