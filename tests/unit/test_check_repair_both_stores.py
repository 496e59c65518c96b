"""`check` finds, and `check --repair` mends, the same damage on both stores (red team
F16: on PostgreSQL, check reported an id that no longer matched its content and repair
could not mend it — "NOT consistent" for ever — and escape sequences put in by a hand
edit went unreported). Writing it found that the file store's repair lost an article's
reading state when it gave the article the id its content has. The damage is made as
a hand edit makes it: the segment's JSON for the file store, an SQL UPDATE for the
database."""

from __future__ import annotations

from pathlib import Path

import orjson
from support.core import CliRunner

from newstui.archive import Archive
from newstui.article import Article, ReadingState

ESCAPES = "\x1b]0;PWNED\x07\u202e"


def _plant(db_value: str, article_id: str, headline: str) -> None:
    if db_value.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(db_value) as conn:
            conn.execute("UPDATE articles SET headline = %s WHERE id = %s",
                         (headline, article_id))
        return

    segments = Path(db_value).with_suffix(".segments")
    for path in segments.iterdir():
        tables = orjson.loads(path.read_bytes())
        if article_id in tables["articles"]:
            tables["articles"][article_id]["headline"] = headline
            path.write_bytes(orjson.dumps(tables))
            return
    raise AssertionError(f"{article_id} is in no segment")


def _open(db_value: str):  # type: ignore[no-untyped-def]
    if db_value.startswith("postgresql://"):
        from newstui.pg.store import PgArchive

        return PgArchive.open(db_value)
    return Archive.open(Path(db_value))


def test_escapes_and_a_wrong_id_are_found_and_mended(cli: CliRunner, db_value: str) -> None:
    first = Article("Harbour reopens", ("The harbour reopened today.",), published="2016-01-02")
    second = Article("Ferry returns", ("The ferry came back.",), published="2016-01-01")
    archive = _open(db_value)
    archive.add([first, second])
    archive.store.set_state(first.id, ReadingState(starred=True))
    archive.store.set_state(second.id, ReadingState(starred=True))
    archive.close() if hasattr(archive, "close") else None
    _plant(db_value, first.id, f"Harbour {ESCAPES}reopens")
    _plant(db_value, second.id, "Ferry returns at last")  # a new text under the old id

    found = cli("--db", db_value, "check")
    assert found.status == 1, found.stdout
    assert "escape" in found.stdout, found.stdout
    assert "match their content" in found.stdout, found.stdout
    assert "\x1b" not in found.stdout

    mended = cli("--db", db_value, "check", "--repair")
    assert mended.status == 0, mended.stdout + mended.stderr
    assert "consistent, 2 articles" in mended.stdout, mended.stdout
    again = cli("--db", db_value, "check")
    assert again.status == 0 and "consistent" in again.stdout, again.stdout
    listed = orjson.loads(cli("--db", db_value, "list", "--json").stdout)
    assert sorted(row["headline"] for row in listed) == ["Ferry returns at last",
                                                         "Harbour reopens"]
    # The reader's stars followed each article to its mended row (the edited one now
    # under the id its text has).
    after = _open(db_value)
    for row in listed:
        assert after.store.state(row["id"]).starred, row["headline"]
    assert second.id not in {row["id"] for row in listed}
