"""Text made inert for a terminal, at the moment it is shown.

Article text is cleaned on import, but what is shown does not always come from this
release's importer: a store shared by others, edited by hand or written by an older
release, a file name, a query. Whatever reaches a screen, the clipboard or a
notification passes through `inert`: terminal escape sequences (CSI, OSC — titles,
OSC 8 links, OSC 52 clipboard writes — DCS and the rest, 7-bit and 8-bit), other C0
and C1 controls, and the invisible characters that make text read other than it is
(bidi embeddings, overrides and isolates, zero-width spaces) are removed.

Pure and fast: printable text (nearly all of it) is returned as it is.
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
_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_LINE_BREAKS = re.compile("\r\n?|[\n\t\u2028\u2029]")


def inert(text: str, lines: bool = False) -> str:
    """`text` with nothing a terminal would act on, nothing invisible that reorders it.

    One line by default (line breaks and tabs become spaces: a headline, a file name,
    a dateline); with `lines`, line breaks are kept as newlines and tabs as they are
    (a whole article for the clipboard)."""
    if text.isprintable():  # at C speed: no control, format or separator character
        return text
    if "\x1b" in text or any(c in text for c in "\x90\x98\x9b\x9d\x9e\x9f"):
        text = _ESCAPES.sub("", text)
    text = _BREAKS.sub("\n", text) if lines else _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)
