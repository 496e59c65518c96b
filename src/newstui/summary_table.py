"""The reader's list of every article, held as columns instead of objects.

One `Summary` per article costs about 700 bytes with its four strings: 370 MB at
530,000 articles. Here the same list is a handful of flat arrays — an article's id
as a 64-bit number, its headline, dateline and date as UTF-8 in one buffer each
with the offsets where each ends — about 100 bytes an article. A `Summary` is made
only for a row that is asked for (the rows on screen, the article opened).

Orders and filters are computed on the columns (`SummaryTable.arrange`) and give a
`ListedRows`: the table seen through a sequence of row numbers. They list exactly
what `listing.arrange` lists for the same summaries (tests/unit/test_summary_table.py
holds the two side by side).

Pure: no Textual; built on a worker thread, read on the UI's.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from operator import itemgetter
from typing import overload

from newstui.article import ReadingState, Summary

#: The ids the store writes: 16 lowercase hex digits (a SHA-256 prefix), kept as a number.
_HEX_ID = re.compile(r"[0-9a-f]{16}")
#: Rows added at a time while the table is built (one join per column, not a call a row).
CHUNK = 4096


class StringColumn:
    """Strings (or None) in one UTF-8 buffer: row i ends where `_ends[i]` says."""

    __slots__ = ("_blob", "_ends", "_none")

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("I")
        self._none: bytearray | None = None  # made at the first None: 1 marks a None

    def __len__(self) -> int:
        return len(self._ends)

    def extend(self, values: Sequence[str | None]) -> None:
        """Add rows (a few thousand at a time: one join, not one call per row)."""
        encoded = [b"" if value is None else value.encode("utf-8", "surrogatepass")
                   for value in values]
        nones = values.count(None)
        if nones and self._none is None:
            self._none = bytearray(len(self._ends))
        if self._none is not None:
            self._none += bytes(value is None for value in values) if nones else bytes(len(values))
        start = len(self._blob)
        self._blob += b"".join(encoded)
        if len(self._blob) > 0xFFFF_FFFF and self._ends.typecode == "I":
            self._ends = array("Q", self._ends)
        ends = accumulate(map(len, encoded), initial=start)
        next(ends)
        self._ends.extend(ends)

    def raw(self, index: int) -> bytes | None:
        """Row `index` as stored (UTF-8), None for None: compared without decoding."""
        if self._none is not None and self._none[index]:
            return None
        start = self._ends[index - 1] if index else 0
        return bytes(self._blob[start:self._ends[index]])

    def __getitem__(self, index: int) -> str | None:
        raw = self.raw(index)
        return None if raw is None else raw.decode("utf-8", "surrogatepass")

    def nbytes(self) -> int:
        ends = len(self._ends) * self._ends.itemsize
        return len(self._blob) + ends + (len(self._none) if self._none is not None else 0)


class SummaryTable(Sequence[Summary]):
    """Every article's list entry, in the store's order (newest first)."""

    def __init__(self) -> None:
        self._keys = array("Q")  # the id as a number; 0 for an id kept in `_odd`
        self._odd: dict[int, str] = {}  # row -> an id that is not 16 hex digits
        self._headlines = StringColumn()
        self._datelines = StringColumn()
        self._dates = StringColumn()
        #: Whether the rows came in the list's own newest-first order (the store keeps
        #: that order; checked as they are added, so the newest order costs nothing).
        self.in_order = True
        self._last: tuple[str, str] | None = None  # the last row's (date, folded headline)
        self._orders: dict[str, Sequence[int]] = {}

    # -- building (on the worker thread that reads the store) ------------------------

    def append(self, summary: Summary) -> None:
        self.extend((summary,))

    def extend(self, summaries: Iterable[Summary]) -> None:
        """Add rows in the order given (the store's: newest first)."""
        chunk: list[Summary] = []
        for summary in summaries:
            chunk.append(summary)
            if len(chunk) == CHUNK:
                self._add(chunk)
                chunk = []
        if chunk:
            self._add(chunk)

    def _add(self, chunk: list[Summary]) -> None:
        base = len(self._keys)
        match = _HEX_ID.fullmatch
        keys = [int(s.id, 16) if match(s.id) else -1 for s in chunk]
        if -1 in keys:
            for row, (key, summary) in enumerate(zip(keys, chunk, strict=True), base):
                if key == -1:
                    self._odd[row] = summary.id
            keys = [max(0, key) for key in keys]
        self._keys.extend(keys)
        headlines = [s.headline for s in chunk]
        self._headlines.extend(headlines)
        self._datelines.extend([s.dateline for s in chunk])
        dates = [s.date for s in chunk]
        self._dates.extend(dates)
        if self.in_order:
            # listing.by_date's own two stable sorts (by folded headline, then newest date
            # first, "" for undated sorting last); each is a C-speed pass on a chunk.
            pairs = [(date or "", headline.casefold())
                     for date, headline in zip(dates, headlines, strict=True)]
            if self._last is not None:
                pairs.insert(0, self._last)
            by_headline = sorted(pairs, key=itemgetter(1))
            if sorted(by_headline, key=itemgetter(0), reverse=True) != pairs:
                self.in_order = False
                self._last = None
            else:
                self._last = pairs[-1]

    @classmethod
    def of(cls, summaries: Iterable[Summary]) -> SummaryTable:
        table = cls()
        table.extend(summaries)
        return table

    def nbytes(self) -> int:
        """Roughly what the columns hold in memory (for the benchmarks' notes)."""
        return (len(self._keys) * 8 + self._headlines.nbytes() + self._datelines.nbytes()
                + self._dates.nbytes())

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Summary: ...
    @overload
    def __getitem__(self, index: slice) -> list[Summary]: ...

    def __getitem__(self, index: int | slice) -> Summary | list[Summary]:
        if isinstance(index, slice):
            return [self._summary(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("row out of range")
        return self._summary(index)

    def __iter__(self) -> Iterator[Summary]:
        for index in range(len(self)):
            yield self._summary(index)

    def _summary(self, row: int) -> Summary:
        return Summary(self.id_at(row), self.headline_at(row), self._datelines[row],
                       self._dates[row])

    def id_at(self, row: int) -> str:
        odd = self._odd.get(row) if self._odd else None
        return odd if odd is not None else f"{self._keys[row]:016x}"

    def headline_at(self, row: int) -> str:
        return self._headlines[row] or ""

    def headlines(self) -> Iterator[str]:
        """Every headline in the store's order (no Summary made)."""
        for row in range(len(self)):
            yield self.headline_at(row)

    def find(self, article_id: str) -> int | None:
        """The row of an article, or None (a scan of the packed ids: about a
        millisecond at half a million)."""
        if not _HEX_ID.fullmatch(article_id):
            return next((row for row, ident in self._odd.items() if ident == article_id),
                        None)
        key, start = int(article_id, 16), 0
        while True:
            try:
                row = self._keys.index(key, start)
            except ValueError:
                return None
            if row not in self._odd:
                return row
            start = row + 1

    def rows_of(self, article_ids: Iterable[str]) -> set[int]:
        """The rows of those of `article_ids` the table holds (one pass over it)."""
        keys: set[int] = set()
        odd: set[str] = set()
        for ident in article_ids:
            if _HEX_ID.fullmatch(ident):
                keys.add(int(ident, 16))
            else:
                odd.add(ident)
        found = {row for row, ident in self._odd.items() if ident in odd}
        if keys:
            odd_rows = self._odd
            found.update(row for row, key in enumerate(self._keys)
                         if key in keys and row not in odd_rows)
        return found

    # -- what the list shows ------------------------------------------------------------

    def arrange(self, states: Mapping[str, ReadingState], filter_name: str = "all",
                order: str = "newest", only: Iterable[str] | None = None) -> ListedRows:
        """The rows to list, filtered and ordered as `listing.arrange` does; `only`:
        the ids of the one feed listed."""
        rows = self.order(order)
        keep: set[int] | None = None
        drop: set[int] | None = None
        if filter_name == "unread":
            drop = self.rows_of(ident for ident, state in states.items() if state.read)
        elif filter_name == "starred":
            keep = self.rows_of(ident for ident, state in states.items() if state.starred)
        elif filter_name != "all":
            raise ValueError(f"unknown filter {filter_name!r}")
        if only is not None:
            members = self.rows_of(only)
            keep = members if keep is None else keep & members
        if keep is not None and drop:
            keep -= drop
            drop = None
        if keep is not None:
            rows = array("I", (row for row in rows if row in keep))
        elif drop:
            rows = array("I", (row for row in rows if row not in drop))
        return ListedRows(self, rows)

    def order(self, name: str) -> Sequence[int]:
        """The rows in one of the list's orders (computed once, then kept)."""
        found = self._orders.get(name)
        if found is not None:
            return found
        if name == "newest":
            found = range(len(self)) if self.in_order else self._sorted_newest()
        elif name == "oldest":
            found = self._oldest(self.order("newest"))
        elif name == "headline":
            folded = self.headline_at
            found = array("I", sorted(range(len(self)), key=lambda row: folded(row).casefold()))
        else:
            raise ValueError(f"unknown order {name!r}")
        self._orders[name] = found
        return found

    def _sorted_newest(self) -> array[int]:
        # listing.by_date: by headline first, then dated newest first (a stable sort
        # keeps the headline order among equal dates), undated last.
        by_headline = self.order("headline")
        dated = [row for row in by_headline if self._dates.raw(row)]
        dated.sort(key=lambda row: self._dates.raw(row) or b"", reverse=True)
        undated = (row for row in by_headline if not self._dates.raw(row))
        return array("I", [*dated, *undated])

    def _oldest(self, newest: Sequence[int]) -> array[int]:
        """Oldest first from newest first: the runs of one date in the opposite order,
        each run's own order (by headline) kept; undated still last."""
        runs: list[tuple[int, int]] = []
        start, current = 0, None
        count = len(newest)
        undated_from = count
        for position, row in enumerate(newest):
            date = self._dates.raw(row)
            if not date:  # undated ("" too, as listing.arrange reads it)
                undated_from = position
                break
            if date != current:
                if position:
                    runs.append((start, position))
                start, current = position, date
        if undated_from:
            runs.append((start, undated_from))
        result = array("I")
        for first, end in reversed(runs):
            result.extend(array("I", newest[first:end]))
        result.extend(array("I", newest[undated_from:]))
        return result


class ListedRows(Sequence[Summary]):
    """The rows the list shows, in order: a table seen through row numbers."""

    def __init__(self, table: SummaryTable, rows: Sequence[int] | None = None) -> None:
        self.table = table
        self.rows: Sequence[int] = range(len(table)) if rows is None else rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Summary: ...
    @overload
    def __getitem__(self, index: slice) -> list[Summary]: ...

    def __getitem__(self, index: int | slice) -> Summary | list[Summary]:
        if isinstance(index, slice):
            return [self.table[row] for row in self.rows[index]]
        return self.table[self.rows[index]]

    def __iter__(self) -> Iterator[Summary]:
        for row in self.rows:
            yield self.table[row]

    def id_at(self, index: int) -> str:
        return self.table.id_at(self.rows[index])

    def ids(self, start: int, stop: int) -> list[str]:
        """The ids of positions start..stop (no Summary made)."""
        return [self.table.id_at(row) for row in self.rows[start:stop]]

    def position_of(self, article_id: str) -> int | None:
        """Where the article is listed, or None."""
        row = self.table.find(article_id)
        if row is None:
            return None
        try:
            return self.rows.index(row)
        except ValueError:
            return None
