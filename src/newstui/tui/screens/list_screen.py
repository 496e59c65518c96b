"""The home screen: every article, newest first, with marks for unread and starred."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

from newstui.listing import FILTERS, ORDERS, next_in
from newstui.model import ReaderModel
from newstui.tui.widgets.article_list import ArticleList
from newstui.tui.widgets.cursor_list import CursorList

if TYPE_CHECKING:
    from newstui.tui.app import NewsApp


class ListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="list.search"),
        Binding("s", "star", "Star", id="list.star"),
        Binding("u", "toggle_read", "Read/unread", id="list.toggle_read",
                tooltip="mark read / unread"),
        Binding("f", "cycle_filter", "Filter", id="list.filter",
                tooltip="filter: all, unread, starred"),
        Binding("o", "cycle_order", "Order", id="list.order",
                tooltip="order: newest, oldest, headline"),
        Binding("F", "feeds", "Feeds", show=False, id="list.feeds"),  # 80 columns are full
        Binding("q", "app.quit", "Quit", id="list.quit"),
    ]

    app: NewsApp

    def __init__(self, model: ReaderModel, filter_name: str = "all",
                 order: str = "newest") -> None:
        super().__init__()
        self.model = model
        #: Where the list starts: the config file's `[list]` filter and order.
        self.filter_name = filter_name
        self.order = order
        #: The feed whose articles alone are listed (chosen on the feeds screen).
        self.feed: str | None = None
        self.feed_label = ""
        self.feed_members: frozenset[str] = frozenset()
        self.fetch_progress = ""

    def compose(self) -> ComposeResult:
        low_bandwidth = self.app.settings.low_bandwidth
        yield Static("newstui — loading the archive…" if low_bandwidth else "newstui",
                     id="title-bar", markup=False)
        yield ArticleList(id="articles")
        # The animated indicator redraws itself many times a second: over a slow link
        # the title bar says it instead, and the (empty) list is in place from the
        # start, so the rows arrive in one paint with nothing moved.
        if not low_bandwidth:
            yield LoadingIndicator(id="loading")
        yield Static("", id="empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.article_list.display = self.app.settings.low_bandwidth
        self.query_one("#empty").display = False
        self.app.articles_signal.subscribe(self, self._articles_changed)
        self.app.state_signal.subscribe(self, self._state_changed)
        self.app.fetch_signal.subscribe(self, self._fetch_progress)
        if self.model.loaded or self.model.first_shown:
            self.rearrange()

    def _hide_loading(self) -> None:
        for indicator in self.query("#loading"):
            indicator.display = False

    @property
    def article_list(self) -> ArticleList:
        return self.query_one("#articles", ArticleList)

    def _articles_changed(self, added: int) -> None:
        # Loaded again (another process imported): the cursor stays on its article.
        current = self.article_list.current
        self.rearrange(keep=current.id if current else None)
        if self.feed is not None and added:
            self._read_feed_members()  # the feed may have new articles

    def rearrange(self, keep: str | None = None) -> None:
        """Show the articles in the current filter and order; keep the cursor on the
        article with id `keep` if it is still listed."""
        rows = self.model.summaries.arrange(
            self.model.states, self.filter_name, self.order,
            only=self.feed_members if self.feed is not None else None)
        cursor = 0
        if keep is not None:
            cursor = rows.position_of(keep) or 0
        self._hide_loading()
        articles = self.article_list
        articles.display = True
        articles.show(rows, self.model.states, cursor)
        articles.focus()
        empty = self.query_one("#empty", Static)
        empty.display = not rows
        if not rows:
            empty.update({"unread": "No unread articles. Press f to show all.",
                          "starred": "No starred articles. Press s on one to star it."}
                         .get(self.filter_name, "No articles yet. Import some with "
                                                "`newstui import PATH`."))
        self.update_title()

    def update_title(self) -> None:
        shown = self.article_list.count
        total = len(self.model.summaries)
        count = f"{shown:,} of {total:,}" if shown != total else f"{total:,}"
        order = "by headline" if self.order == "headline" else f"{self.order} first"
        read_only = " — read-only" if self.model.read_only else ""
        feed = f" — {self.feed_label}" if self.feed is not None else ""
        fetching = f" — {self.fetch_progress}" if self.fetch_progress else ""
        self.query_one("#title-bar", Static).update(
            f"newstui — {count} article{'s' if total != 1 else ''}{feed} — {self.filter_name}"
            f" — {order}{read_only}{fetching}")

    def _fetch_progress(self, text: str) -> None:
        self.fetch_progress = text
        self.update_title()

    # -- feeds ------------------------------------------------------------------

    def action_feeds(self) -> None:
        from newstui.tui.screens.feeds_screen import FeedsScreen

        screen = FeedsScreen(self.model, self.feed)

        def chosen(feed: str | None) -> None:
            if feed is None:
                return
            if not feed:
                self.feed = None
            else:
                self.feed = feed
                view = screen.view
                self.feed_label = view.label(feed) if view else feed
                self.feed_members = view.members.get(feed, frozenset()) if view else frozenset()
            self._rearrange_keeping_cursor()

        self.app.push_screen(screen, chosen)

    @work(thread=True, exclusive=True, group="feed-members")
    def _read_feed_members(self) -> None:
        from newstui.feeds.reader import read_feeds
        from newstui.feeds.subscriptions import SubscriptionError
        from newstui.store import StoreError

        try:
            view = read_feeds(self.model.archive, {})
        except (SubscriptionError, StoreError):
            return

        def apply() -> None:
            if self.feed is not None:
                self.feed_members = view.members.get(self.feed, frozenset())
                self._rearrange_keeping_cursor()

        self.app.call_from_thread(apply)

    @on(CursorList.Selected, "#articles")
    def open_clicked(self, event: CursorList.Selected) -> None:
        self.open_article(event.index)

    def action_open_selected(self) -> None:
        if self.article_list.count:
            self.open_article(self.article_list.cursor)

    def open_article(self, index: int) -> None:
        from newstui.tui.screens.article_screen import ArticleScreen

        rows = self.article_list.articles

        def back(index: int | None) -> None:
            if index is not None:
                self.article_list.cursor = index

        self.app.push_screen(ArticleScreen(self.model, rows, index), back)

    def _state_changed(self, article_id: str) -> None:
        # Only that article's row is drawn again, if it is on screen (a whole list's
        # worth of bytes for one star would be a waste on a slow link). A row that no
        # longer fits the filter (read while showing unread) stays until the filter is
        # applied again: rows vanishing under the cursor would be disorienting.
        articles = self.article_list
        top = articles.scroll_offset.y
        for index, shown in enumerate(articles.articles.ids(top, top + articles.size.height),
                                      top):
            if shown == article_id:
                articles.refresh_article(index)

    def action_search(self) -> None:
        from newstui.tui.screens.search_screen import SearchScreen

        self.app.push_screen(SearchScreen(self.model))

    def action_star(self) -> None:
        article = self.article_list.current
        if article is not None:
            starred = self.model.toggle_star(article)
            self.notify("Starred" if starred else "Unstarred", timeout=1.5)

    def action_toggle_read(self) -> None:
        article = self.article_list.current
        if article is not None:
            self.model.toggle_read(article)

    def action_cycle_filter(self) -> None:
        self.filter_name = next_in(FILTERS, self.filter_name)
        self._rearrange_keeping_cursor()
        self.notify(f"Showing {self.filter_name} articles", timeout=1.5)

    def action_cycle_order(self) -> None:
        self.order = next_in(ORDERS, self.order)
        self._rearrange_keeping_cursor()
        self.notify(f"Order: {self.order}" + (" first" if self.order != "headline" else ""),
                    timeout=1.5)

    def _rearrange_keeping_cursor(self) -> None:
        current = self.article_list.current
        self.rearrange(keep=current.id if current else None)
