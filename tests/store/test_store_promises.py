"""Issue 10's store classes, each as a class:

- a store that lost its metadata or most of its articles is damaged, and no write ever
  replaces a good backup with a worse one;
- a damaged reading-state file is one clear error; `check` covers it, `--repair` mends it;
- repair never brings a corrupted record back beside its good copy;
- `check` reports records holding terminal escape sequences and `--repair` cleans them;
- a FIFO where a store file should be hangs no command;
- small hand edits (a record without `id`, a non-numeric `generation`, schema "1" as a
  string) give one line and exit 1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
from support.store_helpers import manifest_of, run_newstui, segment_files

from newstui.archive import Archive, bundled_samples
from newstui.article import ReadingState
from newstui.check import check, repair
from newstui.segment import write_file
from newstui.store import ArticleStore
from newstui.store_format import CorruptStoreError

SAMPLES = sorted(bundled_samples().iterdir())
COMMANDS = (["list"], ["search", "harbour"], ["stats"], ["export"],
            ["import", str(SAMPLES[0])], ["delete", "0000"], ["prune", "--older-than", "1d"],
            ["compact"])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The 20 samples written in two imports: a backup of 19 exists."""
    path = tmp_path / "store.json"
    Archive.open(path).import_paths(SAMPLES[:-1])
    Archive.open(path).import_paths(SAMPLES[-1:])
    return path


def one_line_failure(db: Path, *command: str, names: Path | None = None) -> str:
    done = run_newstui("--db", str(db), *command, timeout=30)
    assert done.returncode == 1, (command, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, (command, done.stderr)
    assert str(names or db) in lines[0], (command, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".index" not in str(p) and not p.name.endswith(".lock")}


# -- the backup is protected from a bad store ----------------------------------------------

LOSSES = {
    "emptied to {}": lambda db: db.write_bytes(b"{}"),
    "metadata only": lambda db: db.write_bytes(b'{"meta": {"store": {"schema": 2}}}'),
    "segments dropped from the manifest": lambda db: db.write_bytes(orjson.dumps(
        {**manifest_of(db), "segments": {}})),
    "a segment file deleted": lambda db: next(iter(segment_files(db).values())).unlink(),
    "an older manifest put back": lambda db: shutil.copy(db.with_name("store.json.bak"), db)
    and db.with_name("store.json.bak").write_bytes(orjson.dumps(
        {**manifest_of(db.with_name("store.json.bak")),
         "meta": {"store": {**manifest_of(db)["meta"]["store"], "generation": 99}}})),
}


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_a_store_that_lost_its_metadata_or_articles_is_damaged_and_the_backup_kept(
    db: Path, loss: str,
) -> None:
    LOSSES[loss](db)
    before = snapshot(db.parent)
    for command in COMMANDS:
        done = run_newstui("--db", str(db), *command, timeout=30)
        assert done.returncode == 1, (loss, command, done.stdout, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert snapshot(db.parent) == before, "a write replaced a file of a damaged store"
    report = check(db)
    assert not report.consistent and report.problems
    repair(db)
    after = ArticleStore(db)
    assert len(after) >= 19  # the backup's articles at least
    assert check(db).consistent


# -- a damaged reading-state file --------------------------------------------------------------

STATE_DAMAGE = {
    "not JSON": b"{not json",
    "truncated": None,
    "a state that is not a state": b'{"state": {"0123456789abcdef": {"position": "far"}}}',
    "empty": b"",
}


@pytest.mark.parametrize("damage", sorted(STATE_DAMAGE))
def test_a_damaged_reading_state_is_one_clear_error_checked_and_mended(
    db: Path, damage: str,
) -> None:
    store = ArticleStore(db)
    ids = [s.id for s in store.summaries()]
    store.set_state(ids[0], ReadingState(read=True, starred=True, position=3))
    store.set_state(ids[1], ReadingState(read=True))
    state = db.with_name("store.state.json")
    data = STATE_DAMAGE[damage]
    state.write_bytes(state.read_bytes()[:-9] if data is None else data)
    with pytest.raises(CorruptStoreError) as caught:
        ArticleStore(db).states()
    message = str(caught.value)
    assert str(state) in message and "--repair" in message and "\n" not in message
    checked = run_newstui("--db", str(db), "check")
    assert checked.returncode == 1 and str(state) in checked.stdout
    repaired = run_newstui("--db", str(db), "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert list(db.parent.glob("store.state.json.broken-*"))
    states = ArticleStore(db).states()  # readable again
    if damage != "a state that is not a state":
        # The backup (the state before the last save) holds the first star at least.
        assert states.get(ids[0], ReadingState()).starred
    assert run_newstui("--db", str(db), "check").returncode == 0


# -- repair never re-adds a corrupted duplicate ------------------------------------------------


def test_repair_never_brings_back_a_corrupted_copy_beside_the_good_one(db: Path) -> None:
    [newest] = segment_files(db).values()
    data = newest.read_bytes()
    # One flipped byte inside the first article's body, and the file cut short.
    body_at = data.index(b'"body":["') + 12
    flipped = data[:body_at] + bytes([data[body_at] ^ 0x01]) + data[body_at + 1:]
    newest.write_bytes(flipped[: len(flipped) * 3 // 4])
    report = repair(db)
    assert report.consistent, report.problems
    store = ArticleStore(db)
    headlines = [s.headline for s in store.summaries()]
    assert len(headlines) == len(set(headlines)) <= 20
    for article in store.articles():
        assert article.id == __import__("newstui.article", fromlist=["record_id"]).record_id(
            article)
    assert check(db).consistent


def test_a_record_whose_text_no_longer_matches_its_id_is_not_duplicated(db: Path) -> None:
    [path] = segment_files(db).values()
    tables = orjson.loads(path.read_bytes())
    records = tables["articles"]
    key = next(iter(records))
    copy = dict(records[key])
    copy["body"] = [copy["body"][0] + " (garbled)", *copy["body"][1:]]
    records[key] = copy
    write_file(path, records, tables["meta"]["store"], backup=False)
    report = check(db)
    assert any("do not match" in p for p in report.problems)
    repair(db)
    store = ArticleStore(db)
    assert len(store) == 20
    headlines = [s.headline for s in store.summaries()]
    assert len(set(headlines)) == 20
    assert check(db).consistent


# -- escape sequences in a store ---------------------------------------------------------------


def test_check_reports_escape_sequences_and_repair_cleans_them(db: Path) -> None:
    store = ArticleStore(db)
    target = store.summaries()[2].id
    state = ReadingState(starred=True)
    store.set_state(target, state)
    [path] = segment_files(db).values()
    tables = orjson.loads(path.read_bytes())
    record = tables["articles"][target]
    record["headline"] = "Title\x1b]0;owned\x07 here"
    record["body"] = ["\x1b]52;c;ZWNobyBoaQ==\x07Clipboard", "CSI \x1b[2J clear", "\u202eevil"]
    write_file(path, tables["articles"], tables["meta"]["store"], backup=False)
    report = check(db)
    assert any("escape or control sequences" in p for p in report.problems)
    repair(db)
    store = ArticleStore(db)
    assert len(store) == 20
    for article in store.articles():
        text = article.headline + "".join(article.body)
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    cleaned = [a for a in store.articles() if a.headline.startswith("Title")]
    assert len(cleaned) == 1 and cleaned[0].body[0].endswith("Clipboard")
    assert check(db).consistent


# -- a FIFO where a file should be -------------------------------------------------------------


@pytest.mark.parametrize("where", ["store", "segment", "state"])
def test_a_fifo_hangs_no_command(db: Path, where: str) -> None:
    if where == "store":
        target = db
    elif where == "segment":
        target = next(iter(segment_files(db).values()))
    else:
        target = db.with_name("store.state.json")
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    commands = [["list"], ["check"], ["stats"], ["import", str(SAMPLES[0])]]
    for command in commands:
        done = run_newstui("--db", str(db), *command, timeout=20)
        if where == "state" and command in (["list"], ["import", str(SAMPLES[0])]):
            continue  # they need no reading state; finishing at all is the point
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        # `check` reports damage inside a store on stdout; a FIFO at the store path
        # itself is no store at all: one line on stderr, like every other command.
        out = done.stdout if command == ["check"] and where != "store" else done.stderr
        assert str(target) in out and "Traceback" not in done.stderr


# -- small hand edits --------------------------------------------------------------------------


def edit_manifest(db: Path, **meta: object) -> None:
    tables = manifest_of(db)
    tables["meta"]["store"].update(meta)
    db.write_bytes(orjson.dumps(tables))


def drop_an_id(db: Path) -> Path:
    [path] = segment_files(db).values()
    tables = orjson.loads(path.read_bytes())
    key = next(iter(tables["articles"]))
    del tables["articles"][key]["id"]
    path.write_bytes(orjson.dumps(tables))
    return path


EDITS = {
    "generation 'x'": (lambda db: edit_manifest(db, generation="x"), "generation"),
    "schema '1' as a string": (lambda db: edit_manifest(db, schema="1"), "schema"),
    "a record without id": (drop_an_id, "id"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_small_hand_edits_give_one_line_and_exit_1(db: Path, edit: str) -> None:
    change, word = EDITS[edit]
    named = change(db) or db
    for command in (["list"], ["search", "harbour"], ["show", "0"], ["stats"], ["export"],
                    ["import", str(SAMPLES[0])]):
        line = one_line_failure(db, *command, names=named)
        assert word in line
    checked = run_newstui("--db", str(db), "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
