"""A store written by the release before segments (one file, committed as a fixture):
it opens, is converted once, keeps every article and reading state, and the old file
stays beside it as NAME.v1.json."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
from support.store_helpers import FIXTURES, manifest_of, run_newstui
from tinydb import TinyDB

from newstui.article import ReadingState
from newstui.check import check
from newstui.store import ArticleStore


def old_store(tmp_path: Path) -> Path:
    for name in ("articles.json", "articles.json.bak", "articles.state.json"):
        shutil.copy(FIXTURES / "v1" / name, tmp_path / name)
    return tmp_path / "articles.json"


def test_a_single_file_store_is_converted_once_and_keeps_everything(tmp_path: Path) -> None:
    db = old_store(tmp_path)
    original = db.read_bytes()
    old = orjson.loads(original)
    old_states = orjson.loads((tmp_path / "articles.state.json").read_bytes())["state"]
    assert set(old) >= {"meta", "articles"} and "segments" not in old

    listed = run_newstui("--db", str(db), "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {r["id"] for r in orjson.loads(listed.stdout)} == set(old["articles"])
    # Converted: the manifest in its place, the old file kept byte for byte.
    assert (tmp_path / "articles.v1.json").read_bytes() == original
    manifest = manifest_of(db)
    assert manifest["meta"]["store"]["schema"] == 2
    assert manifest["meta"]["store"]["store_id"] == old["meta"]["store"]["store_id"]
    store = ArticleStore(db)
    assert {a.id: a.to_record() for a in store.articles()} == old["articles"]
    assert {k: v.to_record() for k, v in store.states().items()} == {
        k: ReadingState.from_record(v).to_record() for k, v in old_states.items()}
    assert store.setting("theme") == "textual-light"
    assert store.search_history() == ["harbour"]
    for entry in manifest["segments"].values():
        with TinyDB(str(tmp_path / "articles.segments" / entry["file"]),
                    access_mode="r") as plain:
            assert len(plain.table("articles")) == entry["rows"]
    assert check(db).consistent
    # Once: a second opening converts nothing.
    stamp = db.stat().st_mtime_ns
    assert run_newstui("--db", str(db), "search", "harbour").returncode == 0
    assert db.stat().st_mtime_ns == stamp
    assert not list(tmp_path.glob("articles.v1.*.json"))


def test_a_read_only_opening_reads_the_old_file_as_it_is(tmp_path: Path) -> None:
    db = old_store(tmp_path)
    original = db.read_bytes()
    store = ArticleStore(db, read_only=True)
    assert len(store) == 20 and len(store.summaries()) == 20
    first = store.summaries()[0]
    got = store.get(first.id)
    assert got is not None and got.headline == first.headline
    assert db.read_bytes() == original and not (tmp_path / "articles.segments").exists()


def test_a_single_file_that_lost_most_of_its_articles_is_not_converted(
    tmp_path: Path,
) -> None:
    db = old_store(tmp_path)
    tables = orjson.loads(db.read_bytes())
    tables["articles"] = dict(list(tables["articles"].items())[:1])
    db.write_bytes(orjson.dumps(tables))
    (tmp_path / "articles.json.bak").write_bytes((FIXTURES / "v1" / "articles.json")
                                                 .read_bytes())
    done = run_newstui("--db", str(db), "import", str(FIXTURES))
    assert done.returncode == 1 and "lost most of them" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert orjson.loads(db.read_bytes()) == tables
    assert not (tmp_path / "articles.segments").exists()


def test_a_symlinked_single_file_store_keeps_its_old_file_as_a_real_file(
        tmp_path: Path) -> None:
    """A store in a synced folder reached through a link: the conversion writes through
    the link, and NAME.v1.json beside the real file holds the old articles (a hard link
    of the link itself once made it a second link to the new manifest)."""
    synced = tmp_path / "sync"
    synced.mkdir()
    real = old_store(synced)
    original = real.read_bytes()
    local = tmp_path / "local"
    local.mkdir()
    (local / "articles.json").symlink_to("../sync/articles.json")
    done = run_newstui("--db", str(local / "articles.json"), "list")
    assert done.returncode == 0, done.stderr
    kept = synced / "articles.v1.json"
    assert not kept.is_symlink() and kept.read_bytes() == original
    assert (local / "articles.json").is_symlink()
    assert "segments" in manifest_of(real)
    assert len(ArticleStore(local / "articles.json")) == len(orjson.loads(original)["articles"])
