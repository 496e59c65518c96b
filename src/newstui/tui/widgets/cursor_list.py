"""A keyboard-driven list that renders only the lines on screen (Textual's Line API).

A widget per row does not scale past a few hundred rows; this draws the visible
lines on demand, so 100,000 articles scroll as fast as 100 (the toolong approach).
Subclasses say how many lines an item takes and how to draw each line.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class CursorList(ScrollView, can_focus=True):
    """Items drawn `LINES_PER_ITEM` lines each, one of them under the cursor."""

    LINES_PER_ITEM: ClassVar[int] = 1

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        # The screen opens the item at once (a message would be handled after the keys
        # already read: Enter and "n" typed together would lose the "n").
        Binding("enter", "screen.open_selected", "Open", id="list.open"),
    ]

    # repaint=False: a cursor move redraws its two lines, not the whole list (bytes
    # on a slow SSH link).
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Selected(Message):
        """The reader chose the item under the cursor with a double click. (Enter runs
        the screen's `open_selected` action.)"""

        def __init__(self, source: CursorList, index: int) -> None:
            super().__init__()
            self.source = source
            self.index = index

        @property
        def control(self) -> CursorList:
            return self.source

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._count = 0

    # -- the items ------------------------------------------------------------

    @property
    def count(self) -> int:
        return self._count

    def set_count(self, count: int, cursor: int | None = None, repaint: bool = True) -> None:
        """Tell the list how many items it has (after the data behind it changed).
        `repaint=False` when the lines on screen are known to be the same."""
        self._count = count
        self.virtual_size = Size(self.size.width, count * self.LINES_PER_ITEM)
        target = self.cursor if cursor is None else cursor
        target = max(0, min(target, count - 1))
        if target != self.cursor:
            self.cursor = target
        if repaint:
            self.refresh()

    def render_item_line(self, index: int, line: int, width: int, selected: bool) -> Strip:
        """Draw line `line` of item `index`, `width` cells wide. Subclasses override."""
        raise NotImplementedError

    # -- the Line API ---------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        virtual_y = self.scroll_offset.y + y
        index, line = divmod(virtual_y, self.LINES_PER_ITEM)
        width = self.scrollable_content_region.width
        if index >= self._count:
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor
        strip = self.render_item_line(index, line, width, selected)
        return strip.extend_cell_length(width, self._fill_style(selected)).crop(0, width)

    def _fill_style(self, selected: bool) -> Style:
        if selected and not self._narrow_cursor():
            return self.get_component_rich_style(self.cursor_component)
        return self.rich_style

    def _narrow_cursor(self) -> bool:
        """Low bandwidth: the cursor covers the item's first piece only (the marks), so
        a move changes a few cells on the wire, not two whole rows."""
        return self.app.has_class("-low-bandwidth")

    def cursor_first_part(self, parts: list[tuple[str, Style | None]]) -> int:
        """Which of a line's parts (those with text) the cursor starts at; it covers that
        part and the rest of the line. 0: the whole line. A subclass may start it later
        (the article list: at the headline), so that a move redraws fewer cells."""
        return 0

    @property
    def cursor_component(self) -> str:
        return "cursor-list--cursor" if self.has_focus else "cursor-list--cursor-blurred"

    COMPONENT_CLASSES: ClassVar[set[str]] = {"cursor-list--cursor", "cursor-list--cursor-blurred"}

    DEFAULT_CSS = """
    CursorList {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;  /* lines are cut or wrapped to fit: never scroll sideways */
        & > .cursor-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .cursor-list--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    def segments(self, parts: list[tuple[str, Style | None]], selected: bool) -> Strip:
        """A strip from (text, style) parts; under the cursor the cursor style wins.

        Text goes into Segments as it is: never parsed as markup, so an article's
        `[bold]` or `[@click=…]` is shown as those characters.
        """
        base = self.rich_style
        shown = [(text, style) for text, style in parts if text]
        if not selected:
            return Strip([Segment(text, base + style if style else base)
                          for text, style in shown])
        cursor = self.get_component_rich_style(self.cursor_component)
        if self._narrow_cursor():
            return Strip([Segment(text, cursor if i == 0 else base + style if style else base)
                          for i, (text, style) in enumerate(shown)])
        first = self.cursor_first_part(shown)
        return Strip([Segment(text, cursor if i >= first else base + style if style else base)
                      for i, (text, style) in enumerate(shown)])

    # -- moving ---------------------------------------------------------------

    def refresh_lines(self, y_start: int, line_count: int = 1) -> None:
        # Only the rows' cells: the scroll bar beside them has not changed, and redrawing
        # it would cost a cursor move and a colour code per row on the wire.
        self.refresh(Region(0, y_start - self.scroll_offset.y,
                            self.scrollable_content_region.width, line_count))

    def watch_cursor(self, old: int, new: int) -> None:
        per = self.LINES_PER_ITEM
        self.refresh_lines(old * per, per)
        self.refresh_lines(new * per, per)
        self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        per = self.LINES_PER_ITEM
        top = self.cursor * per
        height = max(1, self.scrollable_content_region.height)
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + per > self.scroll_offset.y + height:
            self.scroll_to(y=top + per - height, animate=False, immediate=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height // self.LINES_PER_ITEM)

    def action_cursor_down(self) -> None:
        if self.cursor < self._count - 1:
            self.cursor += 1

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1

    def action_page_down(self) -> None:
        self.cursor = min(self._count - 1, self.cursor + self._page())

    def action_page_up(self) -> None:
        self.cursor = max(0, self.cursor - self._page())

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, self._count - 1)

    def action_select(self) -> None:
        if self._count:
            self.post_message(self.Selected(self, self.cursor))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self._count * self.LINES_PER_ITEM)
        self.scroll_to_cursor()

    def on_focus(self) -> None:
        self.refresh_lines(self.cursor * self.LINES_PER_ITEM, self.LINES_PER_ITEM)

    def on_blur(self) -> None:
        self.refresh_lines(self.cursor * self.LINES_PER_ITEM, self.LINES_PER_ITEM)

    def on_click(self, event: events.Click) -> None:
        index = (self.scroll_offset.y + event.y) // self.LINES_PER_ITEM
        if 0 <= index < self._count:
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.cursor = index
