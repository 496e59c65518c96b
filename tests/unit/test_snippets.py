"""One line of a search result: windowed round its first match, inert, ranges kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newstui.render import cell_width
from newstui.search import Snippet
from newstui.snippets import ELLIPSIS, fit_snippet

LONG = ("The ferry that links the islands to the mainland will add two sailings a week "
        "in January, February and March, leaving the harbour at 8 a.m. and returning "
        "in the late afternoon.")


def marked(snippet: Snippet) -> list[str]:
    return [snippet.text[lo:hi] for lo, hi in snippet.highlights]


def of(text: str, word: str) -> Snippet:
    start = text.index(word)
    return Snippet(text, ((start, start + len(word)),))


def test_a_match_past_the_edge_is_brought_into_view() -> None:
    line = fit_snippet(of(LONG, "harbour"), 74)
    assert marked(line) == ["harbour"]
    assert line.text.startswith(ELLIPSIS) and line.text.endswith(ELLIPSIS)
    assert cell_width(line.text) <= 74
    # The line starts at a whole word, some context before the match.
    assert line.text[1:].split()[0] in LONG.split()
    assert line.text.index("harbour") >= 10


def test_a_match_that_fits_from_the_start_keeps_the_start() -> None:
    line = fit_snippet(of(LONG, "ferry"), 40)
    assert line.text.startswith("The ferry") and line.text.endswith(ELLIPSIS)
    assert marked(line) == ["ferry"]


def test_text_that_fits_is_unchanged() -> None:
    snippet = of("A short harbour line.", "harbour")
    assert fit_snippet(snippet, 80) == snippet


def test_no_ellipsis_where_the_window_starts_a_sentence() -> None:
    text = "x" * 10 + " First sentence ends here. " + "Then the harbour appears" + " y" * 40
    line = fit_snippet(of(text, "harbour"), 30)
    assert "harbour" in marked(line)


def test_wide_characters_are_counted_by_cells() -> None:
    text = "日本語の新聞記事です。" * 6 + "港" + "。" * 10
    line = fit_snippet(of(text, "港"), 20)
    assert marked(line) == ["港"] and cell_width(line.text) <= 20


def test_escapes_are_removed_and_the_ranges_still_mark_the_word() -> None:
    text = "\x1b]0;PWNED\x07Before \x1b[31mthe\x1b[0m harbour\x9b2J after"
    line = fit_snippet(of(text, "harbour"), 80)
    assert marked(line) == ["harbour"]
    assert "\x1b" not in line.text and "\x9b" not in line.text


@given(st.text(min_size=1, max_size=300), st.integers(1, 120), st.data())
def test_any_snippet_fits_and_keeps_its_first_match(text: str, width: int,
                                                     data: st.DataObject) -> None:
    lo = data.draw(st.integers(0, len(text) - 1))
    hi = data.draw(st.integers(lo + 1, len(text)))
    line = fit_snippet(Snippet(text, ((lo, hi),)), width)
    assert cell_width(line.text) <= max(width, 1)
    for a, b in line.highlights:
        assert 0 <= a < b <= len(line.text)
