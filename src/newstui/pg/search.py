"""The query grammar (query.py's parsed Query) compiled to PostgreSQL full-text search.

One grammar, two back ends: the tantivy path (search.py) and this one take the same
`Query`. Words are turned into lexemes by the database's own `newstui` text search
configuration (unaccent + lower case, no stemming), so a query folds exactly as the
stored text was folded:

    word             'word'                 (in any field)
    "a phrase"       'a' <-> 'phrase'
    -word            !'word'
    a OR b           ('a' | 'b')
    headline:word    'word':A               (caption B, dateline and credit C, body D;
                                             dateline: and credit: are then checked on
                                             their own column, as they share C)
    after:/before:/on:   a range on the `ts` column (seconds since the epoch)

Ranked with ts_rank over the weights (headline counts most, as in the tantivy path),
ties newest first (at most PgArchive.RANKED matches are ranked: the newest); snippets
are made in Python for the rows shown (`make_snippet`), in the same «marked» form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from newstui.article import Article
from newstui.highlight import match_spans
from newstui.query import AnyOf, Query, QueryError, Term

if TYPE_CHECKING:
    from newstui.search import Snippet

#: tsvector weight letter of each field.
WEIGHTS = {"headline": "A", "caption": "B", "dateline": "C", "credit": "C", "body": "D"}
#: Fields the small vector `meta_tsv` holds (all but the body).
META_FIELDS = frozenset({"headline", "caption", "dateline", "credit"})
#: ts_rank's weights for {D, C, B, A}: the tantivy path's boosts (body 1, dateline and
#: caption 1.5, headline 3), scaled to at most 1.
RANK_WEIGHTS = "{0.2, 0.3, 0.3, 0.6}"
#: ts_rank normalisation 1: divide by 1 + log(length), so a long article does not win
#: by length alone (BM25 does the like).
RANK_NORMALIZATION = 1
@dataclass(frozen=True)
class Compiled:
    """A query as SQL: `where` (with `params`) selects the matches; `tsquery` ranks
    them (None for a query of dates and exclusions only, which is ordered by date);
    `highlight` marks the matched words in a snippet."""

    where: str
    params: list[Any]
    tsquery: str | None
    highlight: str | None


class Lexer:
    """Words to lexemes, by the database's own configuration; cached per text, since
    search as you type asks for the same words again and again."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._cache: dict[str, list[str]] = {}

    def lexemes(self, texts: list[str]) -> dict[str, list[str]]:
        missing = sorted({t for t in texts if t not in self._cache})
        if missing:
            rows = self.conn.execute(
                "SELECT u.o, d.lexemes[1] FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, o),"
                " LATERAL ts_debug('newstui', newstui_words(u.t)) WITH ORDINALITY AS d "
                "WHERE d.lexemes IS NOT NULL AND cardinality(d.lexemes) > 0 "
                "ORDER BY u.o, d.ordinality", (missing,)).fetchall()
            found: dict[str, list[str]] = {t: [] for t in missing}
            for position, lexeme in rows:
                found[missing[position - 1]].append(lexeme)
            self._cache.update(found)
        return {t: self._cache[t] for t in texts}


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _term_query(lexemes: list[str], weight: str = "") -> str:
    suffix = f":{weight}" if weight else ""
    return " <-> ".join(_quote(x) + suffix for x in lexemes)


def compile_query(query: Query, lexer: Lexer) -> Compiled:
    """The query as SQL over two vectors: `tsv` (every field) for words in any field
    and body:, `meta_tsv` (headline, caption, dateline, credit: a few words a row) for
    the other field queries, so they never read an article's big vector."""
    terms = [*query.terms, *query.excluded]
    lexed = lexer.lexemes([t.text for t in terms])
    where: list[str] = []
    params: list[Any] = []
    on: dict[str, list[str]] = {"tsv": [], "meta_tsv": []}  # tsquery parts per vector
    rank: list[str] = []
    light: list[str] = []

    def vector(term: Term) -> str:
        return "meta_tsv" if term.field in META_FIELDS else "tsv"

    def term_sql(term: Term) -> str | None:
        lexemes = lexed[term.text]
        if not lexemes:
            return None
        weight = WEIGHTS[term.field] if term.field else ""
        return f"({_term_query(lexemes, weight)})"

    def column_check(term: Term) -> tuple[str, list[Any]] | None:
        # dateline and credit share the weight C: check the column itself too.
        if term.field in ("dateline", "credit") and lexed[term.text]:
            return (f"to_tsvector('newstui', newstui_words(coalesce({term.field}, ''))) "
                    "@@ %s::tsquery",
                    [_term_query(lexed[term.text])])
        return None

    for clause in query.required:
        options = clause.terms if isinstance(clause, AnyOf) else (clause,)
        compiled = [(t, q) for t in options if (q := term_sql(t)) is not None]
        if not compiled:
            described = (" OR ".join(t.text for t in clause.terms) if isinstance(clause, AnyOf)
                         else clause.text)
            raise QueryError(f"{described!r} has no searchable words")
        light.extend(_term_query(lexed[t.text]) for t, _ in compiled)
        rank.append("(" + " | ".join(q for _, q in compiled) + ")")
        checks = [column_check(t) for t, _ in compiled]
        vectors = {vector(t) for t, _ in compiled}
        if len(vectors) == 1 and not any(checks):
            on[vectors.pop()].append("(" + " | ".join(q for _, q in compiled) + ")")
        else:
            # a OR dateline:b: each option on its own vector, with its column check.
            ors = []
            for (term, q), check in zip(compiled, checks, strict=True):
                ors.append(f"({vector(term)} @@ %s::tsquery"
                           f"{' AND ' + check[0] if check else ''})")
                params.extend([q, *(check[1] if check else [])])
            where.append("(" + " OR ".join(ors) + ")")
    for term in query.excluded:
        compiled_term = term_sql(term)
        if compiled_term is None:
            continue
        check = column_check(term)
        if check is None and on[vector(term)]:
            on[vector(term)].append(f"!{compiled_term}")  # answered by the index
        else:
            where.append(f"NOT ({vector(term)} @@ %s::tsquery"
                         f"{' AND ' + check[0] if check else ''})")
            params.extend([compiled_term, *(check[1] if check else [])])
    for name in ("meta_tsv", "tsv"):
        if on[name]:
            where.insert(0, f"{name} @@ %s::tsquery")
            params.insert(0, " & ".join(on[name]))
    if query.dates is not None:
        from newstui.search import timestamp

        if query.dates.first is not None:
            where.append("ts >= %s")
            params.append(timestamp(datetime.combine(query.dates.first, time.min).isoformat()))
        if query.dates.last is not None:
            where.append("ts <= %s")
            params.append(timestamp(datetime.combine(query.dates.last, time.max).isoformat()))
    return Compiled(" AND ".join(where) or "true", params, " & ".join(rank) or None,
                    " | ".join(f"({x})" for x in light) or None)


def make_snippet(article: Article, phrases: list[tuple[str, ...]]) -> Snippet:
    """A result's snippet, made here for the few rows shown rather than by the database
    for each (ts_headline parses the whole text of every row it is given): up to
    SNIPPET_CHARS of the body (else the caption) round the first match, the query's
    words marked as the reader's highlighter folds them (newstui.highlight, the tantivy
    index's own folding). No match in either (a headline match): the body's lead."""
    from newstui.search import SNIPPET_CHARS, Snippet, _lead

    body = " ".join(article.body)
    for text in (body, article.caption or ""):
        first = _first_match(text, phrases) if text else None
        if first is None:
            continue
        lo, hi = first
        start = 0
        if hi > SNIPPET_CHARS - 20:
            start = max(0, lo - SNIPPET_CHARS // 4)
            space = text.find(" ", start, lo)
            start = space + 1 if 0 < start and space != -1 else start
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text):
            cut = text.rfind(" ", max(hi, start + 1), end)
            end = cut if cut > hi else max(end, hi)
        piece = text[start:end]
        return Snippet(piece, tuple(match_spans(piece, phrases)))
    return Snippet(_lead(body))


def _first_match(text: str, phrases: list[tuple[str, ...]]) -> tuple[int, int] | None:
    """Where the first of `phrases` occurs in `text`: found by a plain search for their
    first words, then confirmed by the highlighter's folding round that spot; the whole
    text is folded only where a word may hide behind an accent."""
    if not phrases:
        return None
    firsts = sorted({p[0] for p in phrases if p and p[0].isascii()})
    if firsts:
        pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, firsts))
                             + r")(?![^\W_])", re.IGNORECASE)
        single = {p[0] for p in phrases if len(p) == 1}
        for found in pattern.finditer(text):
            if found.group().lower() in single:
                return found.span()  # an ASCII word folds by case alone: it matches
            # The first word of a phrase: do the next words follow?
            spans = match_spans(text[found.start():found.start() + 400], phrases)
            if spans and spans[0][0] == 0:
                return found.start(), found.start() + spans[0][1]
    if text.isascii() and len(firsts) == len(phrases):
        return None  # an ASCII text folds by case alone: the search above was complete
    spans = match_spans(text, phrases)
    return spans[0] if spans else None
