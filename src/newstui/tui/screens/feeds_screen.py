"""The subscriptions, like newsboat's feed list: unread and total articles and the last
fetch's status for each; Enter shows that feed's articles in the list."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from newstui.feeds.reader import FeedsView, read_feeds
from newstui.feeds.subscriptions import SubscriptionError
from newstui.inert import inert
from newstui.model import ReaderModel
from newstui.store import StoreError

if TYPE_CHECKING:
    from newstui.tui.app import NewsApp

#: The row that lists every article again.
ALL = "\x00all"
#: A feed's name is cut to this many cells (with "…"): a long title must not push the
#: counts and the status off an 80-column screen.
NAME_CELLS = 32


class FeedsScreen(Screen[str | None]):
    """Dismissed with the chosen feed's id ("" for every article), None to go back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,backspace", "back", "Back", id="feeds.back"),
        Binding("r", "app.fetch", "Fetch", id="feeds.fetch"),
        # Priority: the table would only scroll, leaving its cursor where it was.
        Binding("home,g", "first", "First", show=False, priority=True, id="feeds.first"),
        Binding("end,G", "last", "Last", show=False, priority=True, id="feeds.last"),
    ]

    app: NewsApp

    def __init__(self, model: ReaderModel, current: str | None = None) -> None:
        super().__init__()
        self.model = model
        self.current = current
        self.view: FeedsView | None = None

    def compose(self) -> ComposeResult:
        yield Static("newstui — feeds", id="title-bar", markup=False)
        table: DataTable[Text] = DataTable(id="feeds", cursor_type="row",
                                           zebra_stripes=False)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#feeds", DataTable)
        table.add_columns("feed", "unread", "total", "last fetch")
        table.focus()
        self.app.articles_signal.subscribe(self, lambda added: self.load())
        self.app.fetch_signal.subscribe(self, self._fetch_progress)
        self.load()

    @work(thread=True, exclusive=True, group="feeds")
    def load(self) -> None:
        try:
            view = read_feeds(self.model.archive, dict(self.model.states))
        except (SubscriptionError, StoreError) as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Cannot read the feeds",
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self.show, view)

    def show(self, view: FeedsView) -> None:
        self.view = view
        table = self.query_one("#feeds", DataTable)
        keep = self.current
        if table.row_count:
            row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            keep = row_key.value if row_key.value is not None else keep
        table.clear()
        total = len(self.model.summaries)
        unread = self.model.unread_count()
        table.add_row(*cells("All articles", f"{unread:,}", f"{total:,}", ""), key=ALL)
        for row in view.rows:
            # Plain Text, never a str: DataTable reads a str as markup, and a feed's
            # title or a server's status is text ("[@click=app.quit]" included).
            table.add_row(*cells(row.name, f"{row.unread:,}", f"{row.total:,}", row.status),
                          key=row.feed_id)
        keys = [ALL, *(row.feed_id for row in view.rows)]
        if keep in keys:
            table.move_cursor(row=keys.index(keep))
        self._title(None)
        if not view.rows:
            self.notify("No subscriptions yet: `newstui feeds add URL`, then r to fetch.",
                        timeout=6)

    def _title(self, progress: str | None) -> None:
        count = len(self.view.rows) if self.view else 0
        text = f"newstui — {count} feed{'s' if count != 1 else ''}"
        if progress:
            text += f" — {progress}"
        self.query_one("#title-bar", Static).update(Content(inert(text)))

    def _fetch_progress(self, text: str) -> None:
        self._title(text or None)

    @on(DataTable.RowSelected, "#feeds")
    def choose(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        self.dismiss("" if key in (None, ALL) else key)

    def action_first(self) -> None:
        self.query_one("#feeds", DataTable).move_cursor(row=0)

    def action_last(self) -> None:
        table = self.query_one("#feeds", DataTable)
        table.move_cursor(row=max(0, table.row_count - 1))

    def action_back(self) -> None:
        self.dismiss(None)


def cells(name: str, *texts: str) -> list[Text]:
    """A table row's cells as plain, inert Text (a Rich Text: DataTable renders it as it
    is, where a str would be parsed as markup); the name cut to NAME_CELLS."""
    first = Text(inert(name), end="", no_wrap=True)
    first.truncate(NAME_CELLS, overflow="ellipsis")
    return [first, *(Text(inert(text), end="", no_wrap=True) for text in texts)]
