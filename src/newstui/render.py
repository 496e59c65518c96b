"""Articles as plain text: the words the CLI prints and the TUI's article screen shows.

Pure string functions, no terminal codes: the same text reads well in a pipe, a log,
or a dumb terminal.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import datetime

from newstui.article import Article, Summary
from newstui.dates import local_moment

MEASURE = 76  # the longest line we set body text in, however wide the terminal


def display_date(iso: str | None) -> str:
    """`2016-07-27` -> `27 July 2016`; a time, if any, is added as `14:05` — in local
    time when the stored time is an instant (it has an offset)."""
    if not iso:
        return ""
    moment = local_moment(iso)
    if moment is None:
        return iso
    if isinstance(moment, datetime):
        return f"{moment.day} {moment:%B %Y %H:%M}"
    return f"{moment.day} {moment:%B %Y}"


def short_date(iso: str | None) -> str:
    """`2016-07-27` (the date part only, the local day of an instant) or blank: for
    lists, where columns must align."""
    if iso and len(iso) > 19 and iso[-6] in "+-":
        moment = local_moment(iso)
        if isinstance(moment, datetime):
            return moment.date().isoformat()
    return (iso or "")[:10]


def dateline_and_date(article: Article) -> str:
    """`BRUSSELS · Updated 27 July 2016`: where and when, as the article screen heads it."""
    if article.published:
        when = display_date(article.published)
    elif article.updated:
        when = f"Updated {display_date(article.updated)}"
    else:
        when = ""
    return " · ".join(part for part in (article.dateline, when) if part)


def caption_line(article: Article) -> str:
    """`Photo: AP — A Russian-made car driving …`, or blank when there is no caption."""
    if not article.caption:
        return ""
    if article.credit:
        return f"Photo: {article.credit} — {article.caption}"
    return f"Photo: {article.caption}"


def citation(article: Article) -> str:
    """`Headline — DATELINE, 27 July 2016 — source`: what `y` copies."""
    where_when = ", ".join(p for p in (article.dateline, display_date(article.date)) if p)
    return " — ".join(p for p in (article.headline, where_when, article.source) if p)


def format_article(article: Article, width: int = MEASURE) -> str:
    """The whole article as text wrapped at `width`, a blank line between paragraphs."""
    width = min(width, MEASURE)
    parts = [fill(article.headline, width)]
    heading = dateline_and_date(article)
    if article.author:
        heading = " · ".join(p for p in (f"By {article.author}", heading) if p)
    if heading:
        parts.append(fill(heading, width))
    caption = caption_line(article)
    if caption:
        parts.append(fill(caption, width, indent="  "))
    parts.extend(fill(paragraph, width) for paragraph in article.body)
    if article.url:
        parts.append(f"Link: {article.url}")  # unwrapped: a URL must stay whole
    if article.source:
        parts.append(fill(f"Source: {article.source}", width))
    return "\n\n".join(parts)


def fill(text: str, width: int, indent: str = "") -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=True, break_on_hyphens=False)


def cell_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters and emoji take
    two, combining marks and invisible format characters none, and a character joined
    to the one before it (an emoji sequence: 👨‍👩‍👧) none."""
    if text.isascii():
        return len(text)
    total, joined = 0, False
    for ch in text:
        if joined:
            joined = False
            continue
        total += _char_width(ch)
        joined = ch == "\u200d"
    return total


def _char_width(ch: str) -> int:
    if ch.isascii():
        return 1
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def truncate(text: str, width: int) -> str:
    """Cut `text` to `width` terminal columns, ending in … when it was cut.

    Looks at no more than a few times `width` characters, so a headline of megabytes
    costs no more than a short one."""
    if len(text) <= width and cell_width(text) <= width:
        return text
    head = text[:width * 4 + 16]  # zero-width characters take no column
    if len(head) == len(text) and cell_width(text) <= width:
        return text
    out, used, joined = [], 0, False
    for ch in head:
        w = 0 if joined else _char_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
        joined = ch == "\u200d"
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    """`text` cut or padded with spaces to exactly `width` terminal columns (a column of
    a list: a wide character takes two, so padding by characters would shift the next
    column)."""
    cut = truncate(text, width)
    return cut + " " * max(0, width - cell_width(cut))


def format_list_row(article: Article | Summary, width: int = 100) -> str:
    """`id  date  dateline  headline`, cut to `width` columns."""
    row = (f"{article.id[:10]}  {pad(short_date(article.date), 10)}  "
           f"{pad(article.dateline or '', 16)}  {article.headline}")
    return truncate(row, width)
