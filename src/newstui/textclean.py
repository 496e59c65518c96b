"""Make untrusted article text safe and tidy: HTML removed, entities decoded, NFC,
and nothing that a terminal would act on.

Every piece of text that enters the store passes through `clean_text`, whatever
format it came from, so the rest of the program can treat article text as inert.
"""

from __future__ import annotations

import html
import re
import unicodedata

# A tag needs a letter, "/" or "!" right after "<", so "x < y" and "a<3" survive.
_TAG = re.compile(r"<!--.*?-->|<[A-Za-z/!][^<>]{0,500}>", re.DOTALL)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|p|/div|div|/li|li|/h[1-6])\b[^<>]{0,500}>", re.IGNORECASE)

# Terminal escape sequences: CSI (colours, cursor moves), OSC (titles, OSC 8 links,
# OSC 52 clipboard writes), DCS/SOS/PM/APC strings, and two-byte ESC sequences.
# Both the 7-bit (ESC [) and 8-bit (U+009B) introducers are covered.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                     # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])               # OSC, DCS, SOS, PM, APC ...
        [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?              # ... up to BEL or ST
  | \x1b[ -/]*[0-~]?                                       # other ESC sequences
    """,
    re.VERBOSE,
)

# C0 and C1 controls except newline and tab, DEL, and the invisible characters that can
# disguise text: bidi embeddings/overrides/isolates, zero-width space, word joiner, BOM.
# ZWJ/ZWNJ (U+200C/D) stay: emoji and several scripts need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Only what needs changing: a run of two or more, or one that is not a plain space
# (matching every single space between words made a 50 MB body take seconds).
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}"
                     r"|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_RUN_OF_SPACES = re.compile("  +")
_EIGHT_BIT_STARTS = ("\x90", "\x98", "\x9b", "\x9d", "\x9e", "\x9f")


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
    if markup and "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    if markup and "&" in text:
        text = html.unescape(text)
        # An entity can decode to a line break, a tag-like string stays text.
        text = _LINE_BREAKS.sub("\n", text)
    ascii_only = text.isascii()
    if "\x1b" in text or (not ascii_only and any(c in text for c in _EIGHT_BIT_STARTS)):
        text = _ESCAPES.sub("", text)
    # Every character _INVISIBLE removes is a control or format character, which
    # isprintable() rejects: text it accepts (but for newline and tab) has none.
    if not text.replace("\n", "").replace("\t", "").isprintable():
        text = _INVISIBLE.sub("", text)
    if not ascii_only and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Surrogates (from lone escapes in JSON) cannot be encoded or shown.
    if not ascii_only and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def clean_line(text: str, markup: bool = True) -> str:
    """`clean_text` for a one-line field (headline, paragraph, credit): line breaks and
    whitespace runs become single spaces, ends trimmed."""
    return collapse_spaces(clean_text(text, markup).replace("\n", " "))


def collapse_spaces(text: str) -> str:
    """Whitespace runs (tabs, no-break and other wide spaces) become one space, trimmed."""
    if text.isascii() and "\t" not in text:
        # Plain spaces only: a literal run is found far faster than the full class.
        return _RUN_OF_SPACES.sub(" ", text) if "  " in text else text
    return _SPACES.sub(" ", text).strip()


def squeeze_spaces(text: str) -> str:
    """`collapse_spaces` for every line of a text at once; newlines stay, nothing is
    trimmed (one pass over a whole page instead of one per line)."""
    if text.isascii() and "\t" not in text:
        # Plain spaces only: a literal run is found far faster than the full class.
        return _RUN_OF_SPACES.sub(" ", text) if "  " in text else text
    return _SPACES.sub(" ", text)
