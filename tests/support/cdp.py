"""Just enough of the Chrome DevTools Protocol to drive headless Chromium from a test:
open a page, watch its WebSocket frames, press keys, take a screenshot. Speaks to the
browser over its DevTools WebSocket with aiohttp (installed with textual-serve)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class Browser:
    """Headless Chromium with one page."""

    def __init__(self, binary: str, profile: Path, size: tuple[int, int] = (1000, 640)) -> None:
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
             f"--window-size={size[0]},{size[1]}", "--remote-debugging-port=0",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.url = self._devtools_url()
        self._ids = itertools.count(1)
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.session = ""
        self.frames = bytearray()  # every byte the page's WebSockets received

    def _devtools_url(self) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            lines.append(line)
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                # Keep reading what it says, or it blocks once the pipe is full.
                stream = self.process.stderr
                threading.Thread(target=stream.read, daemon=True).start()
                return match.group(1)
        self.process.kill()
        raise RuntimeError("chromium did not start: " + "".join(lines)[-500:])

    async def open(self, url: str) -> None:
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(self.url, max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        target = await self.send("Target.createTarget", {"url": "about:blank"}, session=None)
        attached = await self.send("Target.attachToTarget",
                                   {"targetId": target["targetId"], "flatten": True},
                                   session=None)
        self.session = attached["sessionId"]
        await self.send("Network.enable")
        await self.send("Page.enable")
        await self.send("Page.navigate", {"url": url})

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self._waiting.pop(data["id"], None)
                if future is not None and not future.done():
                    if "error" in data:
                        future.set_exception(RuntimeError(str(data["error"])))
                    else:
                        future.set_result(data.get("result", {}))
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                if frame.get("opcode") == 2:
                    self.frames.extend(base64.b64decode(frame["payloadData"]))
                else:
                    self.frames.extend(frame.get("payloadData", "").encode())

    async def send(self, method: str, params: dict[str, Any] | None = None,
                   session: str | None = "") -> dict[str, Any]:
        assert self._ws is not None
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session or self.session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        await self._ws.send_str(json.dumps(message))
        return await asyncio.wait_for(future, 30)

    async def wait_for_text(self, needle: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle.encode() in self.frames:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{needle!r} never reached the page; it got "
                             f"{bytes(self.frames[-400:])!r}")

    async def press(self, key: str, code: int, text: str = "") -> None:
        await self.send("Runtime.evaluate", {"expression": "document.querySelector("
                                             "'.xterm-helper-textarea')?.focus()"})
        common = {"key": key, "code": key, "windowsVirtualKeyCode": code,
                  "nativeVirtualKeyCode": code}
        await self.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": text, **common})
        await self.send("Input.dispatchKeyEvent", {"type": "keyUp", **common})

    async def screenshot(self, path: Path) -> bytes:
        shot = await self.send("Page.captureScreenshot", {"format": "png"})
        data = base64.b64decode(shot["data"])
        path.write_bytes(data)
        return data

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
