"""Search as you type: the query box, a count or an explanation, and the results."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from newstui.highlight import query_phrases
from newstui.inert import inert
from newstui.model import ReaderModel
from newstui.query import QueryError
from newstui.store import StoreError
from newstui.tui.messages import SearchDone, SearchFailed
from newstui.tui.typeahead import TypeAhead
from newstui.tui.widgets.cursor_list import CursorList
from newstui.tui.widgets.result_list import ResultList

if TYPE_CHECKING:
    from newstui.search import Results
    from newstui.tui.app import NewsApp

# Seconds of quiet typing before a search starts. A search takes a few milliseconds
# and stale answers are dropped, so on a local terminal results follow every key;
# over a slow link each set of results is bytes, so only a pause in typing gets one.
DEBOUNCE, DEBOUNCE_LOW_BANDWIDTH = 0.0, 0.15
LIMIT = 100


class QueryInput(Input):
    """The query box: ↑ recalls earlier queries, ↓ moves into the results."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "recall(-1)", "Earlier query", show=False, id="search.recall_older",
                tooltip="earlier queries (in the query box)"),
        Binding("down", "screen.focus_results", "Results", id="search.results",
                tooltip="into the results"),
        # A screen action, run at once: the next key typed with Enter reaches the results.
        Binding("enter", "screen.submit_query", "Search", show=False, id="search.submit",
                tooltip="search now and go to the results"),
    ]

    def __init__(self, history: list[str]) -> None:
        super().__init__(
            placeholder='words, "a phrase", -not, a OR b, headline:…, after:2016-07-01',
            # Back in the box from the results, typing goes on from the end of the
            # query; it does not replace it.
            id="query", select_on_focus=False)
        self.history = history
        self._recall = len(history)

    def action_recall(self, step: int) -> None:
        if not self.history:
            return
        self._recall = max(0, min(len(self.history) - 1, self._recall + step))
        self.value = self.history[self._recall]
        self.cursor_position = len(self.value)


class SearchScreen(Screen[None]):
    AUTO_FOCUS = "#query"  # focused on arrival, so keys typed right after / are kept
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="search.back"),
        Binding("slash", "focus_query", "Query", show=False, id="search.query"),
    ]

    app: NewsApp

    def __init__(self, model: ReaderModel) -> None:
        super().__init__()
        self.model = model
        self._timer: Timer | None = None
        self.results: Results | None = None
        self._shown = ""
        self._to_results = False  # Enter was pressed before the results came
        self._submitted = ""  # the query Enter searched for

    def compose(self) -> ComposeResult:
        yield Static("newstui — search", id="title-bar", markup=False)
        yield QueryInput(self.model.history)
        yield Static("Type to search. ? lists the query syntax.", id="search-status", markup=False)
        yield ResultList(id="results")
        yield Footer()

    @property
    def status(self) -> Static:
        return self.query_one("#search-status", Static)

    @on(Input.Changed, "#query")
    def query_changed(self, event: Input.Changed) -> None:
        # Keys typed together ("cotton" and Enter in one packet) reach the box before
        # its Changed messages reach this screen, and the App runs Enter's binding in
        # its own task: a Changed can arrive after Enter. One for a value the box no
        # longer holds is stale (the box's latest follows); one for the query Enter
        # already searched must not take back Enter's "go to the results".
        if event.value != event.input.value:
            return
        if self._to_results and event.value == self._submitted:
            return
        self._to_results = False
        if self._timer is not None:
            self._timer.stop()
        delay = DEBOUNCE_LOW_BANDWIDTH if self.app.settings.low_bandwidth else DEBOUNCE
        if not delay:
            self.start_search(event.value)  # the worker is exclusive: a newer key wins
            return
        self._timer = self.set_timer(delay, lambda: self.start_search(event.value))

    def action_submit_query(self) -> None:
        """Enter in the query box: search now, remember the query, go to the results
        (when they arrive, if they have not yet)."""
        if self._timer is not None:
            self._timer.stop()
        text = self.query_one("#query", Input).value
        if text != self._shown:
            self.start_search(text)
        self.remember(text)
        self._to_results = True
        self._submitted = text
        self.action_focus_results()

    def start_search(self, text: str) -> None:
        if not text.strip():
            self.status.remove_class("error")
            self.status.update("Type to search.")
            self.query_one(ResultList).show([])
            return
        self.run_search(text)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        """Search off the event loop; only the latest query's results are shown."""
        try:
            results = self.model.search(text, LIMIT)
        except QueryError as exc:
            self.post_message(SearchFailed(text, str(exc)))
            return
        except StoreError as exc:
            self.post_message(SearchFailed(text, f"cannot search: {exc}"))
            return
        self.post_message(SearchDone(text, results))

    def on_search_done(self, message: SearchDone) -> None:
        if message.text != self.query_one("#query", Input).value:
            return  # the reader has typed on since
        self.results = message.results
        self._shown = message.text
        total, shown = message.results.total, len(message.results.hits)
        self.status.remove_class("error")
        if total == 0:
            self.status.update("No matches.")
        else:
            more = f" (best {shown} shown)" if shown < total else ""
            self.status.update(f"{message.results.describe_total()}{more}")
        self.query_one(ResultList).show(message.results.hits)
        if self._to_results:
            self.action_focus_results()

    def on_search_failed(self, message: SearchFailed) -> None:
        if message.text != self.query_one("#query", Input).value:
            return
        self.status.add_class("error")
        self.status.update(inert(message.reason))  # it may quote the query

    def remember(self, text: str) -> None:
        self.model.remember_search(text)

    # Focus moves at once (`set_focus`), not after the keys already read (`focus()`
    # defers it): ↓ and Enter typed together must open the first result.

    def action_focus_results(self) -> None:
        results = self.query_one(ResultList)
        if results.count:
            self._to_results = False
            self.set_focus(results)

    def action_focus_query(self) -> None:
        self.set_focus(self.query_one("#query", Input))

    def on_key(self, event: events.Key) -> None:
        # ↑ on the first result goes back up into the query box.
        results = self.query_one(ResultList)
        if event.key == "up" and results.has_focus and results.cursor == 0:
            self.action_focus_query()
            event.stop()
            TypeAhead.taken(event)  # the keys typed after it need not wait for it

    def action_back(self) -> None:
        self.dismiss()

    @on(CursorList.Selected, "#results")
    def open_clicked(self, event: CursorList.Selected) -> None:
        self.open_result(event.index)

    def action_open_selected(self) -> None:
        results = self.query_one(ResultList)
        if results.count:
            self.open_result(results.cursor)

    def open_result(self, index: int) -> None:
        from newstui.tui.screens.article_screen import ArticleScreen

        if self.results is None:
            return
        self.remember(self._shown)
        articles = [hit.article for hit in self.results.hits]
        phrases = query_phrases(self.results.query)

        def back(index: int | None) -> None:
            if index is not None:
                self.query_one(ResultList).cursor = index

        self.app.push_screen(ArticleScreen(self.model, articles, index, phrases), back)
