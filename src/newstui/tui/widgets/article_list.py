"""The article list: one line per article — marks, date, dateline, headline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.style import Style
from textual.strip import Strip

from newstui.article import ReadingState, Summary
from newstui.inert import inert
from newstui.render import pad, short_date, truncate
from newstui.summary_table import ListedRows, SummaryTable
from newstui.tui.widgets.cursor_list import CursorList

UNREAD_MARK, STAR_MARK = "●", "★"
DATE_WIDTH, DATELINE_WIDTH = 10, 14
#: The fewest cells a headline keeps before the dateline, then the date, give way.
MIN_HEADLINE = 20


class ArticleList(CursorList):
    """Every article in the list's current order, drawn a screenful at a time: the rows
    are a `ListedRows` (row numbers into the model's compact table), and a `Summary` is
    made only for a line drawn."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *CursorList.COMPONENT_CLASSES, "article-list--date", "article-list--dateline",
        "article-list--mark", "article-list--unread",
    }
    DEFAULT_CSS = """
    ArticleList {
        & > .article-list--date { color: $text-muted; }
        & > .article-list--dateline { color: $text-secondary; }
        & > .article-list--mark { color: $text-accent; }
        & > .article-list--unread { text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.articles = ListedRows(SummaryTable())
        self.states: Mapping[str, ReadingState] = {}

    def show(self, articles: ListedRows, states: Mapping[str, ReadingState],
             cursor: int | None = None) -> None:
        # The rest of a large archive arriving after its first screenful leaves the
        # visible rows as they were: redrawing them would only send bytes again.
        top, height = self.scroll_offset.y, max(1, self.size.height)
        same_rows = self.articles.ids(top, top + height) == articles.ids(top, top + height)
        unchanged = same_rows and states is self.states and (cursor in (None, self.cursor))
        self.articles = articles
        self.states = states
        self.set_count(len(articles), cursor, repaint=not unchanged)

    @property
    def current(self) -> Summary | None:
        if 0 <= self.cursor < len(self.articles):
            return self.articles[self.cursor]
        return None

    def refresh_article(self, index: int) -> None:
        self.refresh_lines(index, 1)

    def cursor_first_part(self, parts: list[tuple[str, Style | None]]) -> int:
        # The cursor covers the headline (from the blank cell before it) to the end of
        # the row: marks, date and dateline keep their colours, and a move redraws two
        # headlines, not two rows in four colours each (bytes over a slow link:
        # docs/benchmarks.md, case 6).
        return max(0, len(parts) - 2)

    def render_item_line(self, index: int, line: int, width: int, selected: bool) -> Strip:
        article = self.articles[index]
        state = self.states.get(article.id, ReadingState())
        marks = (UNREAD_MARK if not state.read else " ") + (STAR_MARK if state.starred else " ")
        style = self.get_component_rich_style
        headline_style: Style | None = style("article-list--unread") if not state.read else None
        parts: list[tuple[str, Style | None]] = [(marks, style("article-list--mark")), (" ", None)]
        # At 80 columns the headline keeps 49 cells; a wider terminal gives it the rest.
        # A narrow one drops the dateline, then the date: the headline is what is read.
        room = width - 3
        if room - (DATE_WIDTH + 2) >= MIN_HEADLINE:
            # Inert: a store written elsewhere may hold escape sequences (never sent raw).
            date = pad(inert(short_date(article.date)), DATE_WIDTH)
            parts += [(date, style("article-list--date")), ("  ", None)]
            room -= DATE_WIDTH + 2
        if room - (DATELINE_WIDTH + 2) >= MIN_HEADLINE:
            parts += [(pad(inert(article.dateline or ""), DATELINE_WIDTH),
                       style("article-list--dateline")), ("  ", None)]
            room -= DATELINE_WIDTH + 2
        # The cursor starts one cell before the headline (see cursor_first_part).
        if parts[-1][0] == "  ":
            parts[-1:] = [(" ", None), (" ", None)]
        # Padded by terminal cells, not characters: a CJK or emoji dateline keeps the
        # headline column where it is.
        parts.append((truncate(inert(article.headline[:width * 4 + 1024]), max(1, room)),
                      headline_style))
        return self.segments(parts, selected)
