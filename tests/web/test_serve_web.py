"""`newstui serve-web` in a real browser: headless Chromium loads the page, the list is
drawn, Enter opens an article; the screenshot is taken then. Skips, saying so, where
Chromium is not installed (`.ci/run` installs Debian's `chromium`).

`NEWSTUI_WRITE_SCREENSHOTS=1 pytest tests/web` also writes the screenshot to
docs/screenshots/serve-web.png (otherwise it stays in the test's folder)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.cdp import Browser, find_chromium

from newstui.archive import Archive, bundled_samples

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def web_server(tmp_path: Path) -> object:
    script = Path(sys.executable).parent / "newstui"
    if not script.exists():
        pytest.skip(f"the installed newstui command is not at {script}")
    db = tmp_path / "store.json"
    Archive.open(db).import_paths([bundled_samples()])
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI", "TEXTUAL"))}
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen([str(script), "--db", str(db), "serve-web", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env,
                               start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError((tmp_path / "web.log").read_text())
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/"
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    log.close()


async def test_the_reader_in_a_browser(web_server: str, tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed: apt-get install chromium")
    try:
        browser = Browser(chromium, tmp_path / "profile")
    except RuntimeError as exc:
        pytest.skip(f"Chromium cannot run here: {exc}")
    try:
        await browser.open(web_server)
        await browser.wait_for_text("20 articles")
        await browser.wait_for_text(NEWEST)
        await browser.press("Enter", 13, "\r")
        await browser.wait_for_text("MARROWBY · Updated 1 December 2016")
        time.sleep(1.0)  # let the page paint what arrived
        shot = await browser.screenshot(tmp_path / "serve-web.png")
    finally:
        await browser.close()
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    if os.environ.get("NEWSTUI_WRITE_SCREENSHOTS") == "1":
        (DOCS / "serve-web.png").write_bytes(shot)
