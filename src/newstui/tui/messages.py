"""App-wide messages: posted by workers (thread-safe) and by the app, handled by screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from newstui.layout import Summary

if TYPE_CHECKING:
    from newstui.search import Results


@dataclass
class ArchiveLoaded(Message):
    """The store was read: every article, and the reader's state for them."""

    articles: list[Summary]


@dataclass
class LoadFailed(Message):
    reason: str


@dataclass
class StateChanged(Message):
    """An article's read/starred state changed; lists showing it redraw its row."""

    article_id: str


@dataclass
class SearchDone(Message):
    text: str
    results: Results


@dataclass
class SearchFailed(Message):
    text: str
    reason: str
