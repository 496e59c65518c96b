"""An article set for reading: headline, dateline and date, caption, then the body at
a readable measure. Drawn with the Line API, so only visible lines are rendered."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newstui.article import Article
from newstui.highlight import match_spans
from newstui.render import MEASURE, caption_line, dateline_and_date

MARGIN = 2
# Article text was cleaned on import, but a store can be edited by hand: nothing that
# a terminal would act on is ever drawn.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    return _CONTROL.sub("", text)


class ArticleView(ScrollView, can_focus=True):
    """One article, wrapped to the widget's width (at most MEASURE columns)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "line(1)", "Down", show=False, id="article.down"),
        Binding("up,k", "line(-1)", "Up", show=False, id="article.up"),
        Binding("space,pagedown", "page(1)", "Page down", id="article.page_down"),
        Binding("b,pageup", "page(-1)", "Page up", show=False, id="article.page_up"),
        Binding("g,home", "top", "Top", show=False, id="article.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="article.bottom"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--headline", "article-view--meta", "article-view--caption",
        "article-view--match", "article-view--source",
    }
    DEFAULT_CSS = """
    ArticleView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;  /* lines are cut or wrapped to fit: never scroll sideways */
        & > .article-view--headline { text-style: bold; color: $text-primary; }
        & > .article-view--meta { color: $text-muted; }
        & > .article-view--caption { text-style: italic; color: $text-secondary; }
        & > .article-view--match { background: $warning 40%; text-style: bold; }
        & > .article-view--source { color: $text-muted; }
    }
    """

    def __init__(self, article: Article, phrases: list[tuple[str, ...]] | None = None,
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article = article
        self.phrases = phrases or []
        self._lines: list[Text] = []
        self._strips: dict[int, Strip] = {}
        self._wrapped_width = -1

    def show(self, article: Article, phrases: list[tuple[str, ...]] | None = None) -> None:
        self.article = article
        self.phrases = phrases or []
        self._wrapped_width = -1
        self._rewrap()
        self.scroll_to(y=0, animate=False, immediate=True)

    @property
    def line_count(self) -> int:
        return len(self._lines)

    @property
    def text(self) -> str:
        """The article as laid out on screen (for tests and copying)."""
        return "\n".join(line.plain for line in self._lines)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def _restyle(self) -> None:
        self._wrapped_width = -1
        self._rewrap()

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def _measure(self) -> int:
        return max(10, min(MEASURE, self.scrollable_content_region.width - MARGIN * 2))

    def _rewrap(self) -> None:
        width = self._measure()
        if width == self._wrapped_width:
            return
        self._wrapped_width = width
        self._lines = self._layout(width)
        self._strips.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._lines))
        self.refresh()

    def _layout(self, width: int) -> list[Text]:
        style = self.get_component_rich_style
        article = self.article
        lines: list[Text] = []

        def add(text: str, base: Style | None = None, indent: str = "") -> None:
            body = Text(printable(text), style=base or "")
            match = style("article-view--match")
            for start, end in match_spans(body.plain, self.phrases):
                body.stylize(match, start, end)
            for line in body.wrap(self.app.console, width - len(indent)):
                lines.append(Text(indent) + line if indent else line)

        def gap() -> None:
            lines.append(Text(""))

        add(article.headline, style("article-view--headline"))
        meta = dateline_and_date(article)
        if meta:
            add(meta, style("article-view--meta"))
        caption = caption_line(article)
        if caption:
            gap()
            add(caption, style("article-view--caption"), indent="▌ ")
        for paragraph in article.body:
            gap()
            add(paragraph)
        if article.source:
            gap()
            add(f"Source: {article.source}", style("article-view--source"))
        return lines

    # Scrolling jumps, never animates: each animation frame is bytes on a slow link.
    def go_to_line(self, line: int) -> None:
        self.scroll_to(y=max(0, line), animate=False, immediate=True)

    def action_line(self, delta: int) -> None:
        self.go_to_line(self.scroll_offset.y + delta)

    def action_page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height - 1)
        self.go_to_line(self.scroll_offset.y + direction * page)

    def action_top(self) -> None:
        self.go_to_line(0)

    def action_bottom(self) -> None:
        self.go_to_line(self.line_count)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            line = Text(" " * MARGIN) + self._lines[index]
            strip = Strip(list(line.render(self.app.console)), line.cell_len)
            self._strips[index] = strip
        base = self.rich_style
        return strip.apply_style(base).extend_cell_length(width, base).crop(0, width)
