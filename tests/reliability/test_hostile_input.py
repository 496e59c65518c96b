"""Hostile input: fuzzed files, text that tries to drive the terminal or the TUI, and
articles too big to lay out at once. Imported, then shown (Pilot and a real pty):
shown literally or stripped, nothing executed, the reader stays responsive.

Short form in the suite; `pytest --long` runs the counts and sizes the reliability
notes report (atheris 100,000 inputs, 50 MB bodies). Timings are printed (`-s`).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich._wrap import divide_line
from support import fuzz_importer
from support.fuzz_importer import FORBIDDEN, assert_article_clean, check_input
from support.pty_terminal import KEYS, PtyTerminal, newstui_command, terminal_env
from support.reader import loaded, screen_text, settle

from newstui.archive import Archive
from newstui.highlight import match_spans
from newstui.render import cell_width, truncate
from newstui.tui.app import NewsApp
from newstui.tui.screens.article_screen import ArticleScreen
from newstui.tui.screens.list_screen import ListScreen
from newstui.tui.widgets.article_view import ArticleView, line_starts

SIZE = (80, 24)
MB = 1_000_000

# -- the hostile payloads ---------------------------------------------------------------

OSC52_CLIPBOARD = "\x1b]52;c;SE9TVElMRUNMSVA=\x07"  # base64 of HOSTILECLIP
OSC0_TITLE = "\x1b]0;PWNEDTITLE\x07"
OSC2_TITLE = "\x1b]2;PWNEDTWO\x1b\\"
OSC8_LINK = "\x1b]8;;https://osc8-evil.example/x\x07a link\x1b]8;;\x07"
CURSOR_MOVES = "\x1b[4242;4242H\x1b[4242A\x1b[2J\x1b[?1049l"
C1_SEQUENCES = "\x9b4243A\x9d0;CONETITLE\x9c"  # 8-bit CSI and OSC
COLOUR = "\x1b[31;47mred\x1b[0m"
BIDI = "\u202e\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d"
ZERO_WIDTH = "\u200b\u2060\ufeff"

#: Bytes that must never reach the terminal: the payloads' contents and introducers.
NEVER_ON_THE_WIRE = [
    b"SE9TVElMRUNMSVA", b"PWNEDTITLE", b"PWNEDTWO", b"osc8-evil.example", b"4242",
    b"4243", b"CONETITLE", b"\x1b]52;", b"]8;;https://markup.example",
    *(ch.encode() for ch in BIDI + ZERO_WIDTH), "\x9b".encode(), "\x9d".encode(),
]

CLICK = "[@click=app.quit]Click me[/]"
HOSTILE_PAGE = (
    "Published: 2020-01-09\n\n"
    f"Hostile [bold]Markup[/bold] {OSC0_TITLE}Story{BIDI}\n\n"
    f"MOSCOW{ZERO_WIDTH} — {CLICK} and [link=https://markup.example]a link[/link] "
    f"then {COLOUR} {OSC52_CLIPBOARD}done{OSC2_TITLE}.\n\n"
    f"Cursor {CURSOR_MOVES}moves {C1_SEQUENCES}and {OSC8_LINK} and b{BIDI}idi "
    f"z{ZERO_WIDTH}ero [red]colour[/red] [/] [bold.\n"
)
HOSTILE_RECORD = {
    "headline": f"[@click=app.quit]Click here[/] {OSC52_CLIPBOARD}to quit{BIDI}",
    "dateline": f"[red]KYIV{CURSOR_MOVES}",
    "published": "2020-01-08",
    "caption": f"A caption {OSC8_LINK}{C1_SEQUENCES}",
    "credit": f"\u202eAP{OSC0_TITLE}",
    "body": [f"First {COLOUR}{CURSOR_MOVES} [link=https://markup.example]x[/link]",
             f"Second {OSC2_TITLE}{ZERO_WIDTH}paragraph."],
}

# -- fuzzing the importer -----------------------------------------------------------------

FRAGMENTS = st.sampled_from([
    OSC52_CLIPBOARD, OSC0_TITLE, OSC2_TITLE, OSC8_LINK, CURSOR_MOVES, C1_SEQUENCES, COLOUR,
    BIDI, ZERO_WIDTH, CLICK, "\n\n", "\r\n", "\x1b", "\x9b", "\x9d", "\x07", "\x1b\\", "<b>",
    "&#27;", "&#x9b;", "&#8238;", "&lt;", '{"headline": "', '", "body": ["', '"]}', "\\u001b",
    "\\ud800", "Published: 2020-01-01\n\n", "BRUSSELS — ", "APA Caption ", "\ufffd",
])
HOSTILE_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=20).map("".join)
ENCODED = st.tuples(HOSTILE_TEXT, st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]))


def _examples(long_form: bool, short: int, long: int) -> settings:
    return settings(max_examples=long if long_form else short, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow], database=None)


def test_importer_survives_hypothesis_bytes(long_form: bool) -> None:
    """Any bytes, as a page or as JSON: only the importer's own errors escape, and
    what imports is clean."""

    @_examples(long_form, 300, 20_000)
    @given(st.one_of(st.binary(max_size=2000), ENCODED.map(
        lambda pair: pair[0].encode(pair[1], errors="replace"))))
    def run(data: bytes) -> None:
        check_input(data)

    run()


def test_clean_text_leaves_nothing_a_terminal_acts_on(long_form: bool) -> None:
    @_examples(long_form, 500, 50_000)
    @given(st.one_of(st.text(), HOSTILE_TEXT))
    def run(text: str) -> None:
        check_input(text.encode("utf-8", errors="surrogatepass"))

    run()


def test_importer_survives_atheris(long_form: bool, tmp_path: Path) -> None:
    """Coverage-guided fuzzing in its own process (atheris needs one): 100,000 inputs
    in the long form, a few thousand in the suite."""
    pytest.importorskip("atheris", reason="atheris is not installed (pip install -e '.[test]'"
                        " on Linux; it ships no wheels for macOS or Windows)")
    runs = 100_000 if long_form else 3_000
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page").write_text(HOSTILE_PAGE, encoding="utf-8")
    import orjson

    (corpus / "record").write_bytes(orjson.dumps(HOSTILE_RECORD))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, fuzz_importer.__file__, f"-atheris_runs={runs}",
         "-max_len=4096", "-timeout=60", "-rss_limit_mb=4096", str(corpus)],
        capture_output=True, text=True, timeout=1800,
    )
    output = done.stderr + done.stdout
    assert done.returncode == 0, f"the fuzzer found a failing input:\n{output[-6000:]}"
    ran = re.search(r"^Done (\d+) in", output, re.MULTILINE)
    assert ran is not None and int(ran.group(1)) >= runs, output[-2000:]
    print(f"\natheris: {int(ran.group(1)):,} inputs in {time.monotonic() - started:.1f} s,"
          " no exception")


# -- the pure pieces the reader's lazy layout rests on ----------------------------------

WRAP_TEXT = st.lists(st.sampled_from([*"ab  xyz-é中\u0301🙂\u200d\xa0", "abcdefghijk"]),
                     max_size=40).map("".join)


@settings(max_examples=400, deadline=None, database=None)
@given(WRAP_TEXT, st.integers(1, 20))
def test_line_starts_breaks_lines_where_rich_does(text: str, width: int) -> None:
    assert list(line_starts(text, width)) == [0, *divide_line(text, width, fold=True)]


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.sampled_from(["cotton", "Cotton", "harvest", "x", ",", " ", "-", "é"]),
                max_size=60).map("".join),
       st.integers(0, 60), st.integers(0, 60))
def test_highlight_in_a_window_finds_what_the_whole_text_has(text: str, start: int,
                                                             length: int) -> None:
    phrases = [("cotton",), ("cotton", "harvest")]
    end = start + length
    whole = [(s, e) for s, e in match_spans(text, phrases) if s < end and e > start]
    assert match_spans(text, phrases, start, end) == whole


def test_truncate_looks_only_at_what_it_keeps() -> None:
    huge = "headline " * (5 * MB)
    started = time.monotonic()
    assert truncate(huge, 49) == huge[:48] + "…"
    assert time.monotonic() - started < 1.0  # it used to measure all 45 MB first
    for text in ("", "short", "中文中文中文", "x" * 49, "x" * 50):
        cut = truncate(text, 10)
        assert cell_width(cut) <= 10
        assert cut == text or cut.endswith("…")


# -- hostile articles, imported ------------------------------------------------------


def write_hostile(folder: Path) -> None:
    import orjson

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.txt").write_text(HOSTILE_PAGE, encoding="utf-8")
    (folder / "hostile.jsonl").write_bytes(orjson.dumps(HOSTILE_RECORD) + b"\n")


def test_hostile_articles_import_clean(tmp_path: Path) -> None:
    write_hostile(tmp_path / "in")
    archive = Archive.open(tmp_path / "articles.json")
    report = archive.import_paths([tmp_path / "in"])
    assert report.ok, report.failures
    assert len(report.added) == 2
    by_headline = {a.headline: a for a in archive.store.articles()}
    page = by_headline["Hostile [bold]Markup[/bold] Story"]
    assert page.dateline == "MOSCOW"
    assert page.published == "2020-01-09"
    assert CLICK in page.body[0] and "[link=https://markup.example]" in page.body[0]
    record = by_headline["[@click=app.quit]Click here[/] to quit"]
    assert record.dateline == "[red]KYIV"
    assert record.credit == "AP"
    for article in by_headline.values():
        assert_article_clean(article)
        assert "\u200b" not in "".join(article.body)


def big_bodies(long_form: bool) -> dict[str, str]:
    """Three big stories: a 100,000-character line, a body of many paragraphs, a body
    that is one giant paragraph (50 MB each in the long form, 2 MB in the suite)."""
    size = 50 * MB if long_form else 2 * MB
    sentence = "The harbour wall held, said the council, and the boats came home. "
    paragraph = (sentence * 7).strip()
    words = "lorem ipsum dolor sit amet consectetur adipiscing "
    return {
        "line.txt": ("Published: 2020-01-07\n\nA Hundred Thousand Character Line\n\n"
                     + ("abcdefghi " * 10_000).strip() + "\n\nThe end.\n"),
        "many.txt": ("Published: 2020-01-06\n\nA Story of Many Paragraphs\n\n"
                     + "\n\n".join([paragraph] * (size // (len(paragraph) + 2))) + "\n"),
        "giant.txt": ("Published: 2020-01-05\n\nOne Giant Paragraph\n\n"
                      + (words * (size // len(words))).strip() + "\n"),
    }


def hostile_and_big(folder: Path, long_form: bool) -> list[str]:
    """Write the hostile and big articles into `folder`; their headlines, newest first."""
    write_hostile(folder)
    for name, text in big_bodies(long_form).items():
        (folder / name).write_text(text, encoding="utf-8")
    return ["Hostile [bold]Markup[/bold] Story", "[@click=app.quit]Click here[/] to quit",
            "A Hundred Thousand Character Line", "A Story of Many Paragraphs",
            "One Giant Paragraph"]


@pytest.fixture
def big_archive(tmp_path: Path, long_form: bool) -> tuple[Path, list[str]]:
    headlines = hostile_and_big(tmp_path / "in", long_form)
    started = time.monotonic()
    report = Archive.open(tmp_path / "articles.json").import_paths([tmp_path / "in"])
    assert report.ok, report.failures
    assert len(report.added) == 5
    print(f"\nimported {sum(f.stat().st_size for f in (tmp_path / 'in').iterdir()):,} bytes"
          f" in {time.monotonic() - started:.1f} s")
    return tmp_path / "articles.json", headlines


# -- in the reader (Pilot) ----------------------------------------------------------


async def test_markup_is_shown_literally_and_clicking_it_does_nothing(tmp_path: Path) -> None:
    write_hostile(tmp_path / "in")
    Archive.open(tmp_path / "articles.json").import_paths([tmp_path / "in"])
    app = NewsApp(Archive.open(tmp_path / "articles.json"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        text = screen_text(pilot)
        assert "Hostile [bold]Markup[/bold] Story" in text
        assert "[@click=app.quit]Click here[/] to quit" in text
        assert "[red]KYIV" in text
        # Clicking the [@click] headline in the list selects it; nothing else happens.
        row = next(i for i, line in enumerate(text.splitlines()) if "Click here" in line)
        await pilot.click(offset=(text.splitlines()[row].index("Click here"), row))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ListScreen)

        await pilot.press("home", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ArticleScreen)
        text = screen_text(pilot)
        assert "Hostile [bold]Markup[/bold] Story" in text
        assert CLICK in text
        assert "[link=https://markup.example]a link[/link]" in text
        assert "[red]colour[/red] [/] [bold." in text
        assert FORBIDDEN.search(text) is None
        lines = text.splitlines()
        row = next(i for i, line in enumerate(lines) if "Click me" in line)
        for _ in range(2):  # a click and a double click on the [@click=app.quit] text
            await pilot.click(offset=(lines[row].index("Click me") + 2, row))
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ArticleScreen)

        await pilot.press("q", "j", "enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert "[@click=app.quit]Click here[/] to quit" in text
        assert "[red]KYIV" in text and "Photo: AP — A caption a link" in text
        assert "First red [link=https://markup.example]x[/link]" in text
        assert FORBIDDEN.search(text) is None
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ListScreen)


async def test_big_articles_open_at_once_and_scroll(big_archive: tuple[Path, list[str]]) -> None:
    path, headlines = big_archive
    app = NewsApp(Archive.open(path))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        text = screen_text(pilot)
        for headline in headlines:
            assert headline in text
        for row, headline in enumerate(headlines[2:], start=2):
            await pilot.press("home", *["j"] * row)
            started = time.monotonic()
            await pilot.press("enter")
            await settle(pilot, 0.01)
            opened = time.monotonic() - started
            assert isinstance(app.screen, ArticleScreen)
            view = app.screen.query_one(ArticleView)
            text = screen_text(pilot)
            assert headline in text and ("abcdefghi" in text or "lorem" in text
                                         or "harbour" in text)
            started = time.monotonic()
            await pilot.press("G")
            await settle(pilot)
            bottom = time.monotonic() - started
            text = screen_text(pilot)
            assert "Source:" in text, text
            assert view.scroll_offset.y == view.max_scroll_y > 0
            await pilot.press("g", "space", "j")
            await settle(pilot)
            assert headline not in screen_text(pilot)
            print(f"\n{headline}: first screen {opened:.2f} s, G {bottom:.2f} s,"
                  f" {view.line_count:,} lines")
            await pilot.press("q")
            await settle(pilot)
            assert isinstance(app.screen, ListScreen)
        app.exit()


# -- in a real terminal -------------------------------------------------------------






def test_nothing_from_an_article_reaches_the_terminal(tmp_path: Path, long_form: bool) -> None:
    """The installed command in a pty: hostile articles shown, big ones opened and
    scrolled to the end; not one escape payload or bidi control in the byte stream."""
    command = newstui_command()
    headlines = hostile_and_big(tmp_path / "in", long_form)
    db = tmp_path / "store.json"
    started = time.monotonic()
    done = subprocess.run([command, "--db", str(db), "import", str(tmp_path / "in")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    imported = time.monotonic() - started
    term = PtyTerminal([command, "--db", str(db)], terminal_env(tmp_path))
    timings = []
    try:
        # A frame may come in several reads: wait for all that must be seen together
        # (a headline's row drawn says nothing yet of the next row, or of the body).
        term.wait_until(headlines[0], "[@click=app.quit]Click here[/] to quit")
        for row, headline in enumerate(headlines):
            started = time.monotonic()
            term.press(KEYS["enter"])
            # The article's own title bar, its headline and (the hostile one) its body
            # with the markup shown as text.
            term.wait_until(f"article {row + 1} of 5", headline[:40],
                            *([CLICK] if row == 0 else []))
            opened = time.monotonic() - started
            term.press("G")
            term.wait_for("Source:")
            started = time.monotonic()
            term.press("q")
            term.wait_for("5 articles")
            timings.append((headline, opened, time.monotonic() - started))
            term.press("j")
        started = time.monotonic()
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    print(f"\nimport {imported:.1f} s; " + "; ".join(
        f"{h[:24]}: open {o:.2f} s, back {b:.2f} s" for h, o, b in timings)
        + f"; {len(term.raw):,} bytes from the terminal checked")
    raw = bytes(term.raw)
    assert CLICK.encode() in raw  # the article was drawn, its markup as text
    for payload in NEVER_ON_THE_WIRE:
        assert payload not in raw, f"{payload!r} reached the terminal"

