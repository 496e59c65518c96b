"""Messages posted by workers (thread-safe), handled by the screen that started them.
(The reader model's changes are Signals on the app, not messages.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from newstui.search import Results


@dataclass
class SearchDone(Message):
    text: str
    results: Results


@dataclass
class SearchFailed(Message):
    text: str
    reason: str
