"""What a user can point a command at by mistake, and what an export writes into.

Two defect classes found by the red team after issue 10:
- a path that is not a store (a folder, a FIFO, a device) given to --db is the wrong
  --db, not damage: every command, `check --repair` included, says so in one line and
  renames, reads or replaces nothing (a repair once renamed the user's folder aside and
  hung on a FIFO);
- `export --output` replaced whatever was at the path (a link, a FIFO, a device) with a
  plain file and dropped its permission bits, and lost every article outside the last
  segment.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest
from support.store_helpers import manifest_of, run_newstui, story

from newstui.archive import Archive
from newstui.store import ArticleStore

COMMANDS = (["list"], ["stats"], ["check"], ["check", "--repair"], ["export"],
            ["import", "--quiet"])


def _odd_paths(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "Documents"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "a.jpg").write_text("precious")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    paths = [folder, fifo]
    if os.geteuid() == 0:
        null = tmp_path / "nulldev"  # a copy of /dev/null: safe to lose if the test fails
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        paths.append(null)
    return paths


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_folder_fifo_or_device_is_refused_in_one_line_and_left_alone(
        tmp_path: Path, command: list[str]) -> None:
    for odd in _odd_paths(tmp_path):
        (tmp_path / "story.txt").write_text("A headline\n\nA first paragraph of the story.\n")
        before = {p: p.lstat() for p in tmp_path.rglob("*")}
        args = ["--db", str(odd), *command]
        if command[0] == "import":
            args.append(str(tmp_path / "story.txt"))
        done = run_newstui(*args, timeout=30)  # a FIFO read would hang: timeout fails it
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1, (odd, done.stderr)
        assert len(lines) == 1 and "not a store file" in lines[0], (odd, done.stderr)
        assert "--repair" not in lines[0]  # the repair is not the way out: a file path is
        after = {p: p.lstat() for p in tmp_path.rglob("*")}
        assert set(after) == set(before), (odd, set(after) ^ set(before))
        for path, was in before.items():
            assert (after[path].st_ino, stat.S_IFMT(after[path].st_mode)) == (
                was.st_ino, stat.S_IFMT(was.st_mode)), path
        for child in tmp_path.iterdir():
            assert ".broken-" not in child.name


def _store_of_several_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from newstui import manifest, migrate, store

    for module in (manifest, store, migrate):
        monkeypatch.setattr(module, "SEGMENT_ARTICLES", 5)
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(n, day=1 + n % 28) for n in range(23)])
    assert len(manifest_of(db)["segments"]) == 5
    return db


def test_export_holds_every_article_of_every_segment(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    db = _store_of_several_segments(tmp_path, monkeypatch)
    ids = {s.id for s in ArticleStore(db).summaries()}
    out = tmp_path / "backup.jsonl"
    done = run_newstui("--db", str(db), "export", "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert "exported 23 articles" in done.stderr
    exported = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert {r["id"] for r in exported} == ids and len(exported) == 23
    to_stdout = run_newstui("--db", str(db), "export")
    assert len(to_stdout.stdout.splitlines()) == 23
    # ...and the backup restores the archive whole.
    again = tmp_path / "b.json"
    restored = run_newstui("--db", str(again), "import", str(out))
    assert restored.returncode == 0, restored.stderr
    assert {s.id for s in ArticleStore(again).summaries()} == ids


def test_an_article_listed_but_missing_stops_the_export_instead_of_a_silent_gap(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = _store_of_several_segments(tmp_path, monkeypatch)
    segment = sorted((tmp_path / "a.segments").iterdir())[0]
    data = orjson.loads(segment.read_bytes())
    dropped = next(iter(data["articles"]))
    del data["articles"][dropped]
    segment.write_bytes(orjson.dumps(data))
    out = tmp_path / "backup.jsonl"
    out.write_text("yesterday's backup\n")
    done = run_newstui("--db", str(db), "export", "--output", str(out))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "check --repair" in done.stderr
    assert out.read_text() == "yesterday's backup\n"  # the old backup is not replaced
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_writes_through_a_link_and_keeps_the_permission_bits(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(n) for n in range(3)])
    synced = tmp_path / "synced"
    synced.mkdir()
    real = synced / "backup.jsonl"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "backup.jsonl"
    link.symlink_to(real)
    done = run_newstui("--db", str(db), "export", "--output", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink()
    assert len(real.read_bytes().splitlines()) == 3
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_export_into_a_fifo_streams_into_it(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(n) for n in range(3)])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = run_newstui("--db", str(db), "export", "--output", str(fifo), timeout=30)
    reader.join(30)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO, not replaced by a file
    assert len(got[0].splitlines()) == 3


def test_export_to_a_folder_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(1)])
    done = run_newstui("--db", str(db), "export", "--output", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"newstui: {tmp_path}: is a folder; give --output a file name"]


def test_export_to_dev_stdout_reaches_the_pipe(tmp_path: Path) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(n) for n in range(3)])
    # The same kind of thing as /dev/stdout (a link to /proc/self/fd/1), but our own:
    # were the export ever to replace it again, the machine's /dev/stdout is unharmed
    # (the test runs as root in CI; an earlier release's export did replace it).
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    done = subprocess.run([sys.executable, "-m", "newstui", "--db", str(db), "export",
                           "--output", str(stdout)], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3
    assert stdout.is_symlink()


@pytest.mark.parametrize("age", ["999999d", "99999999999d", "3000000w", "9999999y"])
def test_an_age_before_the_year_one_is_a_usage_error(tmp_path: Path, age: str) -> None:
    db = tmp_path / "a.json"
    Archive.open(db).upsert([story(1)])
    done = run_newstui("--db", str(db), "prune", "--older-than", age)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith(f"'{age}' reaches back before the year 1")
    assert "Traceback" not in done.stderr
    assert len(ArticleStore(db)) == 1


@pytest.mark.parametrize("where", ["--db", "NEWSTUI_DB", "config"])
def test_a_home_folder_of_no_user_is_one_line(tmp_path: Path, where: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    value = "~no-such-user-here/a.json"
    args: list[str] = []
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    if where == "--db":
        args = ["--db", value]
    elif where == "NEWSTUI_DB":
        monkeypatch.setenv("NEWSTUI_DB", value)
    else:
        (tmp_path / "cfg" / "newstui").mkdir(parents=True)
        (tmp_path / "cfg" / "newstui" / "config.toml").write_text(f'store = "{value}"\n')
    done = run_newstui(*args, "list")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"newstui: {value}: no user named 'no-such-user-here'"]
