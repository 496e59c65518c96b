"""Line filters: Textual passes every line through them just before writing it, so
Textual's own borders, scroll bars and footer are covered as well as our widgets."""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from newstui.terminal import to_ascii


class AsciiFilter(LineFilter):
    """ASCII only, for a terminal whose locale is not UTF-8: no mojibake."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if segment.text.isascii() or segment.control
            else Segment(to_ascii(segment.text), segment.style, segment.control)
            for segment in segments
        ]


class NoColorFilter(LineFilter):
    """No colour escape codes at all (NO_COLOR, --color none). Bold, underline and
    reverse video stay: the cursor and the matches are drawn with them."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else style.without_color, control)
            for text, style, control in segments
        ]
