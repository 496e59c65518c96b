"""Where a query's words occur in a text, for highlighting search matches.

Words are compared the way the index compares them: split on anything that is not a
letter or digit, lower-cased, accents removed. Pure: no index library needed.
"""

from __future__ import annotations

import re
import unicodedata

from newstui.query import Query

_WORD = re.compile(r"[^\W_]+")


def fold(word: str) -> str:
    """`Zürich` -> `zurich`: lower case, accents stripped."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_phrases(query: Query) -> list[tuple[str, ...]]:
    """Each term of the query as a sequence of folded words (one word for most)."""
    phrases = []
    for term in query.terms:
        words = tuple(fold(w) for w in _WORD.findall(term.text))
        if words:
            phrases.append(words)
    return phrases


def match_spans(text: str, phrases: list[tuple[str, ...]], start: int = 0,
                end: int | None = None) -> list[tuple[int, int]]:
    """Character ranges of `text` where any of `phrases` occurs, in order.

    With `start`/`end`, only the matches overlapping text[start:end], found by looking
    at that part and _WINDOW characters either side of it: a paragraph of megabytes is
    not split into words to highlight one line of it. (A phrase whose words are more
    than _WINDOW characters of punctuation apart is then missed.)
    """
    if not phrases or not text:
        return []
    if start <= 0 and end is None:
        return _spans(text, phrases, 0, len(text))
    end = len(text) if end is None else end
    low, high = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
    return [(s, e) for s, e in _spans(text, phrases, low, high) if s < end and e > start]


_WINDOW = 1000


def _spans(text: str, phrases: list[tuple[str, ...]], low: int,
           high: int) -> list[tuple[int, int]]:
    words = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text, low, high)]
    # A word cut by the window's edge is not a word of the text: leave it out.
    if words and low > 0 and words[0][0] == low and _WORD.match(text[low - 1]):
        words = words[1:]
    if words and high < len(text) and words[-1][1] == high and _WORD.match(text[high]):
        words = words[:-1]
    folded = [w[2] for w in words]
    spans: list[tuple[int, int]] = []
    for i in range(len(words)):
        for phrase in phrases:
            n = len(phrase)
            if tuple(folded[i:i + n]) == phrase:
                spans.append((words[i][0], words[i + n - 1][1]))
                break
    return spans
