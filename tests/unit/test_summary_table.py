"""The reader's compact list (summary_table.py) lists exactly what listing.arrange lists,
in every filter and order, whatever order the store hands the rows over in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.article import ReadingState, Summary
from newstui.listing import FILTERS, ORDERS, arrange
from newstui.summary_table import ListedRows, SummaryTable

HEX = "0123456789abcdef"
ids = st.one_of(st.text(HEX, min_size=16, max_size=16),
                st.text(min_size=1, max_size=20))  # a hand-made store's odd ids too
dates = st.one_of(st.none(), st.just(""), st.sampled_from(
    ["2016-07-27", "2016-07-27T14:05:00", "2016-07-28", "1987-03-01", "2016-07-27T09:00:00"]))
headlines = st.one_of(st.sampled_from(["Oil", "oil", "OIL", "Ärger", "Zinc", "", "日本"]),
                      st.text(max_size=12))
summaries = st.builds(Summary, ids, headlines, st.one_of(st.none(), st.text(max_size=8)), dates)
states = st.builds(ReadingState, st.booleans(), st.booleans())


def newest_first(rows: list[Summary]) -> list[Summary]:
    return arrange(rows, {})


@settings(max_examples=300, deadline=None)
@given(st.lists(summaries, max_size=40, unique_by=lambda s: s.id), st.data(),
       st.booleans())
def test_every_filter_and_order_matches_listing_arrange(rows: list[Summary], data: st.DataObject,
                                                        store_order: bool) -> None:
    if store_order:  # as the store hands them over: the newest-first order already
        rows = newest_first(rows)
    marked = data.draw(st.lists(st.sampled_from(rows), unique_by=lambda s: s.id)) if rows else []
    state_of = {s.id: data.draw(states) for s in marked}
    table = SummaryTable.of(rows)
    assert list(table) == rows
    for filter_name in FILTERS:
        for order in ORDERS:
            listed = table.arrange(state_of, filter_name, order)
            assert list(listed) == arrange(rows, state_of, filter_name, order), (
                filter_name, order, table.in_order)


@given(st.lists(summaries, max_size=30, unique_by=lambda s: s.id), st.data())
def test_one_feed_and_the_cursor_by_id(rows: list[Summary], data: st.DataObject) -> None:
    members = {s.id for s in data.draw(st.lists(st.sampled_from(rows)))} if rows else set()
    table = SummaryTable.of(rows)
    listed = table.arrange({}, "all", "newest", only=frozenset(members))
    expected = [s for s in arrange(rows, {}) if s.id in members]
    assert list(listed) == expected
    for position, summary in enumerate(expected):
        assert listed.position_of(summary.id) == position
        assert listed.id_at(position) == summary.id
    assert listed.ids(0, 3) == [s.id for s in expected[:3]]
    outside = [s for s in rows if s.id not in members]
    for summary in outside:
        assert listed.position_of(summary.id) is None
        assert table.find(summary.id) == rows.index(summary)


def test_store_order_is_taken_as_it_is_and_others_are_sorted() -> None:
    a = Summary("00000000000000a1", "Beta", "LONDON", "2016-07-28")
    b = Summary("00000000000000b2", "alpha", None, "2016-07-28")
    c = Summary("00000000000000c3", "Gamma", None, None)
    ordered = SummaryTable.of([b, a, c])
    assert ordered.in_order and isinstance(ordered.order("newest"), range)
    shuffled = SummaryTable.of([c, a, b])
    assert not shuffled.in_order
    assert list(shuffled.arrange({}, "all", "newest")) == [b, a, c]
    assert list(shuffled.arrange({}, "all", "oldest")) == [b, a, c]
    assert list(shuffled.arrange({}, "all", "headline")) == [b, a, c]


def test_slices_and_negative_indices_are_summaries() -> None:
    rows = [Summary(f"{n:016x}", f"Story {n}", None, f"2016-07-{n + 10:02d}")
            for n in range(5)][::-1]
    table = SummaryTable.of(rows)
    assert table[-1] == rows[-1] and table[1:3] == rows[1:3]
    listed = ListedRows(table)
    assert listed[1:3] == rows[1:3] and len(listed) == 5


def test_a_row_costs_far_less_than_a_summary_object() -> None:
    rows = [Summary(f"{n:016x}", f"Harbour board approves new quay number {n}", "PORT AVELIN",
                    "2016-07-27") for n in range(10_000)]
    table = SummaryTable.of(rows)
    assert table.nbytes() / len(rows) < 100
