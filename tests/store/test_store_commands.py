"""`newstui delete`, `prune` and `compact`: each prints what it removed, reading state
goes with an article, `--dry-run` removes nothing, `--keep-starred` keeps."""

from __future__ import annotations

from pathlib import Path

import orjson
from support.store_helpers import run_newstui

from newstui.archive import Archive, bundled_samples
from newstui.article import ReadingState
from newstui.check import check
from newstui.store import ArticleStore


def samples(tmp_path: Path) -> Path:
    db = tmp_path / "s.json"
    Archive.open(db).import_paths([bundled_samples()])
    return db


def test_delete_by_prefix_prints_and_drops_the_state(tmp_path: Path) -> None:
    db = samples(tmp_path)
    store = ArticleStore(db)
    first, second = store.summaries()[:2]
    store.set_state(first.id, ReadingState(starred=True))
    done = run_newstui("--db", str(db), "delete", first.id[:8], second.id)
    assert done.returncode == 0, done.stderr
    assert first.headline in done.stdout and second.headline in done.stdout
    after = ArticleStore(db)
    assert len(after) == 18 and first.id not in after.states()
    unknown = run_newstui("--db", str(db), "delete", "zzzz", after.summaries()[0].id)
    assert unknown.returncode == 1 and "nothing deleted" in unknown.stderr
    assert len(ArticleStore(db)) == 18
    assert check(db).consistent


def test_prune_dry_run_keep_starred_and_compact(tmp_path: Path) -> None:
    db = samples(tmp_path)
    store = ArticleStore(db)
    dated = [s for s in store.summaries() if s.date]
    old = [s for s in dated if s.date and s.date < "2010"]
    assert old, "the samples have articles from before 2010"
    store.set_state(old[0].id, ReadingState(starred=True))
    dry = run_newstui("--db", str(db), "prune", "--older-than", "10y", "--dry-run")
    assert dry.returncode == 0 and dry.stdout.count("would remove") == len(
        [s for s in dated if s.date and s.date[:10] < _years_ago(10)])
    assert len(ArticleStore(db)) == 20
    done = run_newstui("--db", str(db), "prune", "--older-than", "10y", "--keep-starred")
    assert done.returncode == 0, done.stderr
    removed = done.stdout.count("removed ")
    assert removed >= 1 and "kept 1 starred" in done.stderr
    after = ArticleStore(db)
    assert len(after) == 20 - removed and old[0].id in {s.id for s in after.summaries()}
    compacted = run_newstui("--db", str(db), "compact")
    assert compacted.returncode == 0 and "record(s) dropped" in compacted.stdout
    manifest = orjson.loads(db.read_bytes())
    assert all(not e["dead"] for e in manifest["segments"].values())
    assert check(db).consistent
    bad = run_newstui("--db", str(db), "prune", "--older-than", "soon")
    assert bad.returncode == 2 and "90d" in bad.stderr


def _years_ago(years: int) -> str:
    from datetime import date, timedelta

    return (date.today() - timedelta(days=365 * years)).isoformat()
