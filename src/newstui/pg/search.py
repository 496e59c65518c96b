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
ties newest first; snippets by ts_headline, in the same «marked» form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from newstui.query import AnyOf, Query, QueryError, Term

#: tsvector weight letter of each field.
WEIGHTS = {"headline": "A", "caption": "B", "dateline": "C", "credit": "C", "body": "D"}
#: ts_rank's weights for {D, C, B, A}: the tantivy path's boosts (body 1, dateline and
#: caption 1.5, headline 3), scaled to at most 1.
RANK_WEIGHTS = "{0.2, 0.3, 0.3, 0.6}"
#: ts_rank normalisation 1: divide by 1 + log(length), so a long article does not win
#: by length alone (BM25 does the like).
RANK_NORMALIZATION = 1
#: Markers ts_headline puts around a match: characters an article never holds (import
#: strips control characters).
START, STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (f"StartSel={START}, StopSel={STOP}, MaxWords=32, MinWords=16, "
                    "ShortWord=2, MaxFragments=1, FragmentDelimiter=\" … \"")


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
    terms = [*query.terms, *query.excluded]
    lexed = lexer.lexemes([t.text for t in terms])
    where: list[str] = []
    params: list[Any] = []
    parts: list[str] = []
    light: list[str] = []

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
        checks = [column_check(t) for t, _ in compiled]
        if len(compiled) == 1:
            parts.append(compiled[0][1])
            if checks[0] is not None:
                where.append(checks[0][0])
                params.extend(checks[0][1])
        elif any(checks):
            # a OR dateline:b: each option with its own column check.
            ors = []
            for (_, q), check in zip(compiled, checks, strict=True):
                ors.append(f"(tsv @@ %s::tsquery{' AND ' + check[0] if check else ''})")
                params.extend([q, *(check[1] if check else [])])
            where.append("(" + " OR ".join(ors) + ")")
        else:
            parts.append("(" + " | ".join(q for _, q in compiled) + ")")
    for term in query.excluded:
        compiled_term = term_sql(term)
        if compiled_term is None:
            continue
        check = column_check(term)
        if check is None:
            parts.append(f"!{compiled_term}")
        else:
            where.append(f"NOT (tsv @@ %s::tsquery AND {check[0]})")
            params.extend([compiled_term, *check[1]])
    tsquery = " & ".join(parts) if parts else None
    if tsquery is not None:
        where.insert(0, "tsv @@ %s::tsquery")
        params.insert(0, tsquery)
    if query.dates is not None:
        from newstui.search import timestamp

        if query.dates.first is not None:
            where.append("ts >= %s")
            params.append(timestamp(datetime.combine(query.dates.first, time.min).isoformat()))
        if query.dates.last is not None:
            where.append("ts <= %s")
            params.append(timestamp(datetime.combine(query.dates.last, time.max).isoformat()))
    ranked = tsquery if query.required else None
    return Compiled(" AND ".join(where) or "true", params, ranked,
                    " | ".join(f"({x})" for x in light) or None)


def parse_headline(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """ts_headline's output (matches between START and STOP) as plain text and the
    character ranges that matched."""
    plain: list[str] = []
    ranges: list[tuple[int, int]] = []
    length = 0
    opened: int | None = None
    for piece in _split(text):
        if piece == START:
            opened = length
        elif piece == STOP:
            if opened is not None:
                ranges.append((opened, length))
            opened = None
        else:
            plain.append(piece)
            length += len(piece)
    return "".join(plain), tuple(ranges)


def _split(text: str) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    for char in text:
        if char in (START, STOP):
            if current:
                pieces.append("".join(current))
                current = []
            pieces.append(char)
        else:
            current.append(char)
    if current:
        pieces.append("".join(current))
    return pieces
