"""A search result's snippet fitted to one line of a terminal, its match in view.

The index's snippet is a fragment of up to a few hundred characters; a result shows
one line of it. Cut at the right edge, the line often ends before the word that
matched (at 80 columns, two of the three results for `harbour` in the bundled
samples showed no "harbour"). Here the line is windowed around its first match: the
text from the start if the match fits that way, else from a word boundary a little
before the match, with an ellipsis where it starts mid-sentence.

Used by the reader's result list and by `newstui search` on a terminal. The text is
also made inert (nothing a terminal acts on), piece by piece, so the match ranges
still point at the right characters.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from newstui.inert import inert
from newstui.render import cell_width, truncate

if TYPE_CHECKING:
    from newstui.search import Snippet

ELLIPSIS = "…"
_SENTENCE_END = (".", "!", "?", ".”", "!”", "?”", '."', '!"', '?"', ":", ";")


def fit_snippet(snippet: Snippet, width: int) -> Snippet:
    """`snippet` as one line of at most `width` terminal columns, showing (the start
    of) its first match, with the match ranges moved to match."""
    width = max(1, width)
    text, highlights = _inert(snippet.text, snippet.highlights)
    if cell_width(text) <= width:
        return replace(snippet, text=text, highlights=highlights)
    start = _window_start(text, highlights, width) if highlights else 0
    prefix = "" if start == 0 or text[:start].rstrip().endswith(_SENTENCE_END) else ELLIPSIS
    if width < 2:
        prefix = ""  # no room for both an ellipsis and a letter
    body = text[start:]
    shown = truncate(body, width - cell_width(prefix))
    visible = len(shown) - (1 if shown != body else 0)  # characters of body on the line
    shift = len(prefix) - start
    fitted = []
    for lo, hi in highlights:
        lo, hi = max(lo, start), min(hi, start + visible)
        if lo < hi:
            fitted.append((lo + shift, hi + shift))
    return replace(snippet, text=prefix + shown, highlights=tuple(fitted))


def _window_start(text: str, highlights: tuple[tuple[int, int], ...], width: int) -> int:
    """Where the line starts: 0 if the first match fits that way (with room for the
    closing ellipsis), else at a word start about a third of the line before it."""
    lo, hi = highlights[0]
    if cell_width(text[:hi]) <= width - 1:
        return 0
    context = max(0, (width - 2) // 3)
    start, used = lo, 0
    while start > 0:
        step = cell_width(text[start - 1])
        if used + step > context:
            break
        start -= 1
        used += step
    # Begin at a whole word: after the first space in the context, if there is one.
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, lo)
        if space != -1:
            start = space + 1
    while start < lo and text[start].isspace():
        start += 1
    return start


def _inert(text: str, highlights: tuple[tuple[int, int], ...]
           ) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The text made inert a piece at a time (between match boundaries), so each
    match range still covers its word."""
    if text.isprintable():
        return text, highlights
    pieces, moved, last = [], [], 0
    offset = 0
    for lo, hi in highlights:
        before, match = inert(text[last:lo]), inert(text[lo:hi])
        pieces += [before, match]
        offset += len(before)
        moved.append((offset, offset + len(match)))
        offset += len(match)
        last = hi
    pieces.append(inert(text[last:]))
    return "".join(pieces), tuple((lo, hi) for lo, hi in moved if lo < hi)
