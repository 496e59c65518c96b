"""Scraped news pages and plain-text stories -> Articles. Pure functions, str in.

The format (docs: shared raw-format.md), top to bottom: site boilerplate, a date line
(`. Last Updated: 07/27/2016`), the headline, a photo caption with its credit glued on
(`APA Russian-made car…`), then the body, whose first paragraph may open with a
dateline (`BRUSSELS — `). Plain-text stories are the same minus everything but the
headline and body. "In brief" pages hold several items; archive day indexes hold none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newstui.article import Article
from newstui.dates import DateError, looks_like_date, parse_article_date
from newstui.textclean import clean_text, collapse_spaces, squeeze_spaces


class NotAnArticleError(ValueError):
    """Text that holds no article (empty, an archive index, a headline with no body)."""


@dataclass
class ParsedPage:
    """What one page yielded: its articles and anything the reader should know."""

    articles: list[Article]
    warnings: list[str] = field(default_factory=list)


_BOILERPLATE = [
    re.compile(r"^get the latest updates as we post them\b.*$", re.IGNORECASE),
]
# A lone word the scrape left beside the boilerplate, e.g. "Install" (a button label).
_STRAY_WORD = re.compile(r"^[A-Za-z]{2,12}$")
_DATE_LINE = re.compile(
    r"^(?P<lead>[\s.·|•-]*)(?P<label>last\s+updated|updated|published|posted)"
    r"(?P<colon>\s*:)?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
_BARE_DATE = re.compile(
    r"^[\s.·|•-]*(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}(?:\s+\d{1,2}:\d{2})?)$"
)

_AGENCIES = (
    "ITAR-TASS", "RIA Novosti", "Vedomosti", "Kommersant", "Interfax", "Bloomberg",
    "Reuters", "Xinhua", "Getty Images", "Getty", "AFP", "EPA", "AP", "TASS", "DPA",
    "ANP", "PA", "UPI",
)
_AGENCY_PATTERN = "|".join(re.escape(a) for a in _AGENCIES)
# The scrape lost the space between credit and caption: "APA Russian-made car…". The
# caption must then start like a sentence ("A Russian", "The", a quote, a digit), so a
# paragraph beginning "APPLE…" is not read as credit "AP" + caption "PLE…".
_CAPTION_START = r"(?=[A-Z][a-z’' ]|[“\"‘'(\d])"
_AGENCY_CREDIT = re.compile(rf"^(?P<credit>{_AGENCY_PATTERN}){_CAPTION_START}(?P<caption>.+)$")
# A photographer and the paper's tag: "Igor Tabakov / MTVolunteers stack…".
_PHOTOGRAPHER_CREDIT = re.compile(
    rf"^(?P<credit>(?:[A-Z][\w.'’-]*\s){{1,3}}/\s?[A-Z]{{2,5}}?){_CAPTION_START}(?P<caption>.+)$"
)
# "BRUSSELS — ", "GROZNY -- ", "NAZRAN, Russia - ", "MOSCOW (AP) -- ", "FRANKFURT
# (Bloomberg) -- ". The place is in capitals; a hyphen needs spaces round it so that
# "NATO-Russia ties" is not a dateline. The dateline is the place: a wire tag such as
# "(AP)" names who filed the story, not where, and is dropped.
# Capitals of the Latin, Greek and Cyrillic scripts ("SAN JOSÉ", "ŁÓDŹ", "МОСКВА"): a
# class built from Unicode, since `re` has no \p{Lu}.
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x530)) if c.isupper())
_LETTER = r"[^\W\d_]"
# The date a wire service writes after the place: "LONDON, June 8 (AP) —",
# "WASHINGTON, Dec. 3, 2009 (Reuters) -". Dropped with the wire tag (the story's date
# comes from its date line).
_WIRE_DATE = (r"(?:,\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
              r"\s\d{1,2}(?:,\s\d{4})?)?")
_DATELINE = re.compile(
    rf"^(?P<dateline>[{_UPPER}][{_UPPER}.'’ -]*[{_UPPER}.]"
    rf"(?:,\s[{_UPPER}](?:{_LETTER}|[.'’ -]){{1,30}}?)?)"
    + _WIRE_DATE +
    rf"(?:\s\((?P<wire>{_LETTER}(?:{_LETTER}|[ -]){{0,30}})\))?"
    r"(?:\s*[—–]\s*|\s+--?\s+)(?P<rest>\S.*)$"
)
# Words in capitals before a dash that are an editor's label, not a place: "BREAKING —
# Markets fell", "CORRECTION — An earlier version…". The paragraph stays as written.
_LABELS = frozenset((
    "ADVISORY", "ALERT", "ANALYSIS", "BREAKING", "BREAKING NEWS", "BULLETIN",
    "CLARIFICATION", "COMMENT", "CORRECTION", "DEVELOPING", "EDITORIAL", "EDITOR'S NOTE",
    "EDITOR’S NOTE", "EXCLUSIVE", "EXPLAINER", "FACT CHECK", "FLASH", "IN BRIEF",
    "INTERVIEW", "JUST IN", "LIVE", "NEWS ALERT", "NOTE", "OBITUARY", "OPINION", "PHOTOS",
    "REVIEW", "SPONSORED", "UPDATE", "UPDATED", "URGENT", "VIDEO", "WARNING", "WATCH",
))


def _dateline_match(paragraph: str) -> re.Match[str] | None:
    """A dateline at the start of `paragraph` (see _DATELINE), unless its "place" is an
    editor's label."""
    match = _DATELINE.match(paragraph)
    if match is None or match.group("dateline").strip(" .").upper() in _LABELS:
        return None
    return match
_TERMINAL = (".", "!", "?", ":", ";", ",", "\"", "”", "’", "'", ")", "…")


def parse_page(text: str) -> ParsedPage:
    """Parse one page or plain-text story. Raises NotAnArticleError when it holds none."""
    paragraphs = _paragraphs(clean_text(text))
    if not paragraphs:
        raise NotAnArticleError("no text")
    warnings: list[str] = []
    paragraphs = _drop_boilerplate(paragraphs)
    updated, published, paragraphs = _take_date(paragraphs, warnings)
    if not paragraphs:
        raise NotAnArticleError("no headline or body after the page boilerplate")
    headline, rest = paragraphs[0], paragraphs[1:]
    if len(rest) == 0:
        raise NotAnArticleError("only a headline, no body text")
    if len(headline) > 300:
        raise NotAnArticleError("first paragraph is too long to be a headline")

    credit = caption = None
    credited = _split_credit(rest[0])
    if credited is not None:
        credit, caption = credited
        rest = rest[1:]
    elif _is_uncredited_caption(rest):
        caption, rest = rest[0], rest[1:]
    if not rest:
        raise NotAnArticleError("no body text after the headline and caption")

    briefs = _split_briefs(headline, rest)
    if briefs is None and _looks_like_index(rest):
        raise NotAnArticleError(
            "looks like an archive index (headlines with teasers), not an article"
        )
    items = briefs or [(headline, rest)]
    articles = []
    for index, (item_headline, body) in enumerate(items):
        dateline, body = _take_dateline(body)
        articles.append(Article(
            headline=item_headline,
            body=tuple(body),
            dateline=dateline,
            updated=updated,
            published=published,
            caption=caption if index == 0 else None,
            credit=credit if index == 0 else None,
        ))
    return ParsedPage(articles, warnings)


def _paragraphs(text: str) -> list[str]:
    """Split text into paragraphs.

    Blank lines separate paragraphs. Inside a block, each line is its own paragraph
    (some scrapes lost the blank lines) unless it continues the previous line: the
    previous line does not end a sentence and this one starts in lower case, or the
    block is evenly hard-wrapped.
    """
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", squeeze_spaces(text)):
        lines = [stripped for line in block.split("\n") if (stripped := line.strip(" "))]
        if not lines:
            continue
        if _is_hard_wrapped(lines):
            paragraphs.append(" ".join(lines))
            continue
        current = lines[0]
        for line in lines[1:]:
            if not current.endswith(_TERMINAL) and line[:1].islower():
                current = f"{current} {line}"
            else:
                paragraphs.append(current)
                current = line
        paragraphs.append(current)
    return paragraphs


def _is_hard_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3:
        return False
    widths = [len(line) for line in lines[:-1]]
    return min(widths) >= 50 and max(widths) <= 100 and max(widths) - min(widths) <= 25


def _drop_boilerplate(paragraphs: list[str]) -> list[str]:
    """Remove the site's boilerplate lines, and stray words next to them, from the top."""
    head = paragraphs[:4]
    marks = [i for i, p in enumerate(head) if any(b.match(p) for b in _BOILERPLATE)]
    if not marks:
        return paragraphs
    drop = set(marks)
    for i in marks:
        for j in (i - 1, i + 1):
            if 0 <= j < len(head) and _STRAY_WORD.match(head[j]) and j < i:
                drop.add(j)
    return [p for i, p in enumerate(paragraphs) if i not in drop]


def _take_date(
    paragraphs: list[str], warnings: list[str]
) -> tuple[str | None, str | None, list[str]]:
    """Take the date line off the top, if there is one: (updated, published, rest)."""
    if not paragraphs:
        return None, None, paragraphs
    first = paragraphs[0]
    match = _DATE_LINE.match(first)
    label = match.group("label").lower() if match else ""
    if match is None:
        match = _BARE_DATE.match(first)
        label = "published"
    if match is None or len(first) > 80:
        return None, None, paragraphs
    raw = match.group("date")
    notes: list[str] = []
    try:
        value: str | None = parse_article_date(raw, notes)
    except DateError as exc:
        labelled = (label == "last updated" or bool(match.groupdict().get("lead"))) and bool(
            match.groupdict().get("colon"))
        if not labelled and not looks_like_date(raw):
            # "Updated guidance on rates", "Posted: a farewell": a headline, not a date.
            return None, None, paragraphs
        warnings.append(f"{exc}; date left empty")
        value = None
    warnings.extend(notes)
    if "updated" in label:
        return value, None, paragraphs[1:]
    return None, value, paragraphs[1:]


def _split_credit(paragraph: str) -> tuple[str, str] | None:
    """`APA Russian-made car…` -> ("AP", "A Russian-made car…"), or None."""
    if len(paragraph) > 600:
        return None
    for pattern in (_AGENCY_CREDIT, _PHOTOGRAPHER_CREDIT):
        match = pattern.match(paragraph)
        if match:
            credit = collapse_spaces(match.group("credit")).replace(" /", " /")
            return credit, match.group("caption").strip()
    return None


def _is_uncredited_caption(rest: list[str]) -> bool:
    """A sentence between headline and a datelined first paragraph: a caption whose
    credit was not scraped (a subheading there starts an "in brief" item instead)."""
    return (
        len(rest) > 1
        and len(rest[0]) < 400
        and _dateline_match(rest[1]) is not None
        and _dateline_match(rest[0]) is None
        and not _is_heading(rest[0])
    )


def _take_dateline(body: list[str]) -> tuple[str | None, list[str]]:
    """`BRUSSELS — Frustration…` -> ("BRUSSELS", ["Frustration…", …])."""
    match = _dateline_match(body[0])
    if match is None or len(match.group("dateline")) > 60:
        return None, body
    return match.group("dateline").strip(), [match.group("rest"), *body[1:]]


def _is_heading(paragraph: str) -> bool:
    """Short, title-like, no closing punctuation: a subheading or an index headline."""
    return (
        len(paragraph) <= 120
        and len(paragraph.split()) <= 16
        and paragraph[:1].isupper()
        and not paragraph.endswith(_TERMINAL)
        and _dateline_match(paragraph) is None
    )


def _split_briefs(headline: str, body: list[str]) -> list[tuple[str, list[str]]] | None:
    """An "in brief" page: subheadings each followed by a datelined item. None if not."""
    starts = [i for i in range(len(body) - 1)
              if _is_heading(body[i]) and _dateline_match(body[i + 1])]
    if _dateline_match(body[0]):
        starts = [-1, *starts]  # the page headline heads the first item
    if len(starts) < 2:
        return None
    items = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(body)
        title = headline if start == -1 else body[start]
        items.append((title, body[start + 1:end]))
    return [(t, b) for t, b in items if b]


def _is_teaser(paragraph: str) -> bool:
    """A sentence or two under an index headline (not a figure from a table)."""
    return (not _is_heading(paragraph) and len(paragraph) < 400
            and sum(1 for word in paragraph.split() if any(c.isalpha() for c in word)) >= 4)


def _looks_like_index(body: list[str]) -> bool:
    """A day index of the archive: headline + teaser pairs and nothing else.

    Either the page headline and `body[0]` are the first pair, or the page headline is
    the index's own title ("Archive for December 3, 2009") and the pairs start at
    `body[0]`. Counting pairs, not headings, keeps articles that end in a list
    (fixtures, award winners) from looking like one.
    """
    if _dateline_match(body[0]) or any(len(p) >= 400 for p in body):
        return False  # a story's paragraph: an index holds only short teasers
    titled = _is_heading(body[0])
    first = 0 if titled else 1
    pairs = [i for i in range(first, len(body) - 1)
             if _is_heading(body[i]) and _is_teaser(body[i + 1])]
    # An index lists headlines, which archives set in title case ("Ruble Gains Against
    # Dollar"); an explainer's subheadings are phrases ("What happens next", "Why the
    # river rose"). Most of the pairs' headings must look like headlines.
    if 3 * sum(1 for i in pairs if _is_title_case(body[i])) < 2 * len(pairs):
        return False
    if titled:
        # Three pairs at least: a subheading or two after the headline is not an index.
        return len(pairs) >= 3 and 2 * len(pairs) * 10 >= len(body) * 8
    return len(pairs) >= 2 and (2 * len(pairs) + 1) * 10 >= len(body) * 8


# Words a title-cased headline leaves in lower case.
_MINOR_WORDS = frozenset(
    "a an and as at but by en for from if in into nor of off on onto or over per so than "
    "the to up upon via vs with yet".split()
)


def _is_title_case(heading: str) -> bool:
    """Whether most significant words of `heading` begin with a capital (or a digit)."""
    words = [w.strip("\"'“”‘’()[]") for w in heading.split()]
    significant = [w for w in words[1:] if w and w.lower() not in _MINOR_WORDS]
    if not significant:
        return True  # "Snow" or "Snow Falls": nothing to tell
    capital = sum(1 for w in significant if w[0].isupper() or w[0].isdigit())
    return capital * 4 >= len(significant) * 3
