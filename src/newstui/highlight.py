"""Where a query's words occur in a text, for highlighting search matches.

Words are folded by the index's own analyzer (search.py's: lower case, then ASCII
folding), so the article marks exactly what the search matched: `soren` marks
«Søren», `lodz` «Łódź», `aether` «Æther», `dorde` «Đorđe» — letters that Unicode
decomposition does not fold. Folding is done a character at a time (the analyzer's
filters work on characters), so each folded letter keeps its place in the text.

Chinese and Japanese characters are words of one character each here, so a query's
run of them is found inside a longer run.
"""

from __future__ import annotations

import functools
import re

from newstui.query import Query

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A word as the index's tokenizer sees one (a run of letters and digits), except that
# each Chinese or Japanese character stands alone.
_WORD = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")


@functools.lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    from newstui.search import shared_analyzer

    return "".join(shared_analyzer().analyze(ch))


def fold(word: str) -> str:
    """`Søren` -> `soren`: the word as the index stores it."""
    if word.isascii():
        return word.lower()  # the analyzer's folding leaves ASCII as it is
    return "".join(_fold_char(ch) for ch in word)


def query_phrases(query: Query) -> list[tuple[str, ...]]:
    """Each term of the query as a sequence of folded words (one word for most)."""
    phrases = []
    for term in query.terms:
        words = tuple(w for w in (fold(w) for w in _WORD.findall(term.text)) if w)
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
