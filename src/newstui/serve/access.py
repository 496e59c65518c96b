"""Who may read, under which name their reading state is kept, and how often a source
address may fail to authenticate. Plain code, no SSH library: tested on its own."""

from __future__ import annotations

import hashlib
import re
import time
from collections import deque
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def reader_name(user: str, key_fingerprint: str | None) -> str:
    """The file name (without suffix) of a reader's state: the key's fingerprint when a
    key authenticated them (the same person whatever user name they type), else the
    user name — made safe for a file name, and told apart from another name that
    would be made the same."""
    if key_fingerprint:
        return "key-" + _UNSAFE.sub("_", key_fingerprint.removeprefix("SHA256:"))
    clean = _UNSAFE.sub("_", user)[:64].strip(".") or "_"
    if clean != user:
        clean += "-" + hashlib.sha256(user.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return "user-" + clean


def state_path(folder: Path, user: str, key_fingerprint: str | None) -> Path:
    return folder / f"{reader_name(user, key_fingerprint)}.state.json"


class FailureLimiter:
    """At most `limit` failed authentications per source address within `window`
    seconds; past that the address is refused until its failures age out."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        failures = self._failures.get(address)
        if failures is None:
            return deque()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        if not failures:
            del self._failures[address]
        return failures

    def failed(self, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._recent(address, now)
        self._failures.setdefault(address, deque()).append(now)

    def blocked(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return len(self._recent(address, now)) >= self.limit


def parse_duration(text: str) -> float:
    """`30m`, `90s`, `2h`, `45` (seconds) -> seconds; 0 turns the limit off."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match:
        raise ValueError(f"not a duration: {text!r} (e.g. 30m, 90s, 2h)")
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
