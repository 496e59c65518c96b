"""Feed bytes -> articles, with feedparser.

RSS 0.9x/1.0/2.0 and Atom 1.0 (text, html and xhtml content), `content:encoded`,
`media:*` captions and credits, enclosures kept as links. Broken XML is read as far as
feedparser's lenient parser gets, and reported. Documents that declare entities are
refused before any parsing (the "billion laughs" bomb), and so is anything larger than
the caller's cap: memory stays bounded whatever a server sends.

feedparser is only ever handed bytes we fetched (in a BytesIO: given a string it would
fetch URLs or open files itself).
"""

from __future__ import annotations

import calendar
import io
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from newstui.article import Article
from newstui.textclean import clean_line, html_to_paragraphs

#: Feeds larger than this are refused (fetching stops at the same cap).
MAX_FEED_BYTES = 8 * 1024 * 1024

# An entity declaration anywhere before the root element: refused outright. Real feeds
# do not declare entities; bombs (and external entities) do.
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF|channel)\b")
_HTML_ROOT = re.compile(rb"<(?:!DOCTYPE\s+html|html)\b", re.IGNORECASE)
# A document (not a text that merely opens with a tag such as "<b>"): an XML
# declaration, a doctype, or a root element of a feed, OPML, HTML or SVG document.
_MARKUP_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|!DOCTYPE|html|rss|feed|rdf:RDF|opml|svg)\b",
    re.IGNORECASE)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# A numeric character reference: feedparser raises on one naming no character (a
# surrogate, beyond U+10FFFF) instead of reading on.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")

HEADLINE_WORDS = 12  # an untitled item is headed by its first words


class FeedError(ValueError):
    """Bytes that are not a feed newstui will read (the message says why)."""


@dataclass
class ParsedFeed:
    """What a feed document held."""

    title: str | None
    link: str | None
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def looks_like_markup(data: bytes) -> bool:
    """Whether a file is an XML or HTML document (it starts like one)."""
    return bool(_MARKUP_START.match(data[:512]))


def markup_kind(data: bytes) -> str:
    """What a markup document that is not a feed is, for the message saying so."""
    head = data[:8192]
    if _HTML_ROOT.search(head):
        return "an HTML page (to import a page from the web: `newstui import URL`)"
    for match in _ROOT.finditer(head):
        root = match.group(1).decode("ascii", "replace")
        if root.lower() == "opml":
            return "an OPML subscription list (use `newstui feeds import FILE`)"
        if not root.startswith(("?", "!")):
            return f"an XML document (<{root}>), not a feed"
    return "a markup document, not a feed"


def self_link(data: bytes) -> str | None:
    """A feed's own address, as it states it (Atom's and RSS's `rel="self"` link)."""
    found = re.search(rb"<(?:atom:)?link\b[^>]*\brel=[\"']self[\"'][^>]*>", data[:65536])
    if found is None:
        return None
    href = re.search(rb"\bhref=[\"']([^\"']+)[\"']", found.group(0))
    return href.group(1).decode("utf-8", "replace") if href else None


def looks_like_feed(data: bytes) -> bool:
    """Whether a markup document's root is a feed's (rss, feed, rdf:RDF)."""
    head = data[:8192]
    return bool(_FEED_ROOT.search(head)) and not _HTML_ROOT.search(head[:1024])


def refuse_dangerous(data: bytes, limit: int = MAX_FEED_BYTES) -> None:
    """Raise FeedError for documents too large or declaring entities. Quick (a bounded
    scan of the prolog) and before anything is expanded."""
    if len(data) > limit:
        raise FeedError(f"feed too large ({len(data) // 1024:,} KiB; the limit is "
                        f"{limit // 1024:,} KiB)")
    doctype = _DOCTYPE.search(data, 0, 65536)
    if doctype is not None and _ENTITY_DECLARATION.search(data, doctype.start()):
        raise FeedError("refused: the document declares XML entities "
                        "(an entity-expansion bomb or external entity)")


def parse_feed(data: bytes, feed_id: str, content_type: str | None = None,
               base_url: str | None = None, limit: int = MAX_FEED_BYTES) -> ParsedFeed:
    """Parse a feed. `feed_id` becomes each article's `feed` (part of its identity).

    Raises FeedError when the bytes hold no feed at all; a feed that is broken but
    readable comes back with a warning.
    """
    refuse_dangerous(data, limit)
    from newstui.feeds.fastparse import parse_fast

    try:
        fast = parse_fast(data, feed_id)
    except Exception:  # the lenient path reads it, or says why not
        fast = None
    if fast is not None:
        title, link, articles = fast
        return ParsedFeed(title=title, link=link, articles=_unique(articles))
    feedparser = _feedparser()
    headers = {"content-location": base_url or feed_id}
    if content_type:
        headers["content-type"] = content_type
    try:
        result = feedparser.parse(io.BytesIO(_valid_charrefs(data)), response_headers=headers,
                                  sanitize_html=False, resolve_relative_uris=True)
    except Exception as exc:  # feedparser's own failures (found by fuzzing:
        # undecodable bytes after its encoding guess, a NUL in a declaration)
        raise FeedError(f"not a feed: unreadable ({type(exc).__name__})") from None
    meta = result.get("feed", {})
    entries = result.get("entries", [])
    warnings: list[str] = []
    if result.get("bozo"):
        problem = _bozo_reason(result.get("bozo_exception"))
        if not entries and not meta.get("title"):
            raise FeedError(f"not a feed: {problem}" if problem else "not a feed")
        if problem:
            warnings.append(problem)
    if not result.get("version") and not entries and not meta.get("title"):
        raise FeedError("not a feed (no RSS or Atom elements)")
    parsed = ParsedFeed(title=clean_line(meta.get("title") or "") or None,
                        link=meta.get("link"), warnings=warnings)
    parsed.articles = _unique(_articles(entries, feed_id, warnings))
    return parsed


def _articles(entries: list[Any], feed_id: str, warnings: list[str]) -> Iterable[Article]:
    """Each entry's article; an entry feedparser cannot hand over (its own errors, found
    by fuzzing: odd links make `entry.get("enclosures")` raise) is skipped and counted."""
    skipped = 0
    for entry in entries:
        try:
            article = entry_to_article(entry, feed_id)
        except Exception:  # that item's failure, not the feed's
            skipped += 1
            continue
        if article is not None:
            yield article
    if skipped:
        warnings.append(f"{skipped} item(s) could not be read and were skipped")


def _valid_charrefs(data: bytes) -> bytes:
    """Numeric character references that name no character become U+FFFD."""
    if b"&#" not in data:
        return data

    def replace(match: re.Match[bytes]) -> bytes:
        digits = match[1] or match[2]
        if len(digits) > 8:
            return b"&#xFFFD;"
        value = int(digits, 16) if match[1] else int(digits)
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            return b"&#xFFFD;"
        return match[0]

    return _CHARREF.sub(replace, data)


def _unique(articles: Iterable[Article]) -> list[Article]:
    """The first of each id (a feed that lists an item twice gives it once)."""
    seen: dict[str, Article] = {}
    for article in articles:
        seen.setdefault(article.id, article)
    return list(seen.values())


def _feedparser() -> Any:
    """feedparser (imported here: only fetching and importing feed files need it), taught
    to keep `media:description`: by default it is read as the item's description, so
    a photo's caption is lost or, worse, becomes the story when there is no other text."""
    import feedparser
    from feedparser.namespaces.mediarss import Namespace

    if not getattr(Namespace, "_newstui_captions", False):
        def start(self: Any, attrs: dict[str, str]) -> None:
            self.push("media_description", 1)

        def end(self: Any) -> None:
            value = self.pop("media_description")
            if isinstance(value, str) and value.strip():
                self._get_context().setdefault("media_description", value)

        Namespace._start_media_description = start
        Namespace._end_media_description = end
        Namespace._newstui_captions = True
    return feedparser


def _bozo_reason(exc: object) -> str | None:
    feedparser = _feedparser()

    if exc is None:
        return None
    if isinstance(exc, feedparser.CharacterEncodingOverride):
        return f"wrong declared encoding, read as {_encoding_in(str(exc))}"
    if isinstance(exc, feedparser.NonXMLContentType):
        return None  # a server's Content-Type is not the feed's fault
    message = getattr(exc, "getMessage", None)
    line = getattr(exc, "getLineNumber", None)
    if callable(message):
        where = f" at line {line()}" if callable(line) else ""
        return f"broken XML ({message()}{where}); read what could be read"
    return f"broken feed ({exc}); read what could be read"


def _encoding_in(message: str) -> str:
    found = re.search(r"as ([\w-]+)", message)
    return found.group(1) if found else "another encoding"


def entry_to_article(entry: Any, feed_id: str) -> Article | None:
    """One feedparser entry -> an Article, or None when it has no text at all."""
    candidates = [(_text(c.get("value")) or "", c.get("type") or "text/html")
                  for c in entry.get("content", []) if c.get("value")]
    summary = entry.get("summary_detail") or (
        {"value": entry["summary"], "type": "text/html"} if entry.get("summary") else None)
    if summary and summary.get("value"):
        candidates.append((_text(summary.get("value")) or "", summary.get("type") or "text/html"))
    caption, credit = _media(entry)
    return make_article(
        title=_text(entry.get("title")), candidates=candidates,
        link=_text(entry.get("link")), guid=_text(entry.get("id")), feed_id=feed_id,
        author=_text(entry.get("author")), published=_date(entry, "published_parsed"),
        updated=_date(entry, "updated_parsed"), caption=caption, credit=credit,
        enclosures=[(e.get("href"), e.get("type")) for e in entry.get("enclosures", [])
                    if e.get("href")])


def make_article(*, title: str | None, candidates: list[tuple[str, str]], link: str | None,
                 guid: str | None, feed_id: str, author: str | None, published: str | None,
                 updated: str | None, caption: str | None, credit: str | None,
                 enclosures: list[tuple[Any, Any]]) -> Article | None:
    """An item's parts (however they were read) -> an Article; None without any text.

    The body is the longest of the candidates (full content before a teaser): HTML
    through the HTML parser, plain text split at blank lines."""
    body: list[str] = []
    for value, kind in candidates:
        if "html" in kind:
            paragraphs = html_to_paragraphs(value)
        else:
            paragraphs = [p for p in (clean_line(part, markup=False).strip()
                                      for part in re.split(r"\n\s*\n", value)) if p]
        if sum(map(len, paragraphs)) > sum(map(len, body)):
            body = paragraphs
    for href, kind in enclosures:  # (href, type)
        body.append(f"Enclosure: {_clean_url(href)}" + (f" ({clean_line(kind)})" if kind else ""))
    headline = clean_line(title or "").strip()
    if not headline:
        words = " ".join(body[:1]).split()
        headline = " ".join(words[:HEADLINE_WORDS]) + ("…" if len(words) > HEADLINE_WORDS else "")
    if not headline and not body:
        return None
    return Article(
        headline=headline or "(untitled)",
        body=tuple(body or [headline]),
        published=published,
        updated=updated,
        caption=caption,
        credit=credit,
        url=_clean_url(link),
        feed=feed_id,
        guid=clean_line(guid or "", markup=False).strip() or None,
        author=clean_line(author or "").strip() or None,
    )


def _media(entry: Any) -> tuple[str | None, str | None]:
    """media:description / media:title (caption) and media:credit (credit)."""
    caption = None
    for key in ("media_description", "media_title"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            caption = " ".join(html_to_paragraphs(value)) or None
            break
    credits = entry.get("media_credit") or []
    names = [clean_line(c.get("content") or "") for c in credits if isinstance(c, dict)]
    credit = ", ".join(n for n in names if n) or None
    return caption, credit


def _date(entry: Any, key: str) -> str | None:
    """A parsed feed date as the store holds an instant: `2026-11-29T10:00:00+00:00`."""
    # dict.get: feedparser's own get() maps updated_parsed to published_parsed, warning.
    value = dict.get(entry, key)
    if not isinstance(value, time.struct_time):
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None
    return moment.replace(microsecond=0).isoformat()


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _clean_url(value: str | None) -> str | None:
    if value is None:
        return None
    return clean_line(value, markup=False).replace(" ", "%20") or None
