"""Cases 2, 3, 6, 7 and 8: where the reader feels it — newstui, a bare Textual app and
newsboat in a real pseudo-terminal at 80×24 (TERM=xterm-256color), read by pyte."""

from __future__ import annotations

import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import fixtures
from common import BENCH, SCRATCH, Figure, clean_env, fresh_dir, median, newstui_argv, say
from terminal import ENTER, ESCAPE, PAGE_DOWN, Terminal

NEEDLE = 30  # characters of a headline that fit in the list's column at 80×24


def _reset_state(db: Path) -> None:
    """Reading state lives beside the store; every run starts with none."""
    for leftover in db.parent.glob(f"{db.stem}.state*"):
        leftover.unlink()


class Stores:
    """One private copy per size of the cached stores, for the whole run."""

    def __init__(self) -> None:
        self._copies: dict[str, Path] = {}

    def get(self, size: str) -> Path:
        if size not in self._copies:
            self._copies[size] = fixtures.copy_store(size, fresh_dir(SCRATCH / f"tui-{size}"))
        db = self._copies[size]
        _reset_state(db)
        return db


def launch_newstui(db: Path, home: Path) -> Terminal:
    return Terminal([*newstui_argv(), "--db", str(db)], clean_env(home))


def launch_newsboat(size: str) -> Terminal:
    folder = fixtures.copy_newsboat(size, SCRATCH / f"newsboat-{size}")
    return Terminal(fixtures.newsboat_argv(), clean_env(folder), cwd=folder)


def newsboat_to_list(term: Terminal) -> float:
    """Open the feed as soon as the feed list shows; when the article list showed."""
    term.until_text("Your feeds")
    term.until_text("Corpus")
    term.send(ENTER)
    return term.until_text("Articles in feed")


# -- case 2 ---------------------------------------------------------------------------


def first_paint(stores: Stores, sizes: list[str], reps: int) -> list[Figure]:
    home = fresh_dir(SCRATCH / "home")
    samples: dict[str, list[float]] = {f"newstui {s}": [] for s in sizes}
    samples.update({"bare Textual app": [], "newsboat 21k": []})
    bare = [sys.executable, str(BENCH / "bare_app.py")]
    for rep in range(reps):
        say(f"case 2: start to first paint, run {rep + 1} of {reps}")
        for size in sizes:
            needle = fixtures.top_articles(size)[0]["headline"][:NEEDLE]
            term = launch_newstui(stores.get(size), home)
            try:
                samples[f"newstui {size}"].append(term.until_text(needle) - term.started)
            finally:
                term.close()
        term = Terminal(bare, clean_env(home))
        try:
            samples["bare Textual app"].append(
                term.until_text("Bare Textual app: first paint") - term.started)
        finally:
            term.close()
        term = launch_newsboat("21k")
        try:
            samples["newsboat 21k"].append(newsboat_to_list(term) - term.started)
        finally:
            term.close()
    m = {k: median(v) for k, v in samples.items()}
    figures = []
    big = sizes[-1]
    figures.append(Figure("2", f"start to first paint, newstui {big}", m[f"newstui {big}"], "s",
                          m["bare Textual app"], "bare Textual app", 1.5 if big == "106k" else None,
                          note=f"median of {reps}", samples=samples))
    if "21k" in sizes:
        figures.append(Figure("2", "start to first paint, newstui 21k", m["newstui 21k"], "s",
                              m["newsboat 21k"], "newsboat 21k (launch + Enter on the feed)",
                              1.0, note=f"median of {reps}"))
        if big != "21k":
            figures.append(Figure("2", "start to first paint, newstui 21k (vs bare)",
                                  m["newstui 21k"], "s", m["bare Textual app"],
                                  "bare Textual app"))
    return figures


# -- case 3 ---------------------------------------------------------------------------


def _newstui_search(term: Terminal, query: str) -> None:
    term.send("/")
    term.until_text("Type to search")
    term.send(query)
    term.until(lambda: " match" in term.text or "No matches" in term.text, 60)


def peak_memory(stores: Stores, sizes: list[str]) -> list[Figure]:
    home = fresh_dir(SCRATCH / "home")
    rss: dict[str, float] = {}
    files: dict[str, float] = {}
    for size in sizes:
        say(f"case 3: peak memory, newstui {size}")
        db = stores.get(size)
        term = launch_newstui(db, home)
        try:
            term.until_text(fixtures.top_articles(size)[0]["headline"][:NEEDLE])
            _newstui_search(term, "oil")
            term.settle(1.0)
            rss[size] = term.peak_rss_kb() * 1024
        finally:
            term.close()
        files[size] = db.stat().st_size
    say("case 3: peak memory, newsboat 21k")
    term = launch_newsboat("21k")
    try:
        newsboat_to_list(term)
        term.settle(0.5)
        term.send("/")
        term.until_text("Search for:")
        term.send("oil")
        term.settle(0.3)
        term.send(ENTER)
        term.until_text("Search results")
        term.settle(1.0)
        newsboat = term.peak_rss_kb() * 1024
    finally:
        term.close()
    mb = 1024 * 1024
    figures = []
    for size in sizes:
        figures.append(Figure("3", f"peak RSS, newstui {size}, list open + one search "
                              "(vs the store file)", rss[size] / mb, "MB", files[size] / mb,
                              f"store file ({size})", 2.0 if size == "106k" else None))
    if "21k" in rss:
        figures.append(Figure("3", "peak RSS, newstui 21k, list open + one search",
                              rss["21k"] / mb, "MB", newsboat / mb,
                              "newsboat 21k, list open + one search", 1.0))
    return figures


# -- case 6 ---------------------------------------------------------------------------


def _bytes_for(term: Terminal, key: bytes, quiet: float = 0.4) -> tuple[int, bool]:
    before, screen = len(term.raw), term.text
    term.send(key)
    term.settle(quiet, 5)
    return len(term.raw) - before, term.text != screen


def _page_target(top: list[dict[str, Any]]) -> int:
    """A long article near the top of the list (several pages at 80×24)."""
    for index, record in enumerate(top[6:], 6):
        if len(" ".join(record["body"])) > 4000:
            return index
    return 6


def _page_text_bytes(term: Terminal, below: int = 1) -> int:
    """UTF-8 bytes of the text an article page shows: the rows between the title and
    the `below` rows at the bottom (newstui: the footer; newsboat: its key line and its
    message line), each stripped of blanks."""
    rows = term.screen.display[1:-below]
    return sum(len(row.strip().encode()) for row in rows)


#: The programs case 6 compares: newstui with the output layer (--output shadow, the
#: default, and with low bandwidth), newstui as it was before it (--output plain; same
#: run), newsboat.
CASE6_RUNS = {
    "newstui": ["--output", "shadow"],
    "newstui low": ["--output", "shadow", "--low-bandwidth"],
    "newstui plain": ["--output", "plain"],
    "newstui plain low": ["--output", "plain", "--low-bandwidth"],
    "newsboat": None,
}


def bytes_per_key(stores: Stores, moves: int = 5, pages: int = 3) -> list[Figure]:
    home = fresh_dir(SCRATCH / "home")
    top = fixtures.top_articles("21k")
    target = _page_target(top)
    needle = top[target]["headline"][:20]
    results: dict[str, tuple[list[int], list[int], list[int], str]] = {}
    for program, options in CASE6_RUNS.items():
        say(f"case 6: bytes per key, {program} 21k")
        if options is not None:
            env = clean_env(home)
            env.pop("SSH_CONNECTION", None)
            term = Terminal([*newstui_argv(), "--db", str(stores.get("21k")), *options], env)
            term.until_text(top[0]["headline"][:NEEDLE])
        else:
            term = launch_newsboat("21k")
            newsboat_to_list(term)
        try:
            term.settle(1.0)
            move = [_bytes_for(term, term.arrow("down"))[0] for _ in range(moves)]
            for _ in range(target - moves):
                term.send(term.arrow("down"))
                term.settle(0.2)
            term.send(ENTER)
            term.until_text(needle, 20)
            term.settle(1.0)
            page, text = [], []
            changed = True
            for _ in range(pages):
                count, moved = _bytes_for(term, PAGE_DOWN)
                page.append(count)
                text.append(_page_text_bytes(term, 1 if options is not None else 2))
                changed = changed and moved
            note = "" if changed else "a page down left the screen unchanged (end of article?)"
            results[program] = (move, page, text, note)
        finally:
            term.close()
    ours, low, theirs = results["newstui"], results["newstui low"], results["newsboat"]
    plain, plain_low = results["newstui plain"], results["newstui plain low"]
    article = f"article #{target} {top[target]['headline']!r}"

    def per_text(run: tuple[list[int], list[int], list[int], str]) -> float:
        return median([b / t for b, t in zip(run[1], run[2], strict=True) if t])

    return [
        Figure("6", "bytes written for one cursor move in the list (21k)", median(ours[0]),
               "B", median(theirs[0]), "newsboat, same key", 1.0,
               note=f"median of {moves}: newstui {ours[0]}, newsboat {theirs[0]}"),
        Figure("6", "bytes written for one page down in an article (21k)", median(ours[1]),
               "B", median(theirs[1]), "newsboat, same key", 1.0,
               note=(f"{article}; median of {pages}: "
                     f"newstui {ours[1]}, newsboat {theirs[1]} {ours[3]} {theirs[3]}").strip()),
        Figure("6", "page down: bytes ÷ UTF-8 bytes of the text the page shows",
               per_text(ours), "×", None, "", 1.25, absolute=True,
               note=f"text bytes per page {ours[2]}, bytes sent {ours[1]}"),
        Figure("6", "page down ÷ text bytes, newstui vs newsboat on its own page",
               per_text(ours), "×", per_text(theirs), "newsboat, bytes ÷ its page's text",
               note=f"newsboat: text bytes per page {theirs[2]}, bytes sent {theirs[1]}"),
        Figure("6", "low bandwidth: bytes for one cursor move in the list", median(low[0]),
               "B", median(theirs[0]), "newsboat, same key", 0.6,
               note=f"median of {moves}: {low[0]}"),
        Figure("6", "low bandwidth: page down ÷ UTF-8 bytes of the text the page shows",
               per_text(low), "×", None, "", 1.1, absolute=True,
               note=f"text bytes per page {low[2]}, bytes sent {low[1]}"),
        Figure("6", "cursor move, output layer vs --output plain", median(ours[0]), "B",
               median(plain[0]), "newstui --output plain, same run",
               note=f"plain {plain[0]}; low bandwidth {median(low[0]):.0f} B vs plain "
                    f"{median(plain_low[0]):.0f} B"),
        Figure("6", "page down, output layer vs --output plain", median(ours[1]), "B",
               median(plain[1]), "newstui --output plain, same run",
               note=f"plain {plain[1]}; low bandwidth {median(low[1]):.0f} B vs plain "
                    f"{median(plain_low[1]):.0f} B"),
    ]


# -- case 7 ---------------------------------------------------------------------------


def _cursor_index(term: Terminal, top: list[dict[str, Any]]) -> int | None:
    """Which article the cursor is on: the visible rows are matched against the list's
    order (the whole window, as copies of one headline look alike), then the row drawn
    on a different background is the cursor."""
    rows = term.line_styles()[1:-1]
    background = Counter(style for _text, style in rows).most_common(1)[0][0]
    cursor_rows = [i for i, (_t, style) in enumerate(rows) if style != background]
    listed = [i for i, (text, _s) in enumerate(rows) if text.strip()]
    if len(cursor_rows) != 1 or not listed:
        return None
    prefixes = [r["headline"][:25] for r in top]
    starts = [s for s in range(len(top) - len(listed))
              if all(prefixes[s + i] in rows[i][0] for i in listed)]
    if len(starts) != 1:
        return None
    return starts[0] + cursor_rows[0]


def held_down(stores: Stores, size: str, rate: float = 30.0, seconds: float = 3.0) -> list[Figure]:
    say(f"case 7: ↓ held in the {size} list")
    home = fresh_dir(SCRATCH / "home")
    top = fixtures.top_articles(size)
    presses = int(rate * seconds)
    term = launch_newstui(stores.get(size), home)
    try:
        term.until_text(top[0]["headline"][:NEEDLE])
        term.settle(1.0)
        start = time.perf_counter()
        last_key = start
        for i in range(presses):
            due = start + i / rate
            while (left := due - time.perf_counter()) > 0:
                term.pump(left)
            last_key = term.send(term.arrow("down"))
        settled = term.settle(1.0, 20)
        index = _cursor_index(term, top)
    finally:
        term.close()
    lag = max(0.0, settled - last_key)
    where = "could not be read off the screen" if index is None else f"row {index}"
    return [
        Figure("7", f"↓ held {seconds:.0f} s at {rate:.0f}/s ({size}): keys lost",
               None if index is None else float(presses - index), "keys", target=0.0,
               absolute=True, note=f"{presses} presses; the cursor ended on {where} "
                                   f"(expected row {presses})"),
        Figure("7", f"↓ held ({size}): last key to screen settled", lag, "s", target=0.100,
               absolute=True),
    ]


# -- case 8 ---------------------------------------------------------------------------

TYPED_QUERIES = ["cocoa", "interest rates", "gorbachev"]
TYPING_GAP = 0.12  # seconds between keystrokes: a brisk typist


def _totals(size: str) -> dict[str, int]:
    from newstui.archive import Archive

    cache = fixtures.CACHE / f"totals-{size}.json"
    if cache.exists():
        import json

        return json.loads(cache.read_text())
    archive = Archive.open(fixtures.copy_store(size, fresh_dir(SCRATCH / "totals")))
    totals = {q: archive.search(q, 1).total for q in TYPED_QUERIES}
    import json

    cache.write_text(json.dumps(totals))
    shutil.rmtree(SCRATCH / "totals", ignore_errors=True)
    return totals


def search_as_you_type(stores: Stores, sizes: list[str], reps: int) -> list[Figure]:
    home = fresh_dir(SCRATCH / "home")
    samples: dict[str, list[float]] = {}
    for size in sizes:
        say(f"case 8: search as you type, newstui {size}")
        totals = _totals(size)
        term = launch_newstui(stores.get(size), home)
        times = samples.setdefault(f"newstui {size}", [])
        try:
            term.until_text(fixtures.top_articles(size)[0]["headline"][:NEEDLE])
            term.settle(0.5)
            for _ in range(reps):
                for query in TYPED_QUERIES:
                    term.send("/")
                    term.until_text("Type to search")
                    term.settle(0.3)
                    last = 0.0
                    for position, char in enumerate(query):
                        last = term.send(char)
                        if position == len(query) - 1:
                            break  # after the last key, watch for the results at once
                        deadline = last + TYPING_GAP
                        while (left := deadline - time.perf_counter()) > 0:
                            term.pump(left)
                    count = f"{totals[query]:,} match"
                    shown = term.until_text(count, 30)
                    times.append(max(0.0, shown - last))
                    term.settle(0.3)
                    term.send(ESCAPE)
                    term.until_text("newest first")
                    term.settle(0.3)
        finally:
            term.close()
    say("case 8: search, newsboat 21k")
    term = launch_newsboat("21k")
    theirs = samples.setdefault("newsboat 21k", [])
    try:
        newsboat_to_list(term)
        term.settle(0.5)
        for _ in range(reps):
            for query in TYPED_QUERIES:
                term.send("/")
                term.until_text("Search for:")
                term.send(query)
                term.settle(0.3)
                pressed = term.send(ENTER)
                theirs.append(term.until_text("Search results", 30) - pressed)
                term.settle(0.3)
                term.send("q")
                term.until_text("Articles in feed")
                term.settle(0.3)
    finally:
        term.close()
    figures = []
    note = (f"{len(TYPED_QUERIES)} queries × {reps}, typed {TYPING_GAP * 1000:.0f} ms apart; "
            "newstui waits for its '{N} matches' line, newsboat for 'Search results' after Enter")
    if "21k" in sizes:
        figures.append(Figure("8", "search as you type: last key to results (21k)",
                              median(samples["newstui 21k"]), "s", median(theirs),
                              "newsboat 21k: Enter to results", 1.0, note=note,
                              samples=samples))
    if "106k" in sizes:
        figures.append(Figure("8", "search as you type: last key to results (106k)",
                              median(samples["newstui 106k"]), "s", median(theirs),
                              "newsboat 21k: Enter to results", 0.150, absolute=True,
                              note="target: ≤ 150 ms absolute"))
    return figures


# -- case 9 (issue 6) -----------------------------------------------------------------


def _reading_session(db: Path, home: Path, top: list[dict[str, Any]],
                     options: list[str]) -> tuple[int, int]:
    """Bytes for start-up, then for a scripted session: 20 moves, open an article, 5
    pages, a search, back."""
    env = clean_env(home)
    env.pop("SSH_CONNECTION", None)
    term = Terminal([*newstui_argv(), "--db", str(db), *options], env)
    try:
        term.until_text(top[0]["headline"][:NEEDLE])
        term.settle(1.0)
        startup = len(term.raw)
        for _ in range(20):
            term.send(term.arrow("down"))
            term.settle(0.1)
        term.send(ENTER)
        term.settle(0.5)
        for _ in range(5):
            term.send(PAGE_DOWN)
            term.settle(0.15)
        term.send("q")
        term.settle(0.3)
        term.send("/")
        term.settle(0.3)
        for key in "oil prices":
            term.send(key)
            term.settle(0.08)
        term.until_text("matches", 20)
        term.settle(0.5)
        term.send(ESCAPE)
        term.settle(0.5)
        session = len(term.raw) - startup
        term.send("q")
        term.settle(0.5)
    finally:
        term.close()
    return startup, session


def low_bandwidth(stores: Stores) -> list[Figure]:
    """Issue 6: the bytes a reading session sends, with and without --low-bandwidth;
    issue 14: with the output layer (--output shadow) and without it (--output plain)."""
    home = fresh_dir(SCRATCH / "home")
    top = fixtures.top_articles("21k")
    say("case 9: reading session, full and low bandwidth, output layer and plain")

    def session(name: str, options: list[str]) -> tuple[int, int]:
        # A store of its own per session: nothing left by the one before (a reader
        # still saving as it is stopped) can make this one wait.
        db = fixtures.copy_store("21k", fresh_dir(SCRATCH / f"case9-{name}"))
        return _reading_session(db, home, top, options)

    full = session("full", ["--no-low-bandwidth", "--output", "shadow"])
    low = session("low", ["--low-bandwidth", "--output", "shadow"])
    plain_full = session("plain-full", ["--no-low-bandwidth", "--output", "plain"])
    plain_low = session("plain-low", ["--low-bandwidth", "--output", "plain"])
    session = "20 moves, open an article, 5 pages down, search 'oil prices', back"
    return [
        Figure("9", "bytes for start-up, --low-bandwidth (21k)", low[0], "B", full[0],
               "newstui without it, same run", 0.5),
        Figure("9", "bytes for a reading session, --low-bandwidth (21k)", low[1], "B",
               full[1], "newstui without it, same run", 0.5, note=session),
        Figure("9", "reading session, output layer vs --output plain (21k)", full[1], "B",
               plain_full[1], "newstui --output plain, same run", 0.5, note=session),
        Figure("9", "reading session, --low-bandwidth, output layer vs plain (21k)", low[1],
               "B", plain_low[1], "newstui --low-bandwidth --output plain, same run", 0.5,
               note=session),
        Figure("9", "start-up, output layer vs --output plain (21k)", full[0], "B",
               plain_full[0], "newstui --output plain, same run",
               note=f"low bandwidth: {low[0]} B vs plain {plain_low[0]} B"),
    ]
