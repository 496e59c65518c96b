"""Search results, three lines each: headline; date and dateline; the snippet with the
matched terms highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from textual.strip import Strip

from newstui.inert import inert
from newstui.render import short_date, truncate
from newstui.snippets import fit_snippet
from newstui.tui.widgets.cursor_list import CursorList

if TYPE_CHECKING:
    from newstui.search import Hit


class ResultList(CursorList):
    LINES_PER_ITEM: ClassVar[int] = 3

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *CursorList.COMPONENT_CLASSES, "result-list--headline", "result-list--meta",
        "result-list--match",
    }
    DEFAULT_CSS = """
    ResultList {
        & > .result-list--headline { text-style: bold; }
        & > .result-list--meta { color: $text-muted; }
        & > .result-list--match { color: $text-warning; text-style: bold underline; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hits: list[Hit] = []

    def show(self, hits: list[Hit]) -> None:
        self.hits = hits
        self.set_count(len(hits), 0)
        self.scroll_to(y=0, animate=False, immediate=True)

    def render_item_line(self, index: int, line: int, width: int, selected: bool) -> Strip:
        hit = self.hits[index]
        article = hit.article
        style = self.get_component_rich_style
        room = max(1, width - 2)
        if line == 0:
            return self.segments([(" ", None), (_fit(article.headline, room),
                                                style("result-list--headline"))], selected)
        if line == 1:
            meta = " · ".join(p for p in (short_date(article.date), article.dateline) if p)
            return self.segments([("   ", None), (_fit(meta, room - 2),
                                                  style("result-list--meta"))], selected)
        snippet = self._snippet(hit, room - 2, style("result-list--match"))
        return self.segments([("   ", None), *snippet], selected)

    def _snippet(self, hit: Hit, room: int, match: Style) -> list[tuple[str, Style | None]]:
        """The snippet's line, windowed so that its first match is in view."""
        snippet = fit_snippet(hit.snippet, room)
        text = snippet.text
        parts: list[tuple[str, Style | None]] = []
        last = 0
        for start, end in snippet.highlights:
            parts += [(text[last:start], None), (text[start:end], match)]
            last = end
        parts.append((text[last:], None))
        return parts


def _fit(text: str, room: int) -> str:
    """`text` made inert and cut to `room` columns, looking only at its start: a
    headline can be megabytes long (a hand-made JSON record)."""
    return truncate(inert(text[:room * 4 + 1024]), room)
