"""Make untrusted article text safe and tidy: HTML removed, entities decoded, NFC,
and nothing that a terminal would act on.

Every piece of text that enters the store passes through `clean_text`, whatever
format it came from, so the rest of the program can treat article text as inert.
HTML is read with a real parser (selectolax's lexbor, the HTML5 algorithm in C), not
regular expressions: `<script>`/`<style>` contents are dropped, attributes never reach
the text, entities are decoded once, and block elements end a paragraph.
`html_to_paragraphs` turns a fragment of HTML (a feed item) into paragraphs.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING

from newstui.inert import inert

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode

# A tag needs a letter, "/" or "!" right after "<" and a ">" within 500 characters, so
# "x < y", "a<3" and a stray "<" in a long plain-text page are text, not the start of
# a tag that would swallow the rest of the page (as the HTML5 algorithm would read it).
_TAG = re.compile(r"<[A-Za-z/!][^<>]{0,500}>")
_NOT_A_TAG = re.compile(r"<(?![A-Za-z/!][^<>]{0,500}>)")
# Elements whose contents are never text a reader should see.
_DROPPED = frozenset({
    "script", "style", "noscript", "template", "head", "title", "iframe", "object",
    "embed", "svg", "math", "canvas", "select", "button", "textarea",
})
# Elements that begin and end a paragraph.
_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
_WHITESPACE = re.compile(r"\s+")
# The HTML5 algorithm in lexbor takes quadratic time on deeply nested block elements
# (100,000 nested <div> take 14 s). A document nested deeper than this is read with
# the fallback below instead: tags stripped by pattern, linear time.
_MAX_DEPTH = 1000
# Only these nest (p, li, dt, dd close their predecessor; inline elements did not slow
# the parser down in our tests).
_NESTING = ("address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset"
            "|figcaption|figure|footer|form|header|hgroup|main|menu|nav|ol|section|summary"
            "|table|ul")
_NESTING_TAG = re.compile(rf"<(/?)(?:{_NESTING})\b", re.IGNORECASE)
_DROPPED_RUN = re.compile(
    r"<(script|style|noscript|template|title|svg|math)\b[^<>]{0,500}>.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL)
_BLOCK_NAMES = "|".join(sorted(_BLOCKS))
_BLOCK_TAG = re.compile(rf"</?(?:{_BLOCK_NAMES})\b[^<>]{{0,500}}>", re.IGNORECASE)
_COMMENT_OR_TAG = re.compile(r"<!--.*?-->|<[A-Za-z/!][^<>]{0,500}>", re.DOTALL)

# Terminal escape sequences (CSI, OSC, DCS/SOS/PM/APC, two-byte ESC; 7- and 8-bit) and
# the invisible characters that can disguise text: one definition, in `inert`, which the
# reader imports at first paint without this module's HTML parser.
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# Only what needs changing: a run of two or more, or one that is not a plain space
# (matching every single space between words made a 50 MB body take seconds).
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}"
                     r"|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_RUN_OF_SPACES = re.compile("  +")


def clean_text(text: str, markup: bool = True) -> str:
    """Return `text` as plain, printable, NFC-normalised Unicode, newlines kept.

    With `markup` (scraped pages), HTML tags are removed and entities decoded. Records
    of our own export format are already plain text, where `&lt;` or `<IBM>` is meant
    literally, so they are cleaned with `markup=False` and import back unchanged.
    """
    # Each pass runs only where it can change something: most pages are plain ASCII,
    # and the `in` and isascii() tests run at C speed where a regex scan would not.
    ascii_only = text.isascii()
    if "\r" in text or "\x0b" in text or "\x0c" in text or (
        not ascii_only and ("\u2028" in text or "\u2029" in text or "\x85" in text)
    ):
        text = _LINE_BREAKS.sub("\n", text)
    if markup and "<" in text and _TAG.search(text):
        # Entities are decoded by the parser: "&lt;b&gt;" becomes the text "<b>" once.
        text = _html_text(_NOT_A_TAG.sub("&lt;", text), collapse=False)
        text = _LINE_BREAKS.sub("\n", text)
    elif markup and "&" in text:
        text = html.unescape(text)
        # An entity can decode to a line break, a tag-like string stays text.
        text = _LINE_BREAKS.sub("\n", text)
    # Escape sequences, controls, invisible characters, lone surrogates: as for showing.
    text = inert(text, lines=True)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


# JSON output: orjson escapes C0 controls, but writes C1 controls, bidi controls and
# line separators as raw UTF-8, which some terminals act on. As \u escapes the JSON
# means the same (an export still imports back unchanged) and shows nothing raw.
# (U+0080-U+009F, U+061C, U+200E/F, U+2028-U+202E, U+2066-U+2069 in UTF-8.)
_JSON_RAW = re.compile(
    rb"\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)


def json_for_terminal(data: bytes) -> bytes:
    """JSON bytes with every character a terminal could act on written as \\uXXXX."""
    if data.isascii():
        return data
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m[0].decode()):04x}".encode(), data)


def clean_line(text: str, markup: bool = True) -> str:
    """`clean_text` for a one-line field (headline, paragraph, credit): line breaks and
    whitespace runs become single spaces, ends trimmed."""
    return collapse_spaces(clean_text(text, markup).replace("\n", " "))


def collapse_spaces(text: str) -> str:
    """Whitespace runs (tabs, no-break and other wide spaces) become one space, trimmed."""
    if text.isascii() and "\t" not in text:
        # Plain spaces only: a literal run is found far faster than the full class.
        return (_RUN_OF_SPACES.sub(" ", text) if "  " in text else text).strip(" ")
    return _SPACES.sub(" ", text).strip()


def squeeze_spaces(text: str) -> str:
    """`collapse_spaces` for every line of a text at once; newlines stay, nothing is
    trimmed (one pass over a whole page instead of one per line)."""
    if text.isascii() and "\t" not in text:
        # Plain spaces only: a literal run is found far faster than the full class.
        return _RUN_OF_SPACES.sub(" ", text) if "  " in text else text
    return _SPACES.sub(" ", text)


def html_to_paragraphs(html_text: str) -> list[str]:
    """A fragment of HTML (a feed item's content, an article page's body) -> its
    paragraphs as clean one-line strings, empty ones left out.

    Block elements (`p`, `div`, `li`, headings, `br`, …) end a paragraph; whitespace
    inside one collapses to a space, as a browser shows it. Then the same cleaning as
    every other text (escapes, controls, bidi overrides, NFC).
    """
    if not html_text:
        return []
    text = _html_text(html_text, collapse=True)
    # The parser decoded the entities: what is left is text, "<b>" included.
    cleaned = clean_text(text, markup=False)
    return [line for line in (collapse_spaces(piece) for piece in cleaned.split("\n")) if line]


def _html_text(html_text: str, collapse: bool) -> str:
    """The text of an HTML document or fragment, a newline at each block's start and end.

    `collapse`: whitespace inside text runs becomes one space (HTML's own rule); else
    the text's line breaks are kept (a scraped page whose lines are its paragraphs).
    """
    if _too_deep(html_text):
        text = _DROPPED_RUN.sub("", html_text)
        text = _COMMENT_OR_TAG.sub("", _BLOCK_TAG.sub("\n", text))
        text = html.unescape(text)
        if collapse:
            text = "\n".join(_WHITESPACE.sub(" ", line) for line in text.split("\n"))
        return text
    # Imported here: only HTML needs the parser (an import of text files does not).
    from selectolax.lexbor import LexborHTMLParser

    root = LexborHTMLParser(html_text).root
    if root is None:
        return ""
    pieces: list[str] = []
    # Iterative walk (no recursion: a hostile page may nest thousands of elements).
    node: LexborNode | None = root
    while node is not None:
        tag = node.tag
        descend = False
        if tag == "-text":
            content = node.text_content or ""
            pieces.append(_WHITESPACE.sub(" ", content) if collapse else content)
        elif tag in _BLOCKS:
            pieces.append("\n")
            descend = True
        elif tag not in _DROPPED and node.is_element_node:
            descend = True
        child = node.first_child if descend else None
        if child is not None:
            node = child
            continue
        # Leave this node and every ancestor it is the last child of.
        while node is not None:
            if node.tag in _BLOCKS and node.tag != "br" and node is not root:
                pieces.append("\n")
            if node is root:
                node = None
                break
            following = node.next
            if following is not None:
                node = following
                break
            node = node.parent
    return "".join(pieces)


def _too_deep(html_text: str) -> bool:
    """Whether block elements nest deeper than `_MAX_DEPTH` (walked only when there
    are enough of them for it to be possible: most pages cost one C-speed scan)."""
    tags = _NESTING_TAG.findall(html_text)
    if len(tags) <= _MAX_DEPTH:
        return False
    depth = 0
    for closing in tags:
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > _MAX_DEPTH:
            return True
    return False
