"""Hostile servers and files against `feeds` and `fetch` (review findings F5-F8 and the
rest of their classes), end to end against real servers on 127.0.0.1.

The classes, each tested as a whole:
- one feed's failure is that feed's line: whatever one server answers (absurd headers,
  broken compression, redirects nowhere, bytes that are not HTTP), and whatever goes
  wrong parsing or storing its items, the run goes on, the other feeds' articles are
  stored, and that feed gets one line; never a traceback;
- nothing a server, an OPML file or a hand-edited subscription list chose reaches the
  terminal raw: no escape sequence, C0/C1 control or bidi control in any feeds output,
  text or JSON;
- a malformed URL is one "not a URL" line, at `feeds add` and in an OPML import (the
  rest of the file is imported);
- the decoded body is bounded while it is decoded (a compression bomb never expands in
  memory past the cap).
"""

from __future__ import annotations

import gzip
import json
import socket
import socketserver
import subprocess
import sys
import threading
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import brotli  # type: ignore[import-untyped]
import orjson
import pytest
from support.feed_samples import rss2
from support.feed_server import FeedServer, Route

from newstui import cli
from newstui.archive import Archive
from newstui.feeds import fetching
from newstui.feeds.fetching import FetchConfig, FetchError, fetch, make_client
from newstui.feeds.subscriptions import SubscriptionList, feeds_path

ESC = "\x1b"
# Everything a terminal could act on or that reorders text: ESC, BEL, other C0 but
# newline, DEL, C1 (8-bit CSI/OSC/ST...), bidi embeddings/overrides/isolates, LRM/RLM.
FORBIDDEN = ({chr(c) for c in range(0x20)} - {"\n"}) | {chr(c) for c in range(0x7f, 0xa0)} \
    | set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NASTY = (f"{ESC}]0;PWNED{chr(7)}{ESC}[2J\u009b31m\u009d0;C1\u009c\u202eRLO\u2066 "
         "[@click=app.quit]Q[/]")

GOOD = [("g1", "Trawlers return", "The fleet is home."),
        ("g2", "Floods expected", "Rain in the valley."),
        ("g3", "Tram extension", "Council backs it.")]


def assert_inert(text: str | bytes, where: str = "") -> None:
    """No character a terminal would act on (in text or in UTF-8 bytes)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = sorted({f"U+{ord(c):04X}" for c in text if c in FORBIDDEN})
    assert not found, f"{where}: raw {found} in {text!r}"


# -- a server that answers raw bytes -----------------------------------------------------

class RawServer:
    """Answers each path with the bytes a test sets (`routes[path] = b"HTTP/1.1 ..."`,
    or a callable writing to the socket itself), on 127.0.0.1. Whatever HTTP forbids
    is allowed here."""

    def __init__(self) -> None:
        self.routes: dict[str, bytes | Callable[[socket.socket], None]] = {}
        self.stop = threading.Event()
        routes = self.routes

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                conn: socket.socket = self.request
                conn.settimeout(10)
                data = b""
                try:
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        more = conn.recv(4096)
                        if not more:
                            return
                        data += more
                    path = data.split(b" ", 2)[1].decode("latin-1")
                    answer = routes.get(path, b"HTTP/1.1 404 Not Found\r\n"
                                        b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                    if callable(answer):
                        answer(conn)
                    else:
                        conn.sendall(answer)
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> RawServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def response(status: bytes = b"200 OK", headers: list[tuple[bytes, bytes]] | None = None,
             body: bytes = b"", length: bool = True) -> bytes:
    lines = [b"HTTP/1.1 " + status]
    for name, value in headers or []:
        lines.append(name + b": " + value)
    if length:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


FEED = rss2(GOOD[:1], title="Raw").replace(b"g1", b"r1")
RSS = [(b"Content-Type", b"application/rss+xml")]

# name -> the raw answer. Each is one feed's problem; none may be the run's.
HOSTILE: dict[str, bytes] = {
    "retry-after-huge": response(b"429 Too Many Requests",
                                 [(b"Retry-After", b"99999999999999999999")]),
    "retry-after-superscript": response(b"429 Too Many Requests",
                                        [(b"Retry-After", "²".encode())]),
    "retry-after-arabic-digit": response(b"503 Service Unavailable",
                                         [(b"Retry-After", "٣".encode())]),
    "retry-after-year-9999": response(b"503 Service Unavailable",
                                      [(b"Retry-After", b"Fri, 31 Dec 9999 23:59:59 -1200")]),
    "retry-after-negative": response(b"429 Too Many Requests", [(b"Retry-After", b"-5")]),
    "retry-after-long": response(b"429 Too Many Requests", [(b"Retry-After", b"9" * 5000)]),
    "reason-escapes": response(b"500 Oops " + NASTY.encode(), body=b"x"),
    "reason-latin1": response(b"500 Caf\xe9 \x9b2J\xff", body=b"x"),
    "content-length-superscript": response(b"200 OK",
                                           [(b"Content-Length", "²".encode())], FEED,
                                           length=False),
    "content-length-huge": response(b"200 OK", [(b"Content-Length", b"9" * 40)], FEED,
                                    length=False),
    "gzip-garbage": response(b"200 OK", [*RSS, (b"Content-Encoding", b"gzip")],
                             b"\x1f\x8b\x08\x00garbage" + b"\x00" * 50),
    "brotli-truncated": response(b"200 OK", [*RSS, (b"Content-Encoding", b"br")],
                                 brotli.compress(FEED)[:-5]),
    "encoding-unknown": response(b"200 OK", [*RSS, (b"Content-Encoding", b"zstd")], FEED),
    "encoding-escapes": response(b"200 OK", [*RSS, (b"Content-Encoding",
                                                    b"x\x1b]0;T\x07")], FEED),
    "redirect-escapes": response(b"301 Moved", [(b"Location",
                                                 b"/f.xml?\x1b]0;L\x07\x1b[2J")]),
    "redirect-javascript": response(b"301 Moved", [(b"Location", b"javascript:alert(1)")]),
    "redirect-bad-ipv6": response(b"301 Moved", [(b"Location", b"http://[::1/f.xml")]),
    "redirect-nowhere": response(b"302 Found"),
    "header-huge": response(b"200 OK", [*RSS, (b"X-Pad", b"a" * 200_000)], FEED),
    "header-many": response(b"200 OK", [*RSS, *[(b"X-%d" % i, b"v") for i in range(3000)]],
                            FEED),
    "etag-not-ascii": response(b"200 OK", [*RSS, (b"ETag", '"caf\u00e9\u202e"'.encode()),
                                           (b"Last-Modified", b"\xff\xfe\x1b[2J")], FEED),
    "status-not-a-number": b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
    "status-huge": b"HTTP/1.1 99999999999999999999 OK\r\nContent-Length: 0\r\n\r\n",
    "not-http": b"SSH-2.0-OpenSSH_9.6\r\n" + NASTY.encode() + b"\r\n",
    "nothing": b"",
    "body-short": response(b"200 OK", [*RSS, (b"Content-Length", b"5000")], FEED,
                           length=False),
    "body-binary": response(b"200 OK", [*RSS], b"\x00\x01\x02\xff\xfe" * 100),
    "charset-bogus": response(b"200 OK", [(b"Content-Type",
                                           b"application/rss+xml; charset=\x1b[31mx-nope")],
                              FEED.replace(b"utf-8", b"x-nope-\xff")),
    "feed-escapes": response(b"200 OK", RSS, rss2(
        [("e1", NASTY, NASTY)], title=NASTY).replace(b"&", b"&amp;")),
}


@pytest.fixture
def raw() -> Iterator[RawServer]:
    with RawServer() as running:
        yield running


@pytest.fixture
def good() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.routes["/good.xml"] = Route(rss2(GOOD, title="Good"))
        yield running


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "articles.json"


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def guids(db: Path) -> set[str | None]:
    return {a.guid for a in Archive.open(db).store.articles()}


def subscribe(db: Path, *urls_and_names: tuple[str, str]) -> None:
    subs = SubscriptionList(db)
    with subs.changing():
        for url, name in urls_and_names:
            subs.add(url, name)


# -- F5: one feed's failure is that feed's line --------------------------------------------

@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_one_hostile_server_is_one_line_and_the_others_are_stored(
        case: str, raw: RawServer, good: FeedServer, db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    raw.routes["/f.xml"] = HOSTILE[case]
    subscribe(db, (good.url("/good.xml"), "good"), (raw.url("/f.xml"), case))
    code, out, err = run(db, capsys, "fetch", "--timeout", "5")
    assert "Traceback" not in out + err
    assert_inert(out, "stdout")
    assert_inert(err, "stderr")
    assert {"g1", "g2", "g3"} <= guids(db)  # the good feed's articles are stored
    mine = [line for line in out.splitlines() if line.startswith(("failed: ", "deferred: "))]
    assert all(f": {case}: " in line or line.startswith(f"failed: {case}:")
               for line in mine), out
    assert len(mine) <= 1, out
    assert out.splitlines()[-1].startswith("fetched ")
    assert code == (1 if mine else 0)
    # The same through --json (and a second run: what the first stored is readable).
    code, out, err = run(db, capsys, "fetch", "--timeout", "5", "--json")
    assert "Traceback" not in out + err
    assert_inert(out, "--json")
    report = json.loads(out)
    assert {f["name"] for f in report["feeds"]} == {"good", case}
    code, out, err = run(db, capsys, "feeds", "list")
    assert code == 0 and "Traceback" not in out + err
    assert_inert(out, "feeds list")
    code, out, err = run(db, capsys, "feeds", "list", "--json")
    assert code == 0
    assert_inert(out, "feeds list --json")
    assert len(json.loads(out)) == 2


def test_retry_after_is_honoured_and_capped_at_a_week(
        raw: RawServer, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw.routes["/f.xml"] = HOSTILE["retry-after-huge"]
    subscribe(db, (raw.url("/f.xml"), "f"))
    code, out, _ = run(db, capsys, "fetch")
    assert code == 1 and "failed: f: 429 Too Many Requests; will not ask again before" in out
    (sub,) = SubscriptionList(db)
    from datetime import datetime, timedelta, timezone

    until = datetime.fromisoformat(sub.retry_after or "")
    assert until <= datetime.now(timezone.utc) + timedelta(days=7, minutes=1)
    code, out, _ = run(db, capsys, "fetch")
    assert "deferred: f: the server asked to wait until" in out


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "٣", "-5", "1e9", "9" * 5000,
                                   "Fri, 31 Dec 9999 23:59:59 -1200", "Mon, 01 Jan 0001 00:00",
                                   "\x1b[2J", ""])
def test_parse_retry_after_never_raises(value: str) -> None:
    from datetime import datetime, timedelta, timezone

    now = datetime(2026, 11, 30, tzinfo=timezone.utc)
    when = fetching.parse_retry_after(value, now)
    assert when is None or when <= now + timedelta(days=7)


def test_a_bug_in_one_feeds_parse_fails_that_feed_only(
        good: FeedServer, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    good.routes["/bad.xml"] = Route(rss2([("b1", "Bad", "x")], title="Bad"))
    subscribe(db, (good.url("/good.xml"), "good"), (good.url("/bad.xml"), "bad"))
    from newstui.feeds import update

    real = update.parse_feed

    def parse(data: bytes, feed_id: str, *args: object, **kwargs: object) -> object:
        if feed_id.endswith("/bad.xml"):
            raise RuntimeError(f"planted bug {ESC}]0;T{chr(7)}")
        return real(data, feed_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(update, "parse_feed", parse)
    code, out, err = run(db, capsys, "fetch")
    assert code == 1 and "Traceback" not in out + err
    assert "failed: bad: unexpected error (RuntimeError: planted bug)" in out
    assert guids(db) == {"g1", "g2", "g3"}
    assert_inert(out)


def test_a_feed_whose_articles_cannot_be_stored_fails_alone_and_is_fetched_whole_again(
        good: FeedServer, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    good.routes["/bad.xml"] = Route(rss2([("b1", "Bad", "x")], title="Bad"))
    subscribe(db, (good.url("/good.xml"), "good"), (good.url("/bad.xml"), "bad"))
    real = Archive.upsert

    def upsert(self: Archive, articles: list) -> object:
        if any(a.guid == "b1" for a in articles):
            raise ValueError("planted: this record cannot be written")
        return real(self, articles)

    monkeypatch.setattr(Archive, "upsert", upsert)
    code, out, err = run(db, capsys, "fetch")
    assert code == 1 and "Traceback" not in out + err
    assert "failed: bad: articles not stored: unexpected error (ValueError: planted" in out
    assert guids(db) == {"g1", "g2", "g3"}
    # Its validators were not kept: the next fetch asks for the whole feed, not a 304.
    monkeypatch.setattr(Archive, "upsert", real)
    good.requests.clear()
    code, out, _ = run(db, capsys, "fetch")
    assert code == 0
    bad = [r for r in good.requests if r.path == "/bad.xml"]
    assert bad and "if-none-match" not in bad[0].headers
    assert "b1" in guids(db)


def test_validators_a_server_sent_in_bytes_httpx_cannot_send_back_are_not_kept(
        raw: RawServer, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw.routes["/f.xml"] = HOSTILE["etag-not-ascii"]
    subscribe(db, (raw.url("/f.xml"), "f"))
    for _ in range(2):  # the second run sent them back and failed, before
        code, out, err = run(db, capsys, "fetch")
        assert code == 0 and "Traceback" not in out + err, out + err
    (sub,) = SubscriptionList(db)
    assert sub.etag is None and sub.last_modified is None


# -- the reader's background fetch (r) -----------------------------------------------------

def test_the_readers_background_fetch_reports_instead_of_raising(
        raw: RawServer, good: FeedServer, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newstui.feeds.reader import BackgroundFetch

    raw.routes["/f.xml"] = HOSTILE["retry-after-huge"]
    raw.routes["/r.xml"] = HOSTILE["reason-escapes"]
    subscribe(db, (good.url("/good.xml"), "good"), (raw.url("/f.xml"), "f"),
              (raw.url("/r.xml"), "r"))
    monkeypatch.setenv("NEWSTUI_FETCH_TIMEOUT", "5")
    fetcher = BackgroundFetch(Archive.open(db))
    summary = fetcher.run(lambda done, total, label: None)
    assert summary.startswith("fetched 1 feed(s): 3 new")
    assert "f: 429 Too Many Requests" in summary and "r: 500 Oops" in summary
    assert_inert(summary.replace("\n", " "))
    # Anything else going wrong (here: the store refusing the write) is said, not raised.
    def refuse(self: Archive, articles: list) -> object:
        raise RuntimeError(f"planted {ESC}[2J")

    monkeypatch.setattr(Archive, "upsert", refuse)
    good.routes["/good.xml"] = Route(rss2([*GOOD, ("g4", "New", "x")], title="Good"))
    summary = fetcher.run(lambda done, total, label: None)
    assert "failed" in summary and "planted" in summary
    assert_inert(summary.replace("\n", " "))
    from newstui.feeds import update

    monkeypatch.setattr(update, "_fetch_all", None)
    summary = fetcher.run(lambda done, total, label: None)
    assert summary.startswith("the fetch failed\n")
    assert not fetcher.running


# -- F6/F8: nothing raw in any feeds output ------------------------------------------------

def nasty_opml() -> bytes:
    def ref(text: str) -> str:  # what XML can carry: C1 and bidi as character references
        return "".join(f"&#x{ord(c):x};" if ord(c) >= 0x80 or c in "&<>\"" else c
                       for c in text)

    c1 = "Folder \u009d0;OPMLTITLE\u009c \u009b2J \u202edlof"
    return (f"""<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
<outline text="{ref(c1)}">
  <outline text="T{ref(chr(0x202e))}rlo" title="T{ref(chr(0x202e))}rlo [b]x[/b]"
           xmlUrl="http://a.test/1.xml" category="/a/{ref(chr(0x9b))}31mred,/b{ref(chr(0x2066))}"/>
  <outline text="v6" xmlUrl="http://[::1"/>
  <outline text="port" xmlUrl="http://b.test:99999/x"/>
  <outline text="js" xmlUrl="javascript:alert(1)"/>
  <outline text="{ref(chr(0x85))}nl" xmlUrl="http://c.test/2.xml"/>
</outline></body></opml>""").encode()


def test_opml_names_folders_and_categories_are_cleaned_and_shown_inert(
        tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    opml = tmp_path / "evil.opml"
    opml.write_bytes(nasty_opml())
    code, out, err = run(db, capsys, "feeds", "import", str(opml))
    assert code == 1  # some outlines were skipped
    assert "subscribed to 2 feed(s)" in out
    assert f"{opml}: skipped: not a URL: http://[::1" in err
    assert f"{opml}: skipped: not a URL: http://b.test:99999/x" in err
    assert "skipped: not an http or https URL: javascript:alert(1)" in err
    assert "Traceback" not in err
    assert_inert(out + err)
    stored = orjson.loads(feeds_path(db).read_bytes())["feeds"]
    assert_inert(json.dumps(stored, ensure_ascii=False), "the subscription list")
    assert stored[0]["name"] == "Trlo [b]x[/b]"
    # The 8-bit OSC and CSI go whole (up to their terminator), the bidi override alone.
    assert stored[0]["folders"] == ["Folder dlof", "a/red", "b"]
    for args in (["feeds", "list"], ["feeds", "list", "--json"], ["feeds", "export"]):
        code, out, err = run(db, capsys, *args)
        assert code == 0
        assert_inert(out + err, " ".join(args))
    # The export reads back to the same list.
    exported = tmp_path / "out.opml"
    exported.write_text(out)
    again = tmp_path / "again.json"
    code, _, _ = run(again, capsys, "feeds", "import", str(exported))
    assert code == 0
    assert [(s.url, s.name, s.folders) for s in SubscriptionList(again)] == \
        [(s.url, s.name, s.folders) for s in SubscriptionList(db)]


def test_name_and_folder_given_on_the_command_line_are_cleaned(
        db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(db, capsys, "feeds", "add", "http://a.test/f.xml", "--name",
                         f"n{ESC}[2Jame\u202e", "--folder", "News/\u009b31mWorld")
    assert code == 0
    assert_inert(out + err)
    (sub,) = SubscriptionList(db)
    assert (sub.name, sub.folders) == ("name", ["News/World"])


def test_a_hand_edited_subscription_list_is_shown_inert_and_does_not_crash(
        good: FeedServer, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As an older release (or a hand edit) could have left it: raw escapes in every
    text field, fields of the wrong type, an unusable URL."""
    path = feeds_path(db)
    path.write_bytes(orjson.dumps({"format": 1, "feeds": [
        {"url": good.url("/good.xml"), "name": NASTY, "folders": [NASTY, 5],
         "last_error": f"500 {NASTY}", "failures": "x", "retry_after": 7,
         "last_fetched": NASTY, "etag": 5, "gone": "no"},
        {"url": "http://[::1", "name": "v6", "title": NASTY},
        {"url": f"http://x.test/{ESC}[2J", "name": None, "title": NASTY},
    ]}))
    for args in (["feeds", "list"], ["feeds", "list", "--json"], ["feeds", "export"],
                 ["fetch", "--timeout", "5"], ["fetch", "--json", "--timeout", "5"]):
        _code, out, err = run(db, capsys, *args)
        assert "Traceback" not in out + err, args
        assert_inert(out + err, " ".join(args))
    assert {"g1", "g2", "g3"} <= guids(db)


# -- F7: malformed URLs ------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://[::1", "http://[::1]:99999/", "http://a.test:x/",
                                 "http://[zz]/", "http:///nohost", "https://:80/",
                                 f"http://a.test/{ESC}]0;T{chr(7)}", "http://a.test/\u202e",
                                 "http://a.test/" + "x" * 5000, "ftp://a.test/f"])
def test_feeds_add_refuses_a_malformed_url_in_one_line(
        url: str, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(db, capsys, "feeds", "add", url)
    assert code == 2 and not out
    assert err.count("\n") == 1 and err.startswith("newstui: ")
    assert "URL" in err
    assert_inert(err)
    assert len(err) < 400


# -- F6 with the real terminal bytes (a subprocess) -----------------------------------------

def test_fetch_and_feeds_list_write_no_raw_bytes(raw: RawServer, good: FeedServer, db: Path,
                                                 tmp_path: Path) -> None:
    raw.routes["/r.xml"] = HOSTILE["reason-escapes"]
    raw.routes["/t.xml"] = HOSTILE["feed-escapes"]
    subscribe(db, (good.url("/good.xml"), "good"), (raw.url("/r.xml"), "reason"),
              (raw.url("/t.xml"), ""))
    for args in (["fetch", "--timeout", "5"], ["feeds", "list"], ["fetch", "--json"],
                 ["feeds", "list", "--json"], ["feeds", "export"]):
        done = subprocess.run([sys.executable, "-m", "newstui", "--db", str(db), *args],
                              capture_output=True, timeout=120, cwd=tmp_path,
                              stdin=subprocess.DEVNULL)
        assert b"Traceback" not in done.stderr, done.stderr
        assert_inert(done.stdout, " ".join(args))
        assert_inert(done.stderr, " ".join(args))
        if args == ["feeds", "list"]:
            assert b"failed: 500 Oops" in done.stdout
            assert b"[@click=app.quit]Q[/]" in done.stdout  # text stays text


# -- one deadline for the whole request ---------------------------------------------------

def dripping(part: str, stop: threading.Event) -> Callable[[socket.socket], None]:
    """A server that keeps every read short of httpx's per-read timeout: the status
    line, the headers or the body a few bytes at a time (for a minute at most, so that
    code without a deadline fails this test rather than hanging it)."""
    def answer(conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        if part == "status":
            for byte in head:
                if stop.wait(0.2):
                    return
                conn.sendall(bytes([byte]))
            conn.sendall(b"Content-Length: 0\r\n\r\n")
            return
        if part == "headers":
            conn.sendall(head)
            for n in range(300):
                if stop.wait(0.2):
                    return
                conn.sendall(b"X-%d: y\r\n" % n)
            conn.sendall(b"Content-Length: 0\r\n\r\n")
            return
        conn.sendall(head + b"Content-Length: %d\r\n\r\n" % len(FEED))
        for byte in FEED:
            if stop.wait(0.2):
                return
            conn.sendall(bytes([byte]))
    return answer


@pytest.mark.parametrize("part", ["status", "headers", "body"])
def test_a_server_that_drips_is_cut_off_at_the_timeout(
        part: str, raw: RawServer, good: FeedServer, db: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    raw.routes["/drip"] = dripping(part, raw.stop)
    subscribe(db, (good.url("/good.xml"), "good"), (raw.url("/drip"), "drip"))
    code, out, err = run(db, capsys, "fetch", "--timeout", "2")
    assert code == 1 and "Traceback" not in out + err
    (line,) = [line for line in out.splitlines() if line.startswith("failed: ")]
    assert line.startswith("failed: drip: ") and "timed out" in line, line
    assert {"g1", "g2", "g3"} <= guids(db)


def test_every_pool_of_the_client_obeys_the_deadline() -> None:
    """The deadline is put into httpx's pools by hand (httpx has no option for it): a
    newer httpx built otherwise must fail here, not quietly lose the deadline."""
    with make_client(FetchConfig()) as client:
        assert fetching._obey_deadlines(client)


# -- the body is bounded while it is decoded -------------------------------------------------

ZEROS = 64 * 1024 * 1024


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, br"])
def test_a_compression_bomb_never_expands_past_the_cap_in_memory(
        encoding: str, raw: RawServer) -> None:
    def compress(name: str, data: bytes) -> bytes:
        if name == "gzip":
            return gzip.compress(data, 9)
        if name == "deflate":
            return zlib.compress(data, 9)
        return brotli.compress(data, quality=5)

    body = b"\0" * ZEROS
    for name in [n.strip() for n in encoding.split(",")]:
        body = compress(name, body)
    raw.routes["/bomb"] = response(b"200 OK", [*RSS, (b"Content-Encoding",
                                                      encoding.encode())], body)
    config = FetchConfig(timeout=30, max_bytes=1024 * 1024)
    with make_client(config) as client:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="too large"):
                fetch(client, raw.url("/bomb"), config)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # httpx's own decoders hand back all one read expands to: 64 MiB here.
    assert peak < 16 * config.max_bytes, f"peak {peak:,} bytes"


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "deflate-raw", "br",
                                      "gzip, br", "identity", ""])
def test_compressed_feeds_still_read(encoding: str, raw: RawServer) -> None:
    body = FEED
    for name in [n.strip() for n in encoding.split(",") if n.strip()]:
        if name in ("gzip", "x-gzip"):
            body = gzip.compress(body)
        elif name == "deflate":
            body = zlib.compress(body)
        elif name == "deflate-raw":
            squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            body = squeezer.compress(body) + squeezer.flush()
        elif name == "br":
            body = brotli.compress(body)
    header = encoding.replace("deflate-raw", "deflate").encode()
    raw.routes["/f"] = response(b"200 OK", [*RSS, (b"Content-Encoding", header)], body)
    config = FetchConfig(timeout=30)
    with make_client(config) as client:
        got = fetch(client, raw.url("/f"), config)
    assert got.body == FEED


# -- feedparser's own failures (found by fuzzing parse_feed) ---------------------------------

def _rss_with(title: bytes, declaration: bytes = b'<?xml version="1.0" encoding="utf-8"?>'
              ) -> bytes:
    return (declaration + b'<rss version="2.0"><channel><title>T</title><item><title>'
            + title + b"</title><guid isPermaLink='false'>x1</guid>"
            b"<description>Body.</description></item></channel></rss>")


# name -> (the feed's bytes, whether its item is read; None: read or refused, either way
# in one line; which depends on the charset the server or the file gives)
CRASHERS: dict[str, tuple[bytes, bool | None]] = {
    "charref-surrogate": (_rss_with(b"A &#xd800; b"), True),
    "charref-beyond-unicode": (_rss_with(b"A &#x110000; b"), True),
    "charref-huge": (_rss_with(b"A &#99999999999999999999; b"), True),
    "encoding-name-not-ascii": (_rss_with(b"Caf\xe9", b'<?xml version="1.0" '
                                          b'encoding="ut\xe9f-8"?>'), None),
    "encoding-name-nul": (_rss_with(b"x", b'<?xml version="1.0" encoding="utf\x00-8"?>'),
                          None),
}


@pytest.mark.parametrize("case", sorted(CRASHERS))
def test_feeds_that_crashed_feedparser_are_read_or_refused_in_one_line(
        case: str, good: FeedServer, db: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    data, readable = CRASHERS[case]
    good.routes["/c.xml"] = Route(data)
    subscribe(db, (good.url("/good.xml"), "good"), (good.url("/c.xml"), "c"))
    code, out, err = run(db, capsys, "fetch")
    assert "Traceback" not in out + err and "unexpected error" not in out
    read = "x1" in guids(db)
    assert read == readable or readable is None
    assert code == (0 if read else 1)
    if not read:
        assert "failed: c: not a feed" in out
    # The same bytes saved to a file and imported.
    saved = tmp_path / "saved.xml"
    saved.write_bytes(data)
    code, out, err = run(tmp_path / "imported.json", capsys, "import", str(saved))
    assert "Traceback" not in out + err
    assert code in ((0,) if readable else (1,) if readable is False else (0, 1)), out + err
    if code:
        assert err.count("\n") == 1 and "saved.xml" in err


def test_feeds_import_reads_no_more_than_its_limit(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file that does not end (/dev/zero, a runaway pipe) is refused after the limit.
    A FIFO fed up to 64 MiB stands in for it (a regression must not eat the machine's
    memory: reading /dev/zero whole got the test process OOM-killed at 20 GB)."""
    import os

    fifo = tmp_path / "endless.opml"
    os.mkfifo(fifo)
    written = 0

    def feed() -> None:
        nonlocal written
        chunk = b"\0" * (1024 * 1024)
        try:
            with fifo.open("wb") as pipe:
                while written < 64 * 1024 * 1024:
                    pipe.write(chunk)
                    written += len(chunk)
        except BrokenPipeError:  # the reader stopped: what we want
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    code, out, err = run(db, capsys, "feeds", "import", str(fifo))
    writer.join(30)
    assert code == 1 and not out
    assert err == f"newstui: {fifo}: too large for a subscription list (over 16 MiB)\n"
    assert written < 24 * 1024 * 1024  # stopped reading at 16 MiB (plus the pipe's buffer)


def test_a_full_text_page_that_breaks_the_extractor_keeps_the_feeds_text(
        good: FeedServer, db: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    good.routes["/page"] = Route(b"<html><body><p>Page</p></body></html>",
                                 content_type="text/html")
    good.routes["/ft.xml"] = Route(rss2([("f1", "Full", "Feed text.")], title="FT").replace(
        b"http://example.test/f1", good.url("/page").encode()))
    code, _, _ = run(db, capsys, "feeds", "add", good.url("/ft.xml"), "--name", "ft",
                     "--full-text")
    assert code == 0
    from newstui.feeds import fulltext

    def broken(*args: object, **kwargs: object) -> object:
        raise RecursionError("planted: the extractor gave up")

    monkeypatch.setattr(fulltext, "extract_article", broken)
    code, out, err = run(db, capsys, "fetch")
    assert code == 0 and "Traceback" not in out + err
    assert "warning: ft: full text not found for 1 item(s); kept the feed's text" in err
    (article,) = Archive.open(db).store.articles()
    assert article.body == ("Feed text.",)


@pytest.mark.parametrize("kind", ["fifo", "folder"])
@pytest.mark.parametrize("args", [["feeds", "list"], ["feeds", "add", "http://a.test/f"],
                                  ["fetch"]])
def test_something_else_at_the_subscription_lists_path_is_one_line(
        kind: str, args: list[str], db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FIFO there hung every feeds command (and the reader's feeds screen) until
    something wrote to it."""
    import os

    path = feeds_path(db)
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    code, out, err = run(db, capsys, *args)
    assert code == 2 and not out
    reason = "not a regular file (a FIFO, socket or device)" if kind == "fifo" \
        else "is a directory"
    assert err == f"newstui: {path}: cannot read the subscriptions: {reason}\n"
