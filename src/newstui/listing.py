"""What the article list shows: filtering and ordering, as pure functions the TUI
calls (and tests check) without a screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
U = TypeVar("U")


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
    if order == "headline":
        return sorted(articles, key=lambda a: a.headline.casefold())
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    return by_date(articles, lambda a: a.date, lambda a: a.headline, newest=order == "newest")


def by_date(items: Iterable[U], date_of: Callable[[U], str | None],
            headline_of: Callable[[U], str], newest: bool = True) -> list[U]:
    """Items by date (ISO strings sort as dates), undated last, ties by headline: the
    one order of the list, the store file and the CLI."""
    rows = sorted(items, key=lambda item: headline_of(item).casefold())
    dated = [item for item in rows if date_of(item)]
    undated = [item for item in rows if not date_of(item)]
    dated.sort(key=lambda item: date_of(item) or "", reverse=newest)
    return dated + undated


def next_in(cycle: tuple[str, ...], current: str) -> str:
    """The value after `current` in `cycle`, wrapping round."""
    return cycle[(cycle.index(current) + 1) % len(cycle)]
