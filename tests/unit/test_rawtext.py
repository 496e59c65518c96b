"""Scraped pages -> articles: the seed article, every variant of raw-format.md, and the
20 bundled samples against the table in docs/sample-articles.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support.core import REPO_ROOT, SAMPLES

from newstui.article import Article
from newstui.importer import read_file
from newstui.rawtext import NotAnArticleError, parse_page

BOILERPLATE = "Get the latest updates as we post them — right on your browser"


def page(*parts: str, date_line: str = ". Last Updated: 07/27/2016") -> str:
    """A raw page: boilerplate, date line, then the given parts, blank-line separated."""
    return "\n\n".join([BOILERPLATE, date_line, *parts])


def only(text: str) -> Article:
    parsed = parse_page(text)
    assert len(parsed.articles) == 1, parsed.articles
    return parsed.articles[0]


def all_text(a: Article) -> str:
    return "\n".join(str(v) for v in (a.headline, a.dateline, a.updated, a.published,
                                      a.caption, a.credit, *a.body))


# -- the seed article -------------------------------------------------------------


def test_seed_article(seed_file: Path) -> None:
    parsed = parse_page(seed_file.read_text(encoding="utf-8"))
    assert parsed.warnings == []
    [a] = parsed.articles
    assert a.headline == "Nato Seeks Russian Aid for Afghans"
    assert a.updated == "2016-07-27"
    assert a.published is None
    assert a.credit == "AP"
    assert a.caption is not None and a.caption.startswith("A Russian-made car driving")
    assert a.caption.endswith("north of Kabul, Afghanistan.")
    assert a.dateline == "BRUSSELS"
    assert len(a.body) == 17
    assert a.body[0].startswith("Frustration is growing in NATO")
    assert a.body[-1].endswith("It’s a little funny to hear such concerns,” he said.")
    # A mid-article "NATO-Russia ties have warmed" stays a plain paragraph.
    assert any(p.startswith("NATO-Russia ties have warmed") for p in a.body)
    for junk in ("Get the latest updates", "Last Updated", "right on your browser"):
        assert junk not in all_text(a)


# -- datelines --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "dateline", "rest"),
    [
        ("BRUSSELS — Frustration is growing.", "BRUSSELS", "Frustration is growing."),
        ("BRUSSELS —\u00a0Frustration is growing.", "BRUSSELS", "Frustration is growing."),
        ("GROZNY -- Russian troops moved in.", "GROZNY", "Russian troops moved in."),
        ("NAZRAN, Russia - A day of mourning began.", "NAZRAN, Russia", "A day of mourning began."),
        ("MOSCOW (AP) -- The Kremlin said no.", "MOSCOW", "The Kremlin said no."),
        ("FRANKFURT (Bloomberg) -- Shares fell.", "FRANKFURT", "Shares fell."),
        ("ST. PETERSBURG — The city voted.", "ST. PETERSBURG", "The city voted."),
    ],
)
def test_dateline_forms(first: str, dateline: str, rest: str) -> None:
    a = only(page("Headline Here", first, "Second paragraph."))
    assert a.dateline == dateline
    assert a.body == (rest, "Second paragraph.")
    assert "(AP)" not in all_text(a) and "(Bloomberg)" not in all_text(a)


@pytest.mark.parametrize(
    "first",
    [
        "NATO-Russia ties have warmed since the freeze.",
        "The fire — which started at night — spread quickly.",
        "Plain body text with no dateline at all.",
        "EU leaders met on Friday - and agreed nothing.",
    ],
)
def test_not_a_dateline(first: str) -> None:
    a = only(page("Headline Here", first, "Second paragraph."))
    assert a.dateline is None
    assert a.body[0] == first


# -- captions and credits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("glued", "credit", "caption"),
    [
        ("APA car on a street.", "AP", "A car on a street."),
        ("ReutersThe harbour at dawn.", "Reuters", "The harbour at dawn."),
        ("RIA NovostiA repair crew at work.", "RIA Novosti", "A repair crew at work."),
        ("ITAR-TASSPassengers on a platform.", "ITAR-TASS", "Passengers on a platform."),
        ("Igor Tabakov / MTVolunteers stack sandbags.", "Igor Tabakov / MT",
         "Volunteers stack sandbags."),
    ],
)
def test_glued_credit_and_caption(glued: str, credit: str, caption: str) -> None:
    a = only(page("Headline Here", glued, "MOSCOW — Body starts here.", "More body."))
    assert (a.credit, a.caption) == (credit, caption)
    assert a.dateline == "MOSCOW"
    assert a.body == ("Body starts here.", "More body.")


def test_no_caption_and_no_dateline() -> None:
    a = only(page("Headline Here", "APPLE shares rose on Monday.", "More body."))
    assert a.caption is None and a.credit is None and a.dateline is None
    assert a.body == ("APPLE shares rose on Monday.", "More body.")


# -- layout variants ----------------------------------------------------------------


def test_single_newline_paragraphs() -> None:
    text = page("Headline Here", "BRUSSELS — One.\nTwo is here.\nThree ends it.")
    a = only(text)
    assert a.body == ("One.", "Two is here.", "Three ends it.")


def test_stray_install_word_before_boilerplate() -> None:
    text = "Install\n\n" + page("Headline Here", "Body one.", "Body two.")
    a = only(text)
    assert a.headline == "Headline Here"
    assert a.updated == "2016-07-27"
    assert "Install" not in all_text(a)


def test_inline_html_and_entities() -> None:
    text = page("Bread &amp; Salt", "The <i>Kommersant</i> daily said 3 &lt; 4 &amp; more.",
                "A <b>bold</b> claim.")
    a = only(text)
    assert a.headline == "Bread & Salt"
    assert a.body == ("The Kommersant daily said 3 < 4 & more.", "A bold claim.")


def test_plain_text_story_without_boilerplate() -> None:
    a = only("Labour plans a rise\n\nThe first paragraph.\n\nThe second paragraph.\n")
    assert a.headline == "Labour plans a rise"
    assert a.body == ("The first paragraph.", "The second paragraph.")
    assert (a.updated, a.published, a.dateline, a.caption, a.credit) == (None,) * 5


def test_in_brief_page_gives_one_article_per_item() -> None:
    text = page(
        "In Brief",
        "Mayor Opens New Bridge",
        "KAZAN — The mayor opened a new bridge on Tuesday, officials said.",
        "Traffic is expected to ease.",
        "Oil Exports Rise",
        "MOSCOW — Oil exports rose 3 percent in November, the ministry said.",
        "Gas Talks Stall",
        "KIEV (Reuters) -- Talks on gas prices stalled again on Wednesday.",
        date_line=". Last Updated: 12/03/2009",
    )
    articles = parse_page(text).articles
    assert [(a.headline, a.dateline, a.updated) for a in articles] == [
        ("Mayor Opens New Bridge", "KAZAN", "2009-12-03"),
        ("Oil Exports Rise", "MOSCOW", "2009-12-03"),
        ("Gas Talks Stall", "KIEV", "2009-12-03"),
    ]
    assert articles[0].body == ("The mayor opened a new bridge on Tuesday, officials said.",
                                "Traffic is expected to ease.")
    assert articles[2].body == ("Talks on gas prices stalled again on Wednesday.",)
    assert len({a.id for a in articles}) == 3


INDEX_PAIRS = [
    "Putin Meets Obama in Singapore",
    "The two leaders discussed arms control and Iran.",
    "Ruble Gains Against Dollar",
    "The currency rose for the third day as oil prices climbed.",
    "Snow Blankets Moscow",
    "City services struggled to clear the roads after a heavy snowfall.",
    "Kremlin Names New Envoy",
    "The diplomat will take up his post in January.",
]


@pytest.mark.parametrize("title", [None, "Archive for December 3, 2009"],
                         ids=["untitled", "titled"])
def test_archive_day_index_is_not_an_article(title: str | None) -> None:
    parts = ([title] if title else []) + INDEX_PAIRS
    with pytest.raises(NotAnArticleError, match="archive index"):
        parse_page(page(*parts))


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", BOILERPLATE, page(), page("Only A Headline"),
     "Install\n\n" + BOILERPLATE + "\n\n. Last Updated: 07/27/2016"],
)
def test_no_article(text: str) -> None:
    with pytest.raises(NotAnArticleError):
        parse_page(text)


# -- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "updated", "published"),
    [
        (". Last Updated: 07/27/2016", "2016-07-27", None),
        (". Last Updated: Dec. 3, 2009 14:05", "2009-12-03T14:05", None),
        ("Last Updated: Dec. 3, 2009 14:05", "2009-12-03T14:05", None),
        ("Published: 2009-12-03", None, "2009-12-03"),
        ("03.12.2009", None, "2009-12-03"),
        (". Last Updated: 03.12.2009", "2009-12-03", None),
    ],
)
def test_date_forms(line: str, updated: str | None, published: str | None) -> None:
    parsed = parse_page(page("Headline Here", "Body text.", date_line=line))
    assert parsed.warnings == []
    [a] = parsed.articles
    assert (a.updated, a.published) == (updated, published)
    assert a.headline == "Headline Here"


@pytest.mark.parametrize("raw", ["3 hours ago", "today", "Tuesday", "yesterday", "12/03/09",
                                 "Dec 3", "sometime soon"])
def test_unreadable_date_is_left_empty_with_a_warning(raw: str) -> None:
    parsed = parse_page(page("Headline Here", "Body text.", date_line=f". Last Updated: {raw}"))
    [a] = parsed.articles
    assert a.updated is None and a.published is None
    assert len(parsed.warnings) == 1
    assert raw in parsed.warnings[0] and "left empty" in parsed.warnings[0]
    assert a.headline == "Headline Here"  # the date line is not taken for the headline


@pytest.mark.parametrize("raw", ["3 hours ago", "today", "Tuesday", "now", "noon", "3", "14:05",
                                 "Dec 3", "3 Dec", "July"])
def test_never_todays_date(raw: str) -> None:
    today = date.today()
    for form in (f". Last Updated: {raw}", f"Published: {raw}"):
        for a in parse_page(page("Headline Here", "Body text.", date_line=form)).articles:
            for value in (a.updated, a.published):
                assert value is None or not value.startswith(today.isoformat())
                assert value is None or not value.startswith(str(today.year))


# -- the bundled samples ----------------------------------------------------------


def _sample_table() -> list[dict[str, str | None]]:
    """Rows of the table in docs/sample-articles.md, 'none' read as None."""
    lines = (REPO_ROOT / "docs" / "sample-articles.md").read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("| File |"))
    header = [c.strip() for c in lines[header_at].strip().strip("|").split("|")]
    rows = []
    for line in lines[header_at + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        row: dict[str, str | None] = {
            name: (None if cell == "none" else cell)
            for name, cell in zip(header, cells, strict=True)
        }
        row["File"] = (row["File"] or "").strip("`")
        row["Raw date line"] = (row["Raw date line"] or "").strip("`")
        rows.append(row)
    return rows


SAMPLE_ROWS = _sample_table()


def test_sample_table_lists_every_bundled_file() -> None:
    assert len(SAMPLE_ROWS) == 20
    assert sorted(r["File"] for r in SAMPLE_ROWS) == sorted(  # type: ignore[type-var]
        p.name for p in SAMPLES.glob("*.txt"))


@pytest.mark.parametrize("row", SAMPLE_ROWS, ids=[str(r["File"])[:2] for r in SAMPLE_ROWS])
def test_bundled_sample_matches_table(row: dict[str, str | None]) -> None:
    articles, warnings = read_file(SAMPLES / str(row["File"]))
    assert warnings == []
    [a] = articles
    assert a.headline == row["Headline"]
    assert a.dateline == row["Dateline"]
    assert a.credit == row["Credit"]
    assert a.caption == row["Caption (after credit)"]
    raw_date = str(row["Raw date line"])
    dated = a.published if raw_date.startswith("Published") else a.updated
    assert dated is not None and dated[:10] == row["Date"]
    if "14:05" in raw_date:
        assert dated == f"{row['Date']}T14:05"
    assert a.body[-1] == "This article is fictional and was written as sample data for newstui."
    text = all_text(a)
    for junk in ("Get the latest updates", "Last Updated", "<i>", "&amp;", "Install"):
        assert junk not in text
    if row["Wire"]:
        assert f"({row['Wire']})" not in text
