"""One article, for reading. Walks the list (or the search results) it was opened from."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from newstui.article import Article, Summary
from newstui.inert import inert
from newstui.model import ReaderModel
from newstui.render import citation, format_article
from newstui.store import StoreError
from newstui.tui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    from newstui.tui.app import NewsApp


class ArticleScreen(Screen[int]):
    """Dismissed with the index of the article last shown, so the list can follow."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,backspace", "back", "Back", id="article.back"),
        Binding("n", "step(1)", "Next", id="article.next", tooltip="next article"),
        Binding("p", "step(-1)", "Previous", id="article.previous",
                tooltip="previous article"),
        Binding("s", "star", "Star", id="article.star"),
        Binding("y", "copy(False)", "Copy cite", id="article.copy_citation",
                tooltip="copy the citation (headline, dateline, date, source)"),
        Binding("Y", "copy(True)", "Copy all", show=False, id="article.copy_article",
                tooltip="copy the whole article"),
        Binding("o", "open_link", "Open link", id="article.open_link"),
    ]

    app: NewsApp

    def __init__(self, model: ReaderModel, sequence: Sequence[Article | Summary], index: int,
                 phrases: list[tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.model = model
        self.sequence = sequence
        self.index = index
        self._loaded: Article | None = None
        self.phrases = phrases

    @property
    def article(self) -> Article:
        """The article shown: the list holds summaries, so the whole article is read
        from the store when it is opened (one line of the store file)."""
        entry = self.sequence[self.index]
        if isinstance(entry, Article):
            return entry
        if self._loaded is None or self._loaded.id != entry.id:
            try:
                self._loaded = self.model.article(entry)
            except StoreError as exc:
                self.notify(str(exc), title="Cannot read the article", severity="error")
                self._loaded = Article(headline=entry.headline, id=entry.id,
                                       body=("(This article cannot be read.)",))
        return self._loaded

    def compose(self) -> ComposeResult:
        yield Static("", id="title-bar", markup=False)
        yield ArticleView(self.article, self.phrases, id="article")
        yield Footer()

    @property
    def view(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    def on_mount(self) -> None:
        self.view.focus()
        self.app.state_signal.subscribe(self, self._state_changed)
        # Where the reader is, kept by the model as it scrolls: a quit or a hang-up
        # saves it without asking the screens.
        self.watch(self.view, "scroll_y", self._scrolled, init=False)
        # The article view has no scroll bar (app.tcss): the title says how far in.
        self.watch(self.view, "virtual_size", self._reflowed, init=False)
        self._opened()

    def _opened(self) -> None:
        """Mark the article read and return to where the reader left off."""
        position = self.model.open_article(self.article)
        self.update_title()
        self.call_after_refresh(self.view.go_to_line, position)

    def _scrolled(self, y: float) -> None:
        self.model.reading_at(self.article.id, round(y))
        self.update_title()

    def _reflowed(self) -> None:
        self.update_title()

    def _how_far(self) -> str:
        """How much of the article has been on screen, as a percentage ("" when it
        all fits): the article view's place for a scroll bar, in a few cells."""
        view = self.view
        total = view.virtual_size.height
        height = view.scrollable_content_region.height
        if height <= 0 or total <= height:
            return ""
        seen = min(total, round(view.scroll_y) + height)
        return f" — {100 * seen // total}%"

    def save_position(self) -> None:
        self.model.close_article(self.article, self.view.scroll_offset.y)

    def update_title(self) -> None:
        star = "  ★ starred" if self.model.state_of(self.article).starred else ""
        self.query_one("#title-bar", Static).update(
            f"newstui — article {self.index + 1:,} of {len(self.sequence):,}"
            f"{self._how_far()}{star}")

    def _state_changed(self, article_id: str) -> None:
        if article_id == self.article.id:
            self.update_title()

    def action_back(self) -> None:
        self.save_position()
        self.dismiss(self.index)

    def action_step(self, delta: int) -> None:
        target = self.index + delta
        if not 0 <= target < len(self.sequence):
            self.notify("No more articles that way", timeout=1.5)
            return
        self.save_position()
        self.index = target
        self.view.show(self.article, self.phrases)
        self._opened()

    def action_star(self) -> None:
        starred = self.model.toggle_star(self.article)
        self.notify("Starred" if starred else "Unstarred", timeout=1.5)

    def action_open_link(self) -> None:
        """Open the article's link in a browser where there is a local display; else
        (over SSH, on a console) copy it to the reader's clipboard with OSC 52."""
        from newstui.feeds.links import has_local_display, open_in_browser

        url = self.article.url
        if not url:
            self.notify("This article has no link", timeout=2)
            return
        if has_local_display(os.environ) and open_in_browser(url):
            self.notify(f"Opened {url}", timeout=2, markup=False)
            return
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied the link to the clipboard: {url}", timeout=3, markup=False)

    def action_copy(self, whole: bool) -> None:
        """Copy to the reader's own clipboard with OSC 52, which works across SSH (and
        through tmux with `set-clipboard on`)."""
        # Inert: pasted into a terminal, an ESC or a C1 control in the copy would act.
        text = inert(format_article(self.article) if whole else citation(self.article),
                     lines=whole)
        self.app.copy_to_clipboard(text)
        what = f"the article ({len(text):,} characters)" if whole else "the citation"
        self.notify(f"Copied {what} to the clipboard", timeout=2)
