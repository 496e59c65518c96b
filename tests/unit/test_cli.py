"""The `newstui` command, run for real in a subprocess with HOME and the data folders in
tmp_path: what a user sees on stdout and stderr, the exit status, and the files written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.core import SAMPLES, CliResult, CliRunner

from newstui import __version__

RECORD_FIELDS = ["id", "headline", "dateline", "updated", "published", "caption", "credit",
                 "body", "source", "imported_at"]


def one_error_line(result: CliResult, status: int) -> str:
    """The run failed with `status` and said why in one line on stderr."""
    assert result.status == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def samples_db(cli: CliRunner, db_value: str) -> str:
    """The samples imported into each store in turn (a TinyDB file, a PostgreSQL
    database): the tests that take it are the contract both stores keep."""
    result = cli("--db", db_value, "import", str(SAMPLES))
    assert result.status == 0, result.stderr
    return db_value


def test_version(cli: CliRunner) -> None:
    result = cli("--version")
    assert result.status == 0
    # For bug reports: the versions of what newstui runs on, too.
    assert result.stdout.startswith(f"newstui {__version__} (Python ")
    for name in ("Textual 8.2.8", "tantivy ", "TinyDB "):
        assert name in result.stdout


def test_installed_script(cli: CliRunner, samples_db: str) -> None:
    script = Path(__import__("sys").executable).parent / "newstui"
    if not script.exists():
        pytest.skip(f"the newstui script is not installed beside {script.parent}")
    assert cli("--version", script=True).stdout.startswith(f"newstui {__version__} (")
    listed = cli("list", "--db", str(samples_db), script=True)
    assert listed.status == 0 and len(listed.stdout.splitlines()) == 20


def test_no_subcommand_without_a_terminal_says_what_to_use(cli: CliRunner, tmp_path: Path) -> None:
    # With no command newstui opens the reader; in a pipe there is no terminal to draw
    # on, so it says what to use instead (the real-terminal run is tests/e2e).
    line = one_error_line(cli("--db", str(tmp_path / "x.json")), 2)
    assert "the reader needs a terminal" in line and "newstui list" in line


def test_help_lists_every_subcommand(cli: CliRunner) -> None:
    result = cli("--help")
    assert result.status == 0
    for command in ("import", "list", "show", "search", "export", "reindex", "stats"):
        assert command in result.stdout
    search_help = cli("search", "--help").stdout
    assert '"maternity pay"' in search_help and "after:2016-07-01" in search_help


def test_import_summary_and_db_before_or_after(cli: CliRunner, db_value: str,
                                               tmp_path: Path) -> None:
    db = db_value
    first = cli("--db", db, "import", str(SAMPLES))
    assert first.status == 0
    assert first.stdout.strip() == "imported 20, already present 0, failed 0"
    assert "Traceback" not in first.stderr
    again = cli("import", str(SAMPLES), "--db", db)
    assert again.stdout.strip() == "imported 0, already present 20, failed 0"
    if not db.startswith("postgresql://"):
        assert Path(db).is_file() and (tmp_path / "store.index").is_dir()


def test_import_with_a_failed_file_exits_1(cli: CliRunner, db_value: str,
                                           tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "good.txt").write_text("Good Story\n\nIts body.\n")
    (folder / "README.md").write_text("Readme\n\nNot an article.\n")
    db = db_value
    result = cli("import", str(folder), "--db", str(db))
    assert result.status == 1
    assert result.stdout.strip() == (
        "imported 1, already present 0, failed 1, skipped 1 non-article file(s)")
    assert result.stderr.strip() == f"newstui: {folder / 'empty.txt'}: empty file"
    assert "Good Story" in cli("list", "--db", str(db)).stdout


def test_import_missing_path(cli: CliRunner, tmp_path: Path) -> None:
    line = one_error_line(cli("import", str(tmp_path / "nope.txt"), "--db",
                              str(tmp_path / "a.json")), 1)
    assert line == f"newstui: {tmp_path / 'nope.txt'}: no such file or directory"


def test_list(cli: CliRunner, samples_db: str) -> None:
    result = cli("list", "--db", str(samples_db))
    assert result.status == 0 and result.stderr == ""
    rows = result.stdout.splitlines()
    assert len(rows) == 20
    assert "2016-12-01" in rows[0] and "Ancient Mosaic Goes on Display" in rows[0]
    assert "2008-03-11" in rows[-1] and "Kestrel Valley Braces" in rows[-1]
    assert all(len(row) <= 100 for row in rows)
    assert len(cli("list", "--limit", "3", "--db", str(samples_db)).stdout.splitlines()) == 3


def test_list_json_shape(cli: CliRunner, samples_db: str) -> None:
    records = json.loads(cli("--db", str(samples_db), "list", "--json", "--limit", "2").stdout)
    assert len(records) == 2
    for record in records:
        assert list(record) == RECORD_FIELDS
        assert isinstance(record["body"], list) and record["body"]
    assert records[0]["headline"] == "Ancient Mosaic Goes on Display in Marrowby Museum"
    assert records[0]["dateline"] == "MARROWBY"
    assert records[0]["updated"] == "2016-12-01"
    assert (records[0]["credit"], records[0]["published"]) == ("AFP", None)
    assert records[0]["source"].endswith("18-ancient-mosaic-goes-on-display-in-marrowby.txt")


def test_newstui_db_environment_variable(cli: CliRunner, samples_db: str) -> None:
    result = cli("list", env={"NEWSTUI_DB": str(samples_db)})
    assert result.status == 0 and len(result.stdout.splitlines()) == 20


def test_show(cli: CliRunner, samples_db: str) -> None:
    [record] = json.loads(cli("list", "--json", "--limit", "1", "--db", str(samples_db)).stdout)
    shown = cli("show", record["id"][:8], "--db", str(samples_db))
    assert shown.status == 0
    lines = shown.stdout.splitlines()
    assert lines[0] == "Ancient Mosaic Goes on Display in Marrowby Museum"
    assert "MARROWBY · Updated 1 December 2016" in shown.stdout
    assert "Photo: AFP — Museum staff adjust lighting" in shown.stdout
    assert "This article is fictional and was written as sample data for newstui." in shown.stdout
    as_json = json.loads(cli("show", record["id"], "--json", "--db", str(samples_db)).stdout)
    assert as_json == record


def test_show_unknown_id(cli: CliRunner, samples_db: str) -> None:
    line = one_error_line(cli("show", "zzzz", "--db", str(samples_db)), 1)
    assert line == f"newstui: no article with id 'zzzz' in {samples_db}"


def test_search(cli: CliRunner, samples_db: str) -> None:
    result = cli("search", "cotton", "--db", str(samples_db))
    assert result.status == 0
    lines = result.stdout.splitlines()
    assert "Saltgrave Cotton Mill Reopens" in lines[0]
    assert "«cotton»" in lines[1].lower()
    assert result.stderr.strip() == "1 match"
    harbour = cli("search", "harbour", "--limit", "1", "--db", str(samples_db))
    assert "Trawlers Return to Port Avelin Harbour" in harbour.stdout.splitlines()[0]
    assert len(harbour.stdout.splitlines()) == 2
    assert harbour.stderr.strip() == "3 matches, best 1 shown"


def test_search_json_shape(cli: CliRunner, samples_db: str) -> None:
    result = cli("--db", str(samples_db), "search", "--json", "zoe")
    [hit] = json.loads(result.stdout)
    assert list(hit) == [*RECORD_FIELDS, "score", "snippet"]
    assert hit["headline"] == "Marrowby Elects First Independent Mayor in 40 Years"
    assert hit["score"] > 0 and "«Zoë»" in hit["snippet"]


def test_search_several_words_and_filters(cli: CliRunner, samples_db: str) -> None:
    result = cli("search", "--json", "--db", str(samples_db), "on:2016", "-marrowby")
    headlines = [h["headline"] for h in json.loads(result.stdout)]
    assert headlines == ["Orlan Software Startup Raises £12 Million",
                         "Saltgrave Imposes Water Limits as Drought Deepens"]


@pytest.mark.parametrize(
    ("query", "message"),
    [('"maternity pay', "closing quote"), ("foo:bar", "unknown field foo:"),
     ("after:soon", "after:"), ("OR", "OR needs a word"), ("headline:", "headline: needs")],
)
def test_malformed_query_exits_2(cli: CliRunner, samples_db: str, query: str,
                                 message: str) -> None:
    line = one_error_line(cli("search", query, "--db", str(samples_db)), 2)
    assert line.startswith("newstui: ") and message in line


@pytest.mark.parametrize("args", [["frobnicate"], ["list", "--limit", "0"],
                                  ["list", "--limit", "x"], ["search"], ["show"],
                                  ["list", "--bogus"]])
def test_bad_usage_exits_2(cli: CliRunner, tmp_path: Path, args: list[str]) -> None:
    result = cli(*args, "--db", str(tmp_path / "a.json")) if args[0] != "frobnicate" else cli(
        "--db", str(tmp_path / "a.json"), *args)
    assert result.status == 2
    assert "Traceback" not in result.stderr
    assert "usage: newstui" in result.stderr


def test_corrupt_store_exits_1_and_is_left_alone(cli: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    db.write_bytes(b'{"articles": {"abc": ')
    for args in (["list"], ["import", str(SAMPLES)], ["search", "x"], ["stats"]):
        line = one_error_line(cli(*args, "--db", str(db)), 1)
        assert str(db) in line and "left untouched" in line
    assert db.read_bytes() == b'{"articles": {"abc": '


def test_store_in_missing_folder(cli: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "no" / "such" / "a.json"
    for args in (["import", str(SAMPLES)], ["search", "cotton"]):
        line = one_error_line(cli(*args, "--db", str(db)), 1)
        assert str(db.parent) in line
    assert not (tmp_path / "no").exists()


def test_export_import_round_trip(cli: CliRunner, samples_db: str, tmp_path: Path) -> None:
    exported = cli("export", "--db", str(samples_db))
    assert exported.status == 0
    lines = exported.stdout.splitlines()
    assert len(lines) == 20 and all(list(json.loads(x)) == RECORD_FIELDS for x in lines)
    out = tmp_path / "out.jsonl"
    to_file = cli("export", "-o", str(out), "--db", str(samples_db))
    assert to_file.status == 0 and out.read_text() == exported.stdout
    assert f"exported 20 articles to {out}" in to_file.stderr

    fresh = tmp_path / "fresh.json"
    imported = cli("import", str(out), "--db", str(fresh))
    assert imported.stdout.strip() == "imported 20, already present 0, failed 0"
    before = json.loads(cli("list", "--json", "--db", str(samples_db)).stdout)
    after = json.loads(cli("list", "--json", "--db", str(fresh)).stdout)
    assert after == before


def test_export_to_missing_folder(cli: CliRunner, samples_db: str, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.jsonl"
    line = one_error_line(cli("export", "-o", str(target), "--db", str(samples_db)), 1)
    assert str(target) in line


def test_reindex_and_stats(cli: CliRunner, samples_db: str, tmp_path: Path) -> None:
    result = cli("reindex", "--db", str(samples_db))
    assert result.status == 0
    where = (f"{samples_db} (the database's own index)" if samples_db.startswith("postgresql:")
             else tmp_path / "store.index")
    assert result.stdout.strip() == f"indexed 20 articles in {where}"
    stats = dict(line.split(None, 1) for line in cli("stats", "--db", str(samples_db))
                 .stdout.replace("store size", "store_size").splitlines())
    assert stats["store"] == str(samples_db)
    assert stats["articles"] == "20"
    assert stats["dated"] == "20 (2008-03-11 to 2016-12-01)"
    assert stats["index"].startswith("20 articles")


def test_first_run_seeds_the_default_store(cli: CliRunner, isolated_env: dict[str, str]) -> None:
    first = cli("list")
    assert first.status == 0
    assert len(first.stdout.splitlines()) == 20
    default = Path(isolated_env["XDG_DATA_HOME"]) / "newstui" / "articles.json"
    assert first.stderr.strip() == (
        f"newstui: created {default} with 20 fictional sample articles; "
        "`newstui import PATH` adds your own")
    assert default.is_file()
    second = cli("list")
    assert second.stderr == "" and second.stdout == first.stdout


def test_bbc_search_from_the_command_line(cli: CliRunner, bbc_store: Path) -> None:
    result = cli("search", '"maternity pay"', "--db", str(bbc_store))
    assert result.status == 0
    assert "Labour plans maternity pay rise" in result.stdout.splitlines()[0]


def _store_of(db: str) -> object:
    """The store behind a --db value, as the command line opens it (same reader)."""
    if db.startswith("postgresql:"):
        from newstui.pg.store import PgStore

        return PgStore(db)
    from newstui.store import ArticleStore

    return ArticleStore(Path(db))


def test_delete_prune_compact_check_and_stats(cli: CliRunner, samples_db: str) -> None:
    """`delete` (by prefix; its reading state goes too), `prune` (--dry-run removes
    nothing, --keep-starred keeps), `compact`, `check`, `stats`: the same on both stores."""
    from datetime import date, timedelta

    from newstui.article import ReadingState

    db = samples_db
    listed = json.loads(cli("list", "--json", "--db", db).stdout)
    assert len(listed) == 20
    newest, second = listed[0], listed[1]
    # Prune what is older than 2012 (the samples are dated 2008 to 2016).
    days = (date.today() - date(2012, 1, 1)).days
    cutoff = (date.today() - timedelta(days=days)).isoformat()
    old = [r for r in listed[2:] if (r.get("published") or r.get("updated") or "")[:10] < cutoff]
    assert 2 <= len(old) < 18, "the samples have articles from before and after 2012"
    store = _store_of(db)
    store.set_state(newest["id"], ReadingState(starred=True))  # type: ignore[attr-defined]
    store.set_state(old[-1]["id"], ReadingState(starred=True))  # type: ignore[attr-defined]

    done = cli("delete", newest["id"][:8], second["id"], "--db", db)
    assert done.status == 0, done.stderr
    assert newest["headline"] in done.stdout and second["headline"] in done.stdout
    assert "deleted 2 article(s)" in done.stderr
    assert newest["id"] not in _store_of(db).states()  # type: ignore[attr-defined]
    unknown = cli("delete", "zzzz", listed[2]["id"], "--db", db)
    assert unknown.status == 1 and "nothing deleted" in unknown.stderr
    assert len(cli("list", "--db", db).stdout.splitlines()) == 18

    dry = cli("prune", "--older-than", f"{days}d", "--dry-run", "--db", db)
    assert dry.status == 0, dry.stderr
    assert dry.stdout.count("would remove") == len(old)
    assert len(cli("list", "--db", db).stdout.splitlines()) == 18
    pruned = cli("prune", "--older-than", f"{days}d", "--keep-starred", "--db", db)
    assert pruned.status == 0, pruned.stderr
    assert pruned.stdout.count("removed ") == len(old) - 1 and "kept 1 starred" in pruned.stderr
    left = json.loads(cli("list", "--json", "--db", db).stdout)
    assert len(left) == 18 - (len(old) - 1) and old[-1]["id"] in {r["id"] for r in left}

    compacted = cli("compact", "--db", db)
    assert compacted.status == 0, compacted.stderr
    assert ("record(s) dropped" in compacted.stdout
            or "nothing to compact" in compacted.stdout)
    checked = cli("check", "--db", db)
    assert checked.status == 0 and "consistent" in checked.stdout, checked.stdout
    stats = dict(line.split(None, 1) for line in cli("stats", "--db", db)
                 .stdout.replace("store size", "store_size").splitlines())
    assert stats["articles"] == str(len(left))
    found = cli("search", "--json", old[-1]["headline"].split()[0], "--db", db)
    assert found.status == 0
