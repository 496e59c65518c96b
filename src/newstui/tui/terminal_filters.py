"""Line filters: Textual passes every line through them just before writing it, so
Textual's own borders, scroll bars and footer are covered as well as our widgets."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
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


class MergeSegments(LineFilter):
    """Join neighbouring pieces of a line that share a style.

    Textual writes each piece as `ESC[<style>m text ESC[0m`; a row of the list is
    seven pieces, most in the same style as the next. Fewer pieces, fewer bytes on
    the wire, the same picture."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        merged: list[Segment] = []
        for segment in segments:
            if merged and not segment.control and not merged[-1].control and (
                merged[-1].style == segment.style
                or _blank_alike(merged[-1].style, segment)
            ):
                last = merged[-1]
                merged[-1] = Segment(last.text + segment.text, last.style)
            else:
                merged.append(segment)
        return merged


def _blank_alike(before: Style | None, segment: Segment) -> bool:
    """Spaces look the same in the style before them when the background is the same
    and neither style draws on blank cells (underline, strike, overline, reverse)."""
    if before is None or segment.style is None or segment.text.strip(" "):
        return False
    style = segment.style
    return (
        before.bgcolor == style.bgcolor
        and not any((before.underline, before.strike, before.overline, before.reverse,
                     style.underline, style.strike, style.overline, style.reverse))
        and before.link == style.link
    )
