"""Many writers, one database: imports at once never duplicate an article, and an
import killed mid-way leaves whole batches — never half an article."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psycopg
import pytest

from newstui.article import Article, content_id
from newstui.pg.schema import CHANNEL
from newstui.pg.store import BATCH, PgArchive


def write_jsonl(path: Path, start: int, stop: int, feed: bool = False) -> None:
    lines = []
    for n in range(start, stop):
        record = {"headline": f"Story number {n}", "published": "2021-03-04",
                  "body": [f"Paragraph one of story {n}.", "A second paragraph " * 20]}
        if feed:
            record.update(feed="https://example.org/rss", guid=f"item-{n}")
        lines.append(orjson.dumps(record))
    path.write_bytes(b"\n".join(lines) + b"\n")


def start_import(url: str, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "newstui", "--db", url, "import", "-q",
                             str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_imports_at_once_never_duplicate(pg_url: str, tmp_path: Path) -> None:
    PgArchive.open(pg_url).close()
    # Four writers over overlapping sets: content-keyed and feed-keyed articles.
    sets = [(0, 3000, False), (1000, 4000, False), (0, 2500, True), (500, 3000, True)]
    files = []
    for number, (start, stop, feed) in enumerate(sets):
        path = tmp_path / f"set{number}.jsonl"
        write_jsonl(path, start, stop, feed)
        files.append(path)
    writers = [start_import(pg_url, path) for path in files]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err.decode()
    with psycopg.connect(pg_url) as conn:
        count, distinct = conn.execute("SELECT count(*), count(DISTINCT id) FROM articles"
                                       ).fetchone()  # type: ignore[misc]
        feeds = conn.execute("SELECT count(*) FROM articles WHERE feed IS NOT NULL"
                             ).fetchone()[0]  # type: ignore[index]
    assert count == distinct == 4000 + 3000
    assert feeds == 3000


def test_a_killed_import_leaves_whole_batches(pg_url: str, tmp_path: Path) -> None:
    PgArchive.open(pg_url).close()
    path = tmp_path / "many.jsonl"
    total = BATCH * 8
    write_jsonl(path, 0, total)
    with psycopg.connect(pg_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        writer = start_import(pg_url, path)
        # Kill it the moment its first batch is committed (it is then mid-way through
        # the next one).
        heard = list(listener.notifies(timeout=120, stop_after=1))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
    assert heard, "the import committed nothing within two minutes"
    time.sleep(0.2)
    archive = PgArchive.open(pg_url)
    count = len(archive.store)
    assert 0 < count < total and count % BATCH == 0, count
    with psycopg.connect(pg_url) as conn:
        empty = conn.execute("SELECT count(*) FROM articles WHERE tsv = ''::tsvector "
                             "OR cardinality(body) <> 2").fetchone()
    assert empty == (0,)
    for article in archive.store.articles():
        assert content_id(article) == article.id
        assert article.body[0].startswith("Paragraph one of story")
    # Importing again completes it.
    again = start_import(pg_url, path)
    again.communicate(timeout=300)
    assert again.returncode == 0 and len(archive.store) == total
    assert isinstance(archive.store.get(next(iter(archive.store.summary_ids()))), Article)
    archive.close()


def test_batches_written_on_two_connections_at_once(pg_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An upsert of several batches writes them on two connections at once: every
    article lands once, added and updated are told apart, reading state stays."""
    import newstui.pg.store as pg_store
    from newstui.article import Article, ReadingState
    from newstui.pg.store import PgArchive

    monkeypatch.setattr(pg_store, "BATCH", 7)
    archive = PgArchive.open(pg_url)
    articles = [Article(headline=f"Harbour note {n}", body=(f"Tide table {n}.",),
                        feed="https://example.org/rss", guid=f"g{n}", published="2020-01-02")
                for n in range(40)]
    first = archive.upsert(articles)
    assert len(first.added) == 40 and not first.updated
    assert len(archive.store._writers) == 1  # a second connection was used
    archive.store.set_state(articles[3].id, ReadingState(starred=True))
    changed = [Article(headline=a.headline, body=("Changed.",), feed=a.feed, guid=a.guid,
                       published=a.published) for a in articles[::2]]
    second = archive.upsert(changed + articles[1::2])
    assert (len(second.added), len(second.updated), len(second.unchanged)) == (0, 20, 20)
    assert len(archive.store) == 40
    assert archive.store.state(articles[3].id) == ReadingState(starred=True)
    archive.close()
