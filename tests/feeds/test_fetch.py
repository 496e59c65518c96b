"""`newstui feeds ...` and `newstui fetch` end to end, against a real HTTP server on
127.0.0.1 (no mocked transport)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.feed_samples import (
    ATOM,
    BROKEN,
    ENTITY_BOMB,
    RSS091,
    RSS1,
    RSS2_RICH,
    WRONG_ENCODING,
    oversized,
    rss2,
)
from support.feed_server import FeedServer, Route

from newstui import cli
from newstui.archive import Archive
from newstui.article import ReadingState
from newstui.feeds.subscriptions import SubscriptionList


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "articles.json"


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def fetch(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code, out, err = run(db, capsys, "fetch", "--json", "--timeout", "1", *args)
    return code, json.loads(out), err


def articles(db: Path) -> list:
    return list(Archive.open(db).store.articles())


ITEMS = [("g1", "Trawlers return", "The fleet is home."),
         ("g2", "Floods expected", "Rain in the valley."),
         ("g3", "Tram extension", "Council backs it.")]


def test_subscribe_fetch_again_edit_and_disappear(server: FeedServer, db: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/news.xml"] = Route(rss2(ITEMS))
    code, out, _ = run(db, capsys, "feeds", "add", server.url("/news.xml"), "--name", "harbour")
    assert code == 0 and "subscribed" in out
    assert not server.requests  # adding does not fetch

    code, report, _ = fetch(db, capsys)
    assert code == 0
    assert (report["fetched"], report["new"], report["updated"]) == (1, 3, 0)
    stored = {a.guid: a for a in articles(db)}
    assert set(stored) == {"g1", "g2", "g3"}
    assert stored["g1"].feed == server.url("/news.xml")
    assert stored["g1"].url == "http://example.test/g1"
    assert "newstui/" in server.requests[-1].headers["user-agent"]

    # Nothing changed: a conditional request, a 304, nothing parsed or added.
    code, report, _ = fetch(db, capsys)
    assert code == 0 and report["not_modified"] == 1 and report["new"] == 0
    assert server.requests[-1].headers.get("if-none-match")
    assert server.requests[-1].headers.get("if-modified-since")

    # Mark one read, then edit it in the feed: one article updated, state kept.
    archive = Archive.open(db)
    archive.store.set_state(stored["g1"].id, ReadingState(read=True, starred=True))
    edited = [("g1", "Trawlers return early", "The fleet is home, a day early."), *ITEMS[1:]]
    server.routes["/news.xml"] = Route(rss2(edited))
    code, report, _ = fetch(db, capsys)
    assert code == 0 and (report["new"], report["updated"]) == (0, 1)
    after = {a.guid: a for a in articles(db)}
    assert len(after) == 3
    assert after["g1"].headline == "Trawlers return early"
    assert after["g1"].id == stored["g1"].id
    assert Archive.open(db).store.state(stored["g1"].id).starred

    # An item that disappears from the feed stays in the archive.
    server.routes["/news.xml"] = Route(rss2(edited[1:]))
    code, report, _ = fetch(db, capsys)
    assert code == 0 and report["new"] == 0
    assert len(articles(db)) == 3

    code, out, _ = run(db, capsys, "feeds", "list", "--json")
    (row,) = json.loads(out)
    assert (row["name"], row["articles"], row["unread"]) == ("harbour", 3, 2)
    assert row["last_fetched"] and row["error"] is None


@pytest.mark.parametrize("document", [RSS2_RICH, RSS1, RSS091, ATOM],
                         ids=["rss2", "rss1", "rss091", "atom"])
def test_every_format_arrives(server: FeedServer, db: Path, document: bytes,
                              capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/f"] = Route(document, content_type="application/xml")
    run(db, capsys, "feeds", "add", server.url("/f"))
    code, report, _ = fetch(db, capsys)
    assert code == 0 and report["new"] >= 1


def test_redirects_permanent_updates_the_url(server: FeedServer, db: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/new.xml"] = Route(rss2(ITEMS))
    server.routes["/moved"] = Route(status=301, location=server.url("/new.xml"))
    server.routes["/perm"] = Route(status=308, location=server.url("/new.xml"))
    server.routes["/temp"] = Route(status=302, location=server.url("/new.xml"))
    for path in ("/moved", "/perm", "/temp"):
        run(db, capsys, "feeds", "add", server.url(path))
    code, report, _ = fetch(db, capsys)
    assert code == 0 and report["fetched"] == 3
    urls = [s.url for s in SubscriptionList(db)]
    assert urls == [server.url("/new.xml"), server.url("/new.xml"), server.url("/temp")]
    # Identity stays with the first URL: the next fetch adds nothing.
    code, report, _ = fetch(db, capsys)
    assert report["new"] == 0 and len(articles(db)) == 9


def test_failures_are_named_and_exit_1(server: FeedServer, db: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/ok.xml"] = Route(rss2(ITEMS))
    server.routes["/gone"] = Route(status=410)
    run(db, capsys, "feeds", "add", server.url("/ok.xml"))
    run(db, capsys, "feeds", "add", server.url("/missing"))
    run(db, capsys, "feeds", "add", server.url("/gone"))
    code, out, _ = run(db, capsys, "fetch", "--timeout", "1")
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("failed: ") and "404" in line for line in lines)
    assert any("410" in line and "gone" in line for line in lines)
    assert lines[-1].startswith("fetched 1 feed(s): 3 new")
    assert "2 failed" in lines[-1]
    # Gone is never fetched again; 404 is tried again (named, so no back-off).
    before = len(server.requests)
    code, report, _ = fetch(db, capsys)
    assert report["gone"] == 1
    assert all(r.path != "/gone" for r in server.requests[before:])


def test_retry_after_is_honoured(server: FeedServer, db: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/busy"] = Route(status=429, headers={"Retry-After": "3600"})
    server.routes["/down"] = Route(status=503, headers={"Retry-After": "120"})
    run(db, capsys, "feeds", "add", server.url("/busy"))
    run(db, capsys, "feeds", "add", server.url("/down"))
    code, report, _ = fetch(db, capsys)
    assert code == 1 and report["failed"] == 2
    before = len(server.requests)
    code, out, _ = run(db, capsys, "fetch", "--timeout", "1")
    assert code == 0
    assert len(server.requests) == before  # neither was asked again
    assert out.count("deferred: ") == 2 and "asked to wait until" in out
    (busy, _down) = SubscriptionList(db)
    assert busy.retry_after and busy.failures == 1


def test_repeated_failures_back_off(server: FeedServer, db: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    run(db, capsys, "feeds", "add", server.url("/missing"))
    fetch(db, capsys)
    fetch(db, capsys)  # the second failure in a row starts the back-off
    before = len(server.requests)
    _code, report, _ = fetch(db, capsys)
    assert report["deferred"] == 1 and len(server.requests) == before
    # Naming the feed fetches it anyway.
    fetch(db, capsys, server.url("/missing"))
    assert len(server.requests) == before + 1


def test_gzip_and_wrong_encoding(server: FeedServer, db: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/gz"] = Route(rss2(ITEMS), gzip=True)
    server.routes["/latin"] = Route(WRONG_ENCODING, content_type="application/rss+xml")
    run(db, capsys, "feeds", "add", server.url("/gz"))
    run(db, capsys, "feeds", "add", server.url("/latin"))
    code, report, _err = fetch(db, capsys)
    assert code == 0 and report["new"] == 4
    assert "gzip" in server.requests[0].headers["accept-encoding"]
    assert "Café opens" in {a.headline for a in articles(db)}


def test_hanging_server_does_not_hold_up_the_others(server: FeedServer, db: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/hang"] = Route(hang=True)
    server.routes["/ok.xml"] = Route(rss2(ITEMS))
    run(db, capsys, "feeds", "add", server.url("/hang"))
    run(db, capsys, "feeds", "add", server.url("/ok.xml"))
    started = time.monotonic()
    code, report, _ = fetch(db, capsys)  # --timeout 1
    assert time.monotonic() - started < 20  # bounded by the timeout, not the server
    assert code == 1 and report["new"] == 3
    (failure,) = [f for f in report["feeds"] if f["outcome"] == "failed"]
    assert "timed out" in failure["reason"]


def test_entity_bomb_oversized_and_broken(server: FeedServer, db: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/bomb"] = Route(ENTITY_BOMB)
    server.routes["/big"] = Route(oversized(50))
    server.routes["/broken"] = Route(BROKEN)
    for path in ("/bomb", "/big", "/broken"):
        run(db, capsys, "feeds", "add", server.url(path))
    code, report, _ = fetch(db, capsys)
    assert code == 1
    outcome = {f["url"].rsplit("/", 1)[1]: f for f in report["feeds"]}
    assert "entities" in outcome["bomb"]["reason"]
    assert "too large" in outcome["big"]["reason"]
    assert outcome["broken"]["outcome"] == "fetched" and outcome["broken"]["warnings"]
    assert outcome["broken"]["new"] >= 1


def test_feeds_remove_and_usage(server: FeedServer, db: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(db, capsys, "feeds", "add", "ftp://example.test/x")
    assert code == 2 and "http" in err
    code, _, err = run(db, capsys, "fetch")
    assert code == 2 and "no subscriptions" in err
    server.routes["/a"] = Route(rss2(ITEMS))
    run(db, capsys, "feeds", "add", server.url("/a"), "--name", "a")
    code, out, _ = run(db, capsys, "feeds", "add", server.url("/a"))
    assert code == 0 and "already" in out
    code, _, err = run(db, capsys, "fetch", "nonesuch")
    assert code == 2 and "no subscription" in err
    fetch(db, capsys, "a")
    code, out, _ = run(db, capsys, "feeds", "remove", "a")
    assert code == 0 and not len(SubscriptionList(db))
    assert len(articles(db)) == 3  # kept without --delete-articles
    run(db, capsys, "feeds", "add", server.url("/a"), "--name", "a")
    code, out, _ = run(db, capsys, "feeds", "remove", server.url("/a"), "--delete-articles")
    assert code == 0 and "deleted 3 article(s)" in out
    assert articles(db) == []


def test_opml_import_and_export_round_trip(tmp_path: Path, db: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from support.feed_samples import OPML

    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    code, out, _ = run(db, capsys, "feeds", "import", str(opml))
    assert code == 0 and "3 feed(s)" in out and "1 duplicate" in out
    subs = {s.url.rsplit("/", 1)[1]: s for s in SubscriptionList(db)}
    assert subs["harbour.xml"].folders == ["News/World"]
    assert subs["valley.xml"].folders == ["News", "Tech", "Local"]
    assert subs["loose.xml"].folders == []
    code, exported, _ = run(db, capsys, "feeds", "export")
    again = tmp_path / "again.opml"
    again.write_text(exported)
    other = tmp_path / "other.json"
    run(other, capsys, "feeds", "import", str(again))
    assert [(s.url, s.label, s.folders) for s in SubscriptionList(other)] == [
        (s.url, s.label, s.folders) for s in SubscriptionList(db)]
    code, _, _err = run(db, capsys, "feeds", "import", str(tmp_path / "nope.opml"))
    assert code == 1


def test_show_prints_author_and_link(server: FeedServer, db: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/r"] = Route(RSS2_RICH)
    run(db, capsys, "feeds", "add", server.url("/r"))
    fetch(db, capsys)
    (article,) = [a for a in articles(db) if a.author]
    code, out, _ = run(db, capsys, "show", article.id)
    assert code == 0
    assert "By Ann Writer" in out
    assert "Link: http://example.test/trawlers" in out
