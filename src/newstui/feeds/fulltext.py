"""An article page (HTML) -> an Article: trafilatura finds the story among the page's
navigation, adverts and comments and reads its headline, author and date; the lead
image's caption is the first `<figcaption>` (selectolax).

Used by `newstui import URL` and for the items of `--full-text` feeds.
"""

from __future__ import annotations

from typing import Any

from newstui.article import Article
from newstui.textclean import clean_line

MIN_BODY_CHARS = 200  # less than this is a teaser or a paywall, not the story


class NoArticleError(ValueError):
    """A page in which no article text was found."""


def extract_article(html: str | bytes, url: str, **identity: Any) -> Article:
    """The article on an HTML page. `identity` (feed, guid, and fields the feed knew
    better) is passed on to the Article. Raises NoArticleError when the page holds
    no article text."""
    import trafilatura  # slow to import; only full-text paths need it

    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False,
        deduplicate=False,
    )
    body = getattr(document, "body", None)
    if body is None:
        raise NoArticleError("no article text found on the page")
    title = clean_line(getattr(document, "title", None) or "")
    paragraphs: list[str] = []
    for element in body:
        text = clean_line("".join(element.itertext()), markup=False)
        if not text or (element.tag == "head" and text == title and not paragraphs):
            continue
        paragraphs.append(text)
    if sum(map(len, paragraphs)) < MIN_BODY_CHARS and not identity.get("allow_short"):
        raise NoArticleError("no article text found on the page (too little text)")
    identity.pop("allow_short", None)
    date = getattr(document, "date", None)
    fields: dict[str, Any] = {
        "headline": title or (paragraphs[0][:120] if paragraphs else "(untitled)"),
        "body": tuple(paragraphs),
        "published": date if isinstance(date, str) and len(date) >= 10 else None,
        "author": clean_line(getattr(document, "author", None) or "") or None,
        "caption": lead_caption(html),
        "url": url,
    }
    fields.update({k: v for k, v in identity.items() if v is not None})
    return Article(**fields)


def lead_caption(html: str | bytes) -> str | None:
    """The first figure caption inside the article (else the page), if any."""
    from selectolax.lexbor import LexborHTMLParser

    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    tree = LexborHTMLParser(html)
    for selector in ("article figcaption", "main figcaption", "figcaption"):
        node = tree.css_first(selector)
        if node is not None:
            return clean_line(node.text(separator=" "), markup=False) or None
    return None
