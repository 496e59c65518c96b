"""An article set for reading: headline, dateline and date, caption, then the body at
a readable measure. Drawn with the Line API, so only visible lines are rendered.

Laid out lazily: an article may be 50 MB of text, and wrapping all of it with Rich
takes many seconds. Each block (headline, paragraph, …) is wrapped only as far as the
lines asked for, by `line_starts`, which finds the same breaks as Rich's word wrap
(`rich._wrap.divide_line`) but a line at a time instead of a word at a time. A line's
`Text` is only built when it is drawn.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.style import Style
from rich.text import Span, Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from newstui.article import Article
from newstui.highlight import match_spans
from newstui.inert import inert
from newstui.render import MEASURE, caption_line, dateline_and_date

#: Blank cells left of the text (and at least as many right of it): one, as the title
#: and the footer have. Each costs a byte per row of every page sent (bench case 6).
MARGIN = 1

#: Articles up to this many characters are laid out in full when shown (a few ms);
#: longer ones as far as the screen needs, the rest estimated until it is reached.
EAGER_CHARS = 200_000
#: A block longer than this has its search matches found around each drawn line,
#: not over the whole block at once.
_WINDOWED_MATCH_CHARS = 20_000
_STRIP_CACHE = 4096


# A web address in article text. Only URL characters, so nothing but the address can
# end up inside the OSC 8 sequence that carries it.
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]+[A-Za-z0-9/#=&_\-]")


# -- word wrap, a line at a time ----------------------------------------------------

# Characters Rich measures as one cell each (its own fast-path ranges, see
# rich.cells._SINGLE_CELL_UNICODE_RANGES), with the plain space as the only
# whitespace: text made only of these (nearly every stored paragraph, whose spaces
# were collapsed on import) takes the fast path.
_SIMPLE_TEXT = re.compile(
    "[\x21-\x7e\xa1-\xac\xae-\u02ff\u0370-\u0482\u2500-\u25fc\u2800-\u28ff ]*"
)
_NOT_SPACE = re.compile("[^ ]")
_RICH_WORD = re.compile(r"\s*\S+\s*")  # a word as rich._wrap.words sees it


def line_starts(text: str, width: int) -> Iterator[int]:
    """The offsets in `text` where its lines start when word-wrapped to `width` cells,
    the first always 0: the same lines as `rich.text.Text.wrap` (fold overflow) makes,
    yielded one by one so a caller can stop at the lines it needs."""
    yield 0
    width = max(1, width)
    if (text.isascii() and text.isprintable()) or _SIMPLE_TEXT.fullmatch(text):
        yield from _simple_breaks(text, width)
    else:
        yield from _rich_breaks(text, width)


def _simple_breaks(text: str, width: int) -> Iterator[int]:
    """Rich's greedy wrap for text of one-cell characters and plain spaces, a line per
    step: the words on a line are all those whose last letter is within `width` of
    the line's start; the first word past it starts the next line (folded into
    `width`-long pieces, trailing spaces included, when it is longer than a line)."""
    n = len(text)
    start = 0  # where the current line starts
    while start + width < n:
        limit = start + width
        if text[limit] == " ":
            found = _NOT_SPACE.search(text, limit)
            if found is None:
                return  # only trailing spaces left: they end the last line
            run = found.start()
        else:
            space = text.rfind(" ", start, limit)
            run = space + 1 if space >= 0 else start
        # The word is the run of letters and the spaces after it; the text's first word
        # also takes any spaces before it.
        word = 0 if start == 0 and not text[:run].strip() else run
        run_end = text.find(" ", run)
        run_end = n if run_end < 0 else run_end
        after = _NOT_SPACE.search(text, run_end)
        word_end = n if after is None else after.start()
        if word:
            yield word
        if run_end - word > width:
            pieces = (word_end - word - 1) // width
            for piece in range(1, pieces + 1):
                yield word + piece * width
            start = word + pieces * width
        else:
            start = word


def _rich_breaks(text: str, width: int) -> Iterator[int]:
    """`rich._wrap.divide_line` (fold=True) as a generator, for text with wide,
    zero-width or unusual whitespace characters."""
    offset = 0
    for match in _RICH_WORD.finditer(text):
        start, word = match.start(), match.group()
        word_length = cell_len(word.rstrip())
        if width - offset >= word_length:
            offset += cell_len(word)
        elif word_length > width:
            pieces = chop_cells(word, width)
            for number, piece in enumerate(pieces, start=1):
                if start:
                    yield start
                if number == len(pieces):
                    offset = cell_len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            yield start
            offset = cell_len(word)


# -- the layout -----------------------------------------------------------------------


@dataclass(eq=False)
class _Block:
    """A run of text set as one paragraph: the headline, a paragraph, a blank line."""

    text: str
    component: str | None = None  # the style, by component class
    indent: str = ""
    starts: list[int] = field(default_factory=list)  # line starts found so far
    breaks: Iterator[int] | None = None  # the rest of them; None when all are found
    matches: list[tuple[int, int]] | None = None  # search matches, found when drawn


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
        self._head: list[_Block] = []  # the blocks above the body
        self._tail: list[_Block] = []  # and below it
        self._block_count = 0
        self._blocks: list[_Block] = []  # the blocks laid out (the last one perhaps in part)
        self._first: list[int] = []  # the first line of each of them
        self._chars_left = 0  # characters in blocks not laid out yet (for the estimate)
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
        """Lines in the whole article (lays it all out)."""
        self._lay_out_to(None)
        return self._known_lines()

    @property
    def text(self) -> str:
        """The article as laid out on screen (for tests and copying)."""
        return "\n".join(line.plain for line in self._lines)

    @property
    def _lines(self) -> list[Text]:
        """Every line of the article (lays it all out: for tests)."""
        return [self._line(index) for index in range(self.line_count)]

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._restyle())

    def _restyle(self) -> None:
        # Styles are looked up as lines are drawn: the line breaks stay.
        self._strips.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def _measure(self) -> int:
        return max(10, min(MEASURE, self.scrollable_content_region.width - MARGIN * 2))

    def _rewrap(self) -> None:
        width = self._measure()
        if width == self._wrapped_width:
            return
        self._wrapped_width = width
        self._set_blocks()
        self._strips.clear()
        if self._chars_left <= EAGER_CHARS:
            self._lay_out_to(None)
        else:
            self._lay_out_to(self.scroll_offset.y + self.scrollable_content_region.height)
        self._update_virtual_size()
        self.refresh()

    def _set_blocks(self) -> None:
        """The blocks of the article, top to bottom: those around the body now, the
        body's (a blank line and a paragraph each) when the layout reaches them."""
        # Cleaned on import, but a store can be shared, edited by hand or older than
        # this release: nothing a terminal would act on, nothing that reorders text
        # (a bidi override in a source path) is ever drawn.
        article = self.article
        self._head = [_Block(inert(article.headline), "article-view--headline")]
        meta = dateline_and_date(article)
        if article.author:
            meta = " · ".join(p for p in (f"By {article.author}", meta) if p)
        if meta:
            self._head.append(_Block(inert(meta), "article-view--meta"))
        caption = caption_line(article)
        if caption:
            self._head += [_Block(""), _Block(inert(caption), "article-view--caption",
                                              indent="▌ ")]
        self._tail = []
        if article.url:  # a terminal hyperlink (OSC 8) where the terminal shows them
            self._tail = [_Block(""), _Block(inert(f"Link: {article.url}"),
                                             "article-view--source")]
        if article.source:
            self._tail += [_Block(""), _Block(inert(f"Source: {article.source}"),
                                              "article-view--source")]
        self._block_count = len(self._head) + 2 * len(article.body) + len(self._tail)
        self._blocks = []
        self._first = []
        self._chars_left = (sum(len(b.text) for b in (*self._head, *self._tail))
                            + sum(len(p) for p in article.body))

    def _make_block(self, number: int) -> _Block:
        head, body = len(self._head), 2 * len(self.article.body)
        if number < head:
            return self._head[number]
        if number >= head + body:
            return self._tail[number - head - body]
        paragraph, text = divmod(number - head, 2)
        return _Block(inert(self.article.body[paragraph]) if text else "")

    # -- laying out as far as needed ---------------------------------------------

    def _known_lines(self) -> int:
        """Lines laid out so far (all of them once the last block is done)."""
        if not self._blocks:
            return 0
        block = self._blocks[-1]
        ready = len(block.starts) - (1 if block.breaks is not None else 0)
        return self._first[-1] + ready

    @property
    def _complete(self) -> bool:
        return len(self._blocks) == self._block_count and (
            not self._blocks or self._blocks[-1].breaks is None)

    def _lay_out_to(self, line: int | None) -> None:
        """Lay out until line `line` exists (`None`: the whole article)."""
        while not self._complete and (line is None or self._known_lines() <= line):
            if not self._blocks or self._blocks[-1].breaks is None:
                # The block before is done: begin the next.
                first = self._first[-1] + len(self._blocks[-1].starts) if self._blocks else 0
                block = self._make_block(len(self._blocks))
                self._chars_left -= len(block.text)
                width = self._wrapped_width - len(block.indent)
                if len(block.text) <= width and block.text.isascii():
                    block.starts, block.breaks = [0], None  # a blank line, a short one
                else:
                    block.starts, block.breaks = [], line_starts(block.text, width)
                self._blocks.append(block)
                self._first.append(first)
            block = self._blocks[-1]
            if block.breaks is None:
                continue
            # A screenful of lines at a time (all of them when laying out in full).
            for _ in range(64 if line is not None else 1 << 62):
                start = next(block.breaks, None)
                if start is None:
                    block.breaks = None
                    break
                block.starts.append(start)

    def _estimated_lines(self) -> int:
        if self._complete:
            return self._known_lines()
        # Prose fills about nine tenths of a line; each block left adds its blank line.
        blocks_left = self._block_count - len(self._blocks)
        width = max(1, self._wrapped_width)
        chars_left = max(0, self._chars_left)
        return self._known_lines() + 1 + chars_left * 10 // (width * 9) + 2 * blocks_left

    def _update_virtual_size(self) -> None:
        height = self._estimated_lines()
        size = Size(self.scrollable_content_region.width, height)
        if size != self.virtual_size:
            self.virtual_size = size

    def _line(self, index: int) -> Text:
        """Line `index` of the article (laid out already) as styled text."""
        number = bisect.bisect_right(self._first, index) - 1
        block = self._blocks[number]
        row = index - self._first[number]
        start = block.starts[row]
        end = block.starts[row + 1] if row + 1 < len(block.starts) else len(block.text)
        style = self.get_component_rich_style
        base: Style | str = style(block.component) if block.component else ""
        matches = self._matches(block, start, end)
        if matches:
            match = style("article-view--match")
            spans = [Span(max(s, start) - start, min(e, end) - start, match)
                     for s, e in matches]
        if not matches:
            spans = []
        spans.extend(self._links(block, start, end))
        line = Text(block.text[start:end], style=base, spans=spans or None)
        # What Rich's wrap does to each line it makes.
        width = self._wrapped_width - len(block.indent)
        line.rstrip_end(width)
        line.truncate(width, overflow="fold")
        return Text(block.indent) + line if block.indent else line

    def _links(self, block: _Block, start: int, end: int) -> list[Span]:
        """URLs in text[start:end] as terminal hyperlinks (OSC 8), where the terminal
        shows them. A URL broken over two lines links from both parts."""
        settings = getattr(self.app, "settings", None)
        if settings is None or not settings.hyperlinks:
            return []
        if "://" not in block.text[max(0, start - 2048):end + 2048]:
            return []
        window_start = max(0, start - 2048)
        window = block.text[window_start:end + 2048]
        links = []
        for found in _URL.finditer(window):
            lo, hi = found.start() + window_start, found.end() + window_start
            if lo < end and hi > start:
                links.append(Span(max(lo, start) - start, min(hi, end) - start,
                                  Style(link=found.group())))
        return links

    def _matches(self, block: _Block, start: int, end: int) -> list[tuple[int, int]]:
        """Search matches in `block` that overlap its text[start:end]."""
        if not self.phrases or not block.text:
            return []
        if len(block.text) > _WINDOWED_MATCH_CHARS:
            return match_spans(block.text, self.phrases, start, end)
        if block.matches is None:
            block.matches = match_spans(block.text, self.phrases)
        return [(s, e) for s, e in block.matches if s < end and e > start]

    # Scrolling jumps, never animates: each animation frame is bytes on a slow link.
    def go_to_line(self, line: int) -> None:
        line = max(0, line)
        self._lay_out_to(line + self.scrollable_content_region.height)
        self._update_virtual_size()
        self.scroll_to(y=line, animate=False, immediate=True)

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
        if index >= self._known_lines():
            # Scrolled (by the scroll bar or the mouse) past what is laid out so far.
            self._lay_out_to(index)
            self.call_later(self._update_virtual_size)
        if index >= self._known_lines():
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            line = Text(" " * MARGIN) + self._line(index)
            strip = Strip(list(line.render(self.app.console)), line.cell_len)
            if len(self._strips) >= _STRIP_CACHE:
                self._strips.clear()
            self._strips[index] = strip
        base = self.rich_style
        return strip.apply_style(base).extend_cell_length(width, base).crop(0, width)
