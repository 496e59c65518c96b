"""Text made inert for a terminal, at the moment it is shown — the one function for
that, used by the reader (every screen, notification and copy) and the command line
(every line `list`, `show`, `search`, `check`, `stats` and an error print).

Article text is cleaned on import, but what is shown does not always come from this
release's importer: a store shared by others, edited by hand or written by an older
release, a file name, a query. Whatever reaches a screen, the clipboard, a
notification or standard output passes through `inert`: terminal escape sequences
(CSI, OSC — titles, OSC 8 links, OSC 52 clipboard writes — DCS and the rest, 7-bit
and 8-bit), other C0 and C1 controls, and the invisible characters that make text
read other than it is (bidi embeddings, overrides and isolates, zero-width spaces)
are removed; lone surrogates (which no terminal encoding can carry) become U+FFFD.
The importer's `textclean.clean_text` does the same through this module, then more
(HTML, NFC) that showing text does not need.

Pure and fast, and free of the HTML parser (the reader's first paint loads this):
printable text (nearly all of it) is returned as it is after one C-speed test.
"""

from __future__ import annotations

import re

# Terminal escape sequences, 7-bit (ESC [, ESC ]) and 8-bit (U+009B, U+009D, ...):
# a control string is removed up to its terminator (BEL or ST), or to the end.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                 # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])           # OSC, DCS, SOS, PM, APC ...
        [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?          # ... up to BEL or ST
  | \x1b[ -/]*[0-~]?                                   # other ESC sequences
    """,
    re.VERBOSE,
)
# What is left: controls but newline and tab, DEL, C1, and the invisible format
# characters that can disguise text (ZWJ/ZWNJ stay: emoji and scripts need them).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
#: The 8-bit controls that open an escape sequence (DCS, SOS, CSI, OSC, PM, APC).
EIGHT_BIT_STARTS = ("\x90", "\x98", "\x9b", "\x9d", "\x9e", "\x9f")
# Line breaks: CR LF, CR, VT, FF, NEL and the Unicode line and paragraph separators.
_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_LINE_BREAKS = re.compile("\r\n?|[\n\t\x0b\x0c\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def inert(text: str, lines: bool = False) -> str:
    """`text` with nothing a terminal would act on, nothing invisible that reorders it.

    One line by default (line breaks and tabs become spaces: a headline, a file name,
    a dateline); with `lines`, every kind of line break becomes a newline and tabs
    stay (an article, a page of output, a copy for the clipboard)."""
    if text.isprintable():  # at C speed: no control, format or separator character
        return text
    if text.replace("\n", "").replace("\t", "").isprintable():  # newlines, tabs only
        return text if lines else text.replace("\n", " ").replace("\t", " ")
    if "\x1b" in text or (not text.isascii() and any(c in text for c in EIGHT_BIT_STARTS)):
        text = _ESCAPES.sub("", text)
    text = _BREAKS.sub("\n", text) if lines else _LINE_BREAKS.sub(" ", text)
    text = _CONTROLS.sub("", text)
    if not text.isascii() and _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text
