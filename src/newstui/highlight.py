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


def match_spans(text: str, phrases: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Character ranges of `text` where any of `phrases` occurs, in order."""
    if not phrases or not text:
        return []
    words = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    folded = [w[2] for w in words]
    spans: list[tuple[int, int]] = []
    for i in range(len(words)):
        for phrase in phrases:
            n = len(phrase)
            if tuple(folded[i:i + n]) == phrase:
                spans.append((words[i][0], words[i + n - 1][1]))
                break
    return spans
