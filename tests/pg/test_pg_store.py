"""The PostgreSQL store against a real server: schema and migrations, updates that
keep reading state, reading state per reader, notifications, copy both ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from newstui.archive import Archive, bundled_samples
from newstui.article import Article, ReadingState
from newstui.pg import display_url, is_database_url
from newstui.pg.copy import run_copy
from newstui.pg.schema import SCHEMA_VERSION
from newstui.pg.store import PgArchive
from newstui.store import ReadOnlyStoreError


def feed_item(text: str, guid: str = "g1") -> Article:
    return Article(headline="Ferry timetable", body=(text,), feed="https://example.org/rss",
                   guid=guid, published="2020-01-02")


def newstui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstui", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_urls_choose_the_store() -> None:
    assert is_database_url("postgresql://h/db") and is_database_url("postgres://h/db")
    assert not is_database_url("articles.json") and not is_database_url(None)
    assert display_url("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"


def test_schema_is_created_and_versioned(pg_server: object, pg_url: str) -> None:
    archive = PgArchive.open(pg_url)
    assert archive.store.schema_version == SCHEMA_VERSION
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT version, written_by FROM newstui_schema").fetchone()
    assert row is not None and row[0] == SCHEMA_VERSION
    archive.close()


def test_an_empty_database_gets_the_schema(pg_server: object) -> None:
    url = pg_server.create_database()  # type: ignore[attr-defined]
    archive = PgArchive.open(url)
    archive.import_paths([bundled_samples()])
    assert len(archive.store) == 20
    archive.close()


def test_a_database_of_schema_1_is_migrated_with_its_articles(pg_server: object) -> None:
    """A database the first release wrote (schema 1) gets schema 2 on open: the small
    vector of the short fields is filled in for the articles already there, so a
    field query finds them; the feeds table appears."""
    from newstui.pg.schema import MIGRATIONS

    url = pg_server.create_database()  # type: ignore[attr-defined]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE newstui_schema (singleton boolean PRIMARY KEY DEFAULT "
                     "true, version integer NOT NULL, store_id text NOT NULL, "
                     "written_by text NOT NULL)")
        conn.execute("INSERT INTO newstui_schema VALUES (true, 1, 'old', '0.1')")
        for statement in MIGRATIONS[1]:
            conn.execute(statement)
        conn.execute("INSERT INTO articles (id, headline, body, sort_headline, content_hash, "
                     "tsv) VALUES ('abc', 'Harbour reopens', ARRAY['Boats sail.'], "
                     "'harbour reopens', 'h', to_tsvector('simple', 'harbour reopens'))")
    archive = PgArchive.open(url)
    assert archive.store.schema_version == SCHEMA_VERSION == 2
    assert [h.article.id for h in archive.search("headline:harbour").hits] == ["abc"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM feeds").fetchone() == (0,)
    archive.close()


def test_a_newer_database_is_reported_and_never_written(pg_url: str) -> None:
    PgArchive.open(pg_url).close()
    with psycopg.connect(pg_url) as conn:
        conn.execute("UPDATE newstui_schema SET version = %s", (SCHEMA_VERSION + 1,))
    checked = newstui("--db", pg_url, "check")
    assert checked.returncode == 1
    assert "newer newstui" in checked.stdout and "left untouched" in checked.stdout
    imported = newstui("--db", pg_url, "import", str(bundled_samples()))
    assert imported.returncode == 1 and "newer newstui" in imported.stderr
    assert "Traceback" not in imported.stderr
    archive = PgArchive.open(pg_url)
    assert len(archive.store) == 0
    with pytest.raises(ReadOnlyStoreError):
        archive.store.set_state("x", ReadingState(read=True))
    archive.close()


def test_upsert_adds_updates_and_keeps_reading_state(pg_url: str) -> None:
    archive = PgArchive.open(pg_url)
    first = feed_item("Sailings resume on Monday.")
    result = archive.upsert([first])
    assert (len(result.added), result.updated, result.unchanged) == (1, [], [])
    archive.store.set_state(first.id, ReadingState(read=True, starred=True, position=3))
    newer = feed_item("Sailings resume on Tuesday instead.")
    assert newer.id == first.id
    result = archive.upsert([newer])
    assert (result.added, [a.id for a in result.updated], result.unchanged) == ([], [first.id], [])
    assert archive.store.get(first.id).body == newer.body  # type: ignore[union-attr]
    assert archive.store.state(first.id) == ReadingState(read=True, starred=True, position=3)
    assert [a.id for a in archive.upsert([newer]).unchanged] == [first.id]
    assert len(archive.store) == 1
    assert archive.search("tuesday").total == 1 and archive.search("monday").total == 0
    archive.close()


def test_delete_takes_reading_state_with_it(pg_url: str) -> None:
    archive = PgArchive.open(pg_url)
    archive.import_paths([bundled_samples()])
    victim = archive.store.summaries()[0].id
    archive.store.set_state(victim, ReadingState(starred=True))
    assert archive.delete([victim, "nonexistent"]) == [victim]
    assert victim not in archive.store and len(archive.store) == 19
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM reading_state").fetchone() == (0,)
    archive.close()


def test_reading_state_belongs_to_each_reader(pg_url: str) -> None:
    alice = PgArchive.open(pg_url, reader="alice")
    alice.import_paths([bundled_samples()])
    bob = PgArchive.open(pg_url, state_path="bob")
    article = alice.store.summaries()[0].id
    alice.store.set_state(article, ReadingState(read=True, starred=True))
    alice.store.set_setting("theme", "light")
    alice.store.remember_search("cotton")
    alice.store.remember_search("harbour")
    alice.store.remember_search("cotton")
    assert bob.store.states() == {} and bob.store.setting("theme") is None
    assert bob.store.search_history() == []
    again = PgArchive.open(pg_url, reader="alice")  # another front end, same reader
    assert again.store.states() == {article: ReadingState(read=True, starred=True)}
    assert again.store.setting("theme") == "light"
    assert again.store.search_history() == ["harbour", "cotton"]
    for archive in (alice, bob, again):
        archive.close()


def test_readers_hear_of_new_articles(pg_url: str) -> None:
    reader = PgArchive.open(pg_url)
    before = reader.change_token()
    assert reader.change_token() == before  # nothing written: nothing heard
    writer = PgArchive.open(pg_url)
    writer.import_paths([bundled_samples()])
    assert reader.wait_for_change(timeout=10) or reader.change_token() != before
    assert reader.change_token() > before
    writer.close()
    reader.close()


def test_the_cli_copies_both_ways_with_reading_state(pg_url: str, tmp_path: Path) -> None:
    source = Archive.open(tmp_path / "a.json")
    source.import_paths([bundled_samples()])
    starred = source.store.summaries()[3].id
    source.store.set_state(starred, ReadingState(read=True, starred=True, position=7))
    done = newstui("copy", "--from", str(tmp_path / "a.json"), "--to", pg_url,
                   env={"NEWSTUI_READER": "alice"})
    assert done.returncode == 0, done.stderr
    assert "copied 20 articles and 1 reading state(s)" in done.stdout
    assert "content hash" in done.stdout
    pg = PgArchive.open(pg_url, reader="alice")
    assert pg.store.states() == {starred: ReadingState(read=True, starred=True, position=7)}
    pg.close()
    back = newstui("copy", "--from", pg_url, "--to", str(tmp_path / "b.json"),
                   env={"NEWSTUI_READER": "alice"})
    assert back.returncode == 0, back.stderr
    copy = Archive.open(tmp_path / "b.json")
    records = sorted(a.to_record()["id"] for a in copy.store.articles())
    assert records == sorted(a.id for a in source.store.articles())
    assert {a.id: a for a in copy.store.articles()} == {a.id: a for a in source.store.articles()}
    assert copy.store.state(starred) == ReadingState(read=True, starred=True, position=7)


def test_copy_checks_the_hash(pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
                              ) -> None:
    Archive.open(tmp_path / "a.json").import_paths([bundled_samples()])
    assert run_copy(str(tmp_path / "a.json"), pg_url) == 0
    out = capsys.readouterr().out
    digest = out.split("content hash ")[1].split()[0]
    assert len(digest) == 16


def test_commands_over_the_database(pg_url: str) -> None:
    assert newstui("--db", pg_url, "import", str(bundled_samples())).returncode == 0
    stats = newstui("--db", pg_url, "stats").stdout
    assert "articles    20" in stats and "PostgreSQL" in stats
    assert newstui("--db", pg_url, "check").returncode == 0
    exported = newstui("--db", pg_url, "export").stdout.splitlines()
    assert len(exported) == 20 and json.loads(exported[0])["headline"]
    missing = newstui("--db", pg_url.rsplit("/", 1)[0] + "/no_such_db", "list")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_an_update_in_a_later_batch_is_one_row(pg_url: str) -> None:
    archive = PgArchive.open(pg_url)
    items = [feed_item(f"Version {n}", guid="same") for n in range(3)]
    assert len(archive.upsert(items).added) == 1 and len(archive.store) == 1
    # The first of one id in a run counts (as in the file store); a later run updates.
    assert archive.store.get(items[0].id).body == ("Version 0",)  # type: ignore[union-attr]
    assert len(archive.upsert(items[2:]).updated) == 1
    assert archive.store.get(items[0].id).body == ("Version 2",)  # type: ignore[union-attr]
    assert replace(items[2], imported_at=None).id == items[0].id
    archive.close()


def test_a_read_replica_serves_readers_and_refuses_writes(pg_server: object,
                                                          tmp_path: Path) -> None:
    from support.pg_server import running_replica

    url = pg_server.create_database("replicated")  # type: ignore[attr-defined]
    primary = PgArchive.open(url)
    primary.import_paths([bundled_samples()])
    with running_replica(pg_server) as replica:  # type: ignore[arg-type]
        replica_url = replica.url("replicated")
        listed = newstui("--db", replica_url, "list")
        assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 20
        found = newstui("--db", replica_url, "search", "harbour")
        assert found.returncode == 0 and found.stderr.strip() == "3 matches"
        refused = newstui("--db", replica_url, "import", str(bundled_samples()))
        assert refused.returncode == 1 and "read replica" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        reader = PgArchive.open(replica_url)
        assert not reader.store.state_writable and not reader.store.writable
        # What the primary writes reaches the replica (streaming replication), and a
        # reader there hears of it (a standby cannot LISTEN: it polls the generation).
        heard = threading.Event()
        reader.watch(heard.set)
        before = reader.change_token()
        folder = tmp_path / "late"
        folder.mkdir()
        (folder / "late.txt").write_text("Replicated Lighthouse Story\n\nIt shone.\n")
        primary.import_paths([folder])
        for _ in range(100):
            if len(reader.store) == 21:
                break
            time.sleep(0.1)
        assert len(reader.store) == 21
        assert heard.wait(15) and reader.change_token() > before
        reader.close()
    primary.close()


def test_unchanged_files_are_not_read_again(tmp_path: Path, pg_url: str) -> None:
    """The database remembers which files an import read (the sources table): the same
    folder again reads nothing, an edited file alone is read again."""
    import shutil

    folder = tmp_path / "news"
    shutil.copytree(bundled_samples(), folder)
    archive = PgArchive.open(pg_url)
    first = archive.import_paths([folder])
    assert (len(first.added), first.already_present) == (20, 0)
    again = archive.import_paths([folder])
    assert (len(again.added), again.already_present, again.failures) == (0, 20, [])
    edited = sorted(folder.iterdir())[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Trawlers", "Fishing boats"),
                      encoding="utf-8")
    third = archive.import_paths([folder])
    assert len(third.added) == 1 and third.already_present == 19
    assert any("Fishing boats" in a.headline for a in archive.store.articles())
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*) FROM sources").fetchone() == (20,)
    archive.close()
