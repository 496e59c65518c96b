"""What the article list shows: filtering and ordering, as pure functions the TUI
calls (and tests check) without a screen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

from newstui.article import ReadingState

FILTERS = ("all", "unread", "starred")
ORDERS = ("newest", "oldest", "headline")
_UNREAD = ReadingState()


class Listed(Protocol):
    """What the list needs of an entry: an Article, or a store's Summary of one."""

    @property
    def id(self) -> str: ...
    @property
    def headline(self) -> str: ...
    @property
    def date(self) -> str | None: ...


T = TypeVar("T", bound=Listed)


def arrange(
    articles: Iterable[T],
    states: Mapping[str, ReadingState],
    filter_name: str = "all",
    order: str = "newest",
) -> list[T]:
    """The articles to list, filtered and ordered. Undated articles come last in both
    date orders; ties are broken by headline so the order is stable."""
    if filter_name == "unread":
        articles = (a for a in articles if not states.get(a.id, _UNREAD).read)
    elif filter_name == "starred":
        articles = (a for a in articles if states.get(a.id, _UNREAD).starred)
    elif filter_name != "all":
        raise ValueError(f"unknown filter {filter_name!r}")
    rows = sorted(articles, key=lambda a: a.headline.casefold())
    if order == "headline":
        return rows
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    dated = [a for a in rows if a.date]
    undated = [a for a in rows if not a.date]
    dated.sort(key=lambda a: a.date or "", reverse=order == "newest")
    return dated + undated


def next_in(cycle: tuple[str, ...], current: str) -> str:
    """The value after `current` in `cycle`, wrapping round."""
    return cycle[(cycle.index(current) + 1) % len(cycle)]
