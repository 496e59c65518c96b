"""Feeds and fetch into a PostgreSQL archive: subscribe, fetch, an edited item updates
its article in place with its reading state, a second fetch is a 304."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.feed_samples import rss2
from support.feed_server import FeedServer, Route

from newstui import cli
from newstui.article import ReadingState
from newstui.pg.store import PgArchive

ITEMS = [("g1", "Trawlers return", "The fleet is home."),
         ("g2", "Floods expected", "Rain in the valley.")]


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def run(url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["--db", url, *args])
    out, _err = capsys.readouterr()
    return code, out


def test_feeds_and_fetch_into_the_database(server: FeedServer, pg_url: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSTUI_READER", "alice")
    server.routes["/news.xml"] = Route(rss2(ITEMS))
    code, out = run(pg_url, capsys, "feeds", "add", server.url("/news.xml"), "--name", "harbour")
    assert code == 0 and "subscribed" in out
    code, out = run(pg_url, capsys, "fetch", "--json", "--timeout", "1")
    report = json.loads(out)
    assert code == 0 and (report["fetched"], report["new"]) == (1, 2)
    archive = PgArchive.open(pg_url, reader="alice")
    stored = {a.guid: a for a in archive.store.articles()}
    assert set(stored) == {"g1", "g2"}
    archive.store.set_state(stored["g1"].id, ReadingState(read=True, starred=True))
    server.routes["/news.xml"] = Route(rss2([("g1", "Trawlers return early", "A day early."),
                                             ITEMS[1]]))
    code, out = run(pg_url, capsys, "fetch", "--json", "--timeout", "1")
    assert code == 0 and json.loads(out)["updated"] == 1
    after = {a.guid: a for a in archive.store.articles()}
    assert after["g1"].headline == "Trawlers return early" and len(after) == 2
    assert archive.store.state(stored["g1"].id) == ReadingState(read=True, starred=True)
    code, out = run(pg_url, capsys, "feeds", "list", "--json")
    (row,) = json.loads(out)
    assert (row["name"], row["articles"], row["unread"]) == ("harbour", 2, 1)
    archive.close()


def test_the_subscriptions_live_in_the_database(server: FeedServer, pg_url: str,
                                                tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Subscribed on one machine, seen by another (its own data folder) and by a
    reader's feeds screen through any front end: the list is the `feeds` table."""
    import psycopg

    from newstui.feeds.reader import read_feeds

    server.routes["/news.xml"] = Route(rss2(ITEMS))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "machine-a"))
    code, _ = run(pg_url, capsys, "feeds", "add", server.url("/news.xml"), "--name", "harbour")
    assert code == 0
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT feed_id, record->>'name' FROM feeds").fetchall()
    assert rows == [(server.url("/news.xml"), "harbour")]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "machine-b"))
    code, out = run(pg_url, capsys, "fetch", "--json", "--timeout", "1")
    assert code == 0 and json.loads(out)["new"] == 2
    code, out = run(pg_url, capsys, "feeds", "list", "--json")
    assert [(r["name"], r["articles"]) for r in json.loads(out)] == [("harbour", 2)]
    reader = PgArchive.open(pg_url, reader="bob", read_only=True)  # a serve-ssh session
    view = read_feeds(reader, reader.store.states())  # type: ignore[arg-type]
    assert [(r.name, r.total, r.unread) for r in view.rows] == [("harbour", 2, 2)]
    assert "never fetched" not in view.rows[0].status
    code, _ = run(pg_url, capsys, "feeds", "remove", "harbour")
    assert code == 0 and not read_feeds(reader, {}).rows  # type: ignore[arg-type]
    reader.close()
