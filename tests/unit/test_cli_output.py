"""The command line never trusts the store, and reads what people type (issue 10).

- Output trusts the store: a store may hold what the importer would have cleaned (an
  older release, a shared archive, a hand edit); `list`, `show`, `search` and every
  error line neutralise escape sequences, controls and bidi controls, in plain text
  and in JSON; `export` then `import` gives back the same records.
- CLI defects: the internal mark never leaks from argparse; NO_COLOR only when not
  empty; $COLUMNS is obeyed; an empty `list` prints nothing; dates and OR get a message
  that says what is wrong; CJK words are found inside longer runs; slashed dates in a
  query read as in an import (month first).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import orjson
import pytest
from support.core import SAMPLES, CliRunner

from newstui.archive import Archive
from newstui.article import Article
from newstui.dates import parse_article_date, parse_query_date
from newstui.terminal import detect_color

# Everything a terminal acts on: ESC, C0 but newline/tab, DEL, C1, bidi controls.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                         "\u2066-\u2069\u2028\u2029]")
OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;SGVsbG8=\x07"
EIGHT_BIT_CSI = "\x9b31m"
BIDI = "\u202e"

HOSTILE = Article(
    headline=f"Harbour {OSC_TITLE}reopens{CLEAR}",
    body=(f"The harbour {CLIPBOARD}reopened {EIGHT_BIT_CSI}today.", f"Second {BIDI}para."),
    dateline=f"AVELIN{CLEAR}", caption=f"A {BIDI}caption", credit="AP\x07",
    source=f"/tmp/evil{OSC_TITLE}.txt", published="2016-07-27",
)


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """A store written with raw escapes in it, as an older release could have."""
    db = tmp_path / "hostile.json"
    Archive.open(db).add([HOSTILE, Article(headline="Plain story", body=("Harbour news.",))])
    return db


def _assert_inert(text: str) -> None:
    found = RAW_CONTROL.findall(text)
    assert not found, f"raw controls reached the output: {found!r} in {text!r}"


@pytest.mark.parametrize("args", [
    ["list"], ["list", "--json"], ["search", "harbour"], ["search", "harbour", "--json"],
    ["export"], ["prune", "--older-than", "1d", "--dry-run"], ["prune", "--older-than", "1d"],
    ["delete", HOSTILE.id],
])
def test_output_never_carries_escapes_from_the_store(
        cli: CliRunner, hostile_db: Path, args: list[str]) -> None:
    result = cli("--db", str(hostile_db), *args)
    assert result.status == 0, result.stderr
    _assert_inert(result.stdout)
    _assert_inert(result.stderr)
    assert "Harbour" in result.stdout


def test_show_neutralises_every_field(cli: CliRunner, hostile_db: Path) -> None:
    for args in (["show", HOSTILE.id], ["show", HOSTILE.id, "--json"]):
        result = cli("--db", str(hostile_db), *args)
        assert result.status == 0, result.stderr
        _assert_inert(result.stdout)
        assert "reopens" in result.stdout and "caption" in result.stdout


def test_json_output_still_holds_the_stored_text(cli: CliRunner, hostile_db: Path) -> None:
    # Escaped in JSON (\u001b, \u009b, \u202e), not lost: a program reading the JSON
    # gets exactly what is stored.
    result = cli("--db", str(hostile_db), "show", HOSTILE.id, "--json")
    record = json.loads(result.stdout)
    assert record["headline"] == HOSTILE.headline and record["body"] == list(HOSTILE.body)


def test_error_lines_naming_files_neutralise_escapes(cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"empty{OSC_TITLE}{CLEAR}.txt").write_text("")
    (folder / f"bidi{BIDI}txt.exe").write_text("")
    result = cli("--db", str(tmp_path / "s.json"), "import", str(folder))
    assert result.status == 1
    _assert_inert(result.stderr)
    assert result.stderr.count("empty file") == 2
    missing = cli("--db", str(tmp_path / "s.json"), "import", f"nowhere{CLEAR}")
    _assert_inert(missing.stderr)
    assert "no such file" in missing.stderr


def test_a_file_name_that_is_not_utf8_imports_and_is_reported(
        cli: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    bad = bytes(folder) + b"/caf\xe9-story.txt"
    with open(bad, "wb") as handle:
        handle.write(b"Cafe story\n\nThe cafe opened.\n")
    (folder / "good.txt").write_text("Good story\n\nIt is good.\n")
    db = tmp_path / "s.json"
    result = cli("--db", str(db), "import", str(folder))
    assert result.status == 0, result.stderr
    assert "Traceback" not in result.stderr and "not valid UTF-8" in result.stderr
    assert "imported 2" in result.stdout
    sources = sorted(a.source or "" for a in Archive.open(db).store.articles())
    assert sources[0].endswith("caf\ufffd-story.txt")
    assert Archive.open(db).search("cafe").total == 1  # the index is not ahead of the store


def test_export_then_import_gives_back_the_same_records(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "tricky.jsonl"
    tricky = [
        {"headline": "Literal <IBM> &lt; 5 & AT&T", "body": ["a < b &amp; c", "“quotes” — dash"]},
        {"headline": "Zone", "body": ["x"], "published": "2016-07-26T23:30:00-05:00"},
        {"headline": "Week", "body": ["y"], "updated": "2016-W30-3"},
        {"headline": "日本語の見出し", "body": ["東京の記事です。"], "dateline": "TŌKYŌ"},
        {"headline": "Link", "body": ["z"], "url": "http://127.0.0.1/a", "feed": "http://127.0.0.1/f",
         "guid": "g-1", "author": "A. Writer"},
    ]
    source.write_bytes(b"\n".join(orjson.dumps(r) for r in tricky) + b"\n")
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli("--db", str(first), "import", str(SAMPLES), str(source)).status == 0
    exported = tmp_path / "export.jsonl"
    assert cli("--db", str(first), "export", "--output", str(exported)).status == 0
    assert cli("--db", str(second), "import", str(exported)).status == 0
    again = tmp_path / "again.jsonl"
    assert cli("--db", str(second), "export", "--output", str(again)).status == 0

    def records(path: Path) -> dict[str, dict[str, object]]:
        return {r["id"]: r for r in map(orjson.loads, path.read_bytes().splitlines())}

    assert records(again) == records(exported)
    assert len(records(again)) == 25


# -- command-line defects ---------------------------------------------------------------


@pytest.fixture
def samples_db(cli: CliRunner, tmp_path: Path) -> Path:
    db = tmp_path / "samples.json"
    assert cli("--db", str(db), "import", str(SAMPLES)).status == 0
    return db


@pytest.mark.parametrize("args", [
    ["search", "harbour", "--limit", "2", "-storm"],
    ["search", "--limit", "2", "harbour", "-storm"],
    ["search", "harbour", "-storm", "--limit", "2"],
    ["search", "--json", "harbour", "-storm", "--limit", "2"],
])
def test_excluded_words_anywhere_among_the_options(
        cli: CliRunner, samples_db: Path, args: list[str]) -> None:
    result = cli("--db", str(samples_db), *args)
    assert result.status == 0, result.stderr
    assert "\x00" not in result.stderr and "unrecognized" not in result.stderr
    assert "Storm" not in result.stdout
    assert "Ferry" in result.stdout


def test_search_as_a_file_name_is_not_the_search_command(
        cli: CliRunner, samples_db: Path, tmp_path: Path) -> None:
    result = cli("--db", str(samples_db), "import", "search", "-q")
    assert result.status == 1
    assert "\x00" not in result.stderr + result.stdout
    assert "search: no such file or directory" in result.stderr


def test_argparse_errors_show_neither_the_mark_nor_escapes(
        cli: CliRunner, samples_db: Path) -> None:
    result = cli("--db", str(samples_db), "search", "-x", "--limit")
    assert result.status == 2
    assert "\x00" not in result.stderr and "\\x00" not in result.stderr
    result = cli("--db", str(samples_db), "list", f"--bogus{CLEAR}")
    assert result.status == 2
    _assert_inert(result.stderr)


@pytest.mark.parametrize(("value", "color"), [("", "256"), ("1", "none"), ("0", "none"),
                                              (None, "256")])
def test_no_color_counts_only_when_not_empty(value: str | None, color: str) -> None:
    env = {"TERM": "xterm-256color"}
    if value is not None:
        env["NO_COLOR"] = value
    assert detect_color(env) == color


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.mark.parametrize("columns", [50, 72, 160])
def test_columns_sets_the_width(cli: CliRunner, samples_db: Path, columns: int) -> None:
    result = cli("--db", str(samples_db), "list", env={"COLUMNS": str(columns)})
    lines = result.stdout.splitlines()
    assert len(lines) == 20
    assert max(_cells(line) for line in lines) <= columns
    if columns == 160:
        assert any("Trawlers Return to Port Avelin Harbour After Storm Season" in line
                   for line in lines)
    else:
        assert max(_cells(line) for line in lines) > columns - 10


def test_list_of_an_empty_store_prints_nothing(cli: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "empty.json"
    Archive.open(db).add([Article(headline="Gone", body=("x",))])
    archive = Archive.open(db)
    archive.delete([a.id for a in archive.store.articles()])
    result = cli("--db", str(db), "list")
    assert (result.status, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(("query", "says"), [
    ("on:2016 OR on:2015", "dates cannot be combined with OR"),
    ("harbour OR after:2015", "dates cannot be combined with OR"),
    ("on:2016 on:2015", "exclude each other"),
    ("-on:2016", "cannot be negated"),
])
def test_date_filter_mistakes_say_what_is_wrong(
        cli: CliRunner, samples_db: Path, query: str, says: str) -> None:
    result = cli("--db", str(samples_db), "search", query)
    assert result.status == 2
    assert says in result.stderr and "OR needs a word" not in result.stderr


# -- CJK words ---------------------------------------------------------------------------

CJK = [
    Article(headline="日本語のニュース",
            body=("東京都は日本の首都であり、多くの人が住んでいます。",)),
    Article(headline="中国新闻", body=("北京是中华人民共和国的首都。日本和中国是邻国。",)),
    Article(headline="カタカナのテスト", body=("コンピューターとインターネット。",)),
    Article(headline="Plain English", body=("Nothing to see in Japan.",)),
]


@pytest.mark.parametrize(("query", "found"), [
    ("日本", {"日本語のニュース", "中国新闻"}),
    ("首都", {"日本語のニュース", "中国新闻"}),
    ("東京", {"日本語のニュース"}),
    ('"日本の首都"', {"日本語のニュース"}),
    ("headline:ニュース", {"日本語のニュース"}),
    ("インターネット", {"カタカナのテスト"}),
    ("北京 -日本", set()),
    ("japan", {"Plain English"}),
])
def test_cjk_words_are_found_inside_longer_runs(
        tmp_path: Path, query: str, found: set[str]) -> None:
    archive = Archive.open(tmp_path / "cjk.json")
    archive.add(CJK)
    results = archive.search(query)
    assert {h.article.headline for h in results.hits} == found


def test_cjk_snippet_marks_the_whole_word(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "cjk.json")
    archive.add(CJK)
    (hit,) = archive.search("東京").hits
    assert "«東京»" in hit.snippet.marked()
    assert "\u200b" not in hit.snippet.text


# -- slashed dates in queries --------------------------------------------------------------


@pytest.mark.parametrize(("text", "day"), [
    ("12/03/2009", "2009-12-03"),      # month first, as the README says and import reads
    ("03/12/2009", "2009-03-12"),
    ("31/12/2016", "2016-12-31"),      # only a day can be 31: day first after all
    ("03.12.2009", "2009-12-03"),      # dots: day first
    ("2009-12-03", "2009-12-03"),
    ("7/4/2016", "2016-07-04"),
])
def test_query_dates_read_like_imported_dates(text: str, day: str) -> None:
    assert parse_article_date(text) == day
    span = parse_query_date(text)
    assert span.first.isoformat() == span.last.isoformat() == day


def test_on_a_slashed_date_finds_that_day(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "d.json")
    archive.add([Article(headline="December", body=("x",), published="2009-12-03"),
                 Article(headline="March", body=("y",), published="2009-03-12")])
    assert [h.article.headline for h in archive.search("on:12/03/2009").hits] == ["December"]


def test_a_line_break_in_a_file_name_cannot_forge_a_second_line(
        cli: CliRunner, tmp_path: Path) -> None:
    """Red team F24: escapes were removed from file names in error lines, but a line
    break was kept, so a crafted name printed a fake status line of its own."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nnewstui: imported 999 FAKE.txt").write_text("x")
    (folder / "warn\rnewstui: done.txt").write_text("Headline\n\nPublished: 31 Feb 2016\n\nBody.\n")
    result = cli("--db", str(tmp_path / "s.json"), "import", str(folder))
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("newstui: ") for line in lines), lines
    assert not any(line.startswith("newstui: imported") for line in lines)
    assert "\r" not in result.stderr
    missing = cli("--db", str(tmp_path / "s.json"), "show", "zz\nnewstui: fake")
    assert len(missing.stderr.strip().splitlines()) == 1
