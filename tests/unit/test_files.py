"""atomic_write keeps what a file is: its data durable (fsync before the rename), its
link (a symlinked store stays a link), its permission bits, and no leftovers from a
write that was killed. Each test here fails when one of those lines is taken out."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import orjson
import pytest

from newstui import files
from newstui.archive import Archive
from newstui.article import Article
from newstui.files import DiskFullError, FileWriteError, atomic_write, stale_temporaries
from newstui.store import ArticleStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file semantics")


def _article(headline: str) -> Article:
    return Article(headline=headline, body=(f"Body of {headline}.",))


def _fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


# -- durability: the temporary file is fsynced, with all its data, before the rename ---

def _record_fsyncs_and_renames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, bytes]]:
    events: list[tuple[str, str, bytes]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        path = _fd_path(fd)
        data = Path(path).read_bytes() if os.path.isfile(path) else b""
        events.append(("fsync", path, data))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(("replace", os.fspath(src), b""))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


def test_temporary_file_is_fsynced_with_all_its_data_before_it_is_renamed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "store.json"
    target.write_bytes(b"old")
    events = _record_fsyncs_and_renames(monkeypatch)
    payload = b"new contents " * 1000
    atomic_write(target, payload)
    renames = [i for i, e in enumerate(events) if e[0] == "replace"]
    assert renames, "the new file must replace the old one by a rename"
    renamed = events[renames[-1]][1]
    synced = [e for e in events[:renames[-1]] if e[0] == "fsync" and e[1] == renamed]
    assert synced, f"{renamed} was renamed without being fsynced first: {events}"
    assert synced[-1][2] == payload, "fsync ran before all the data was written"
    assert target.read_bytes() == payload


def test_store_write_fsyncs_its_temporary_file_then_the_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "store.json"
    ArticleStore(db).add_many([_article("First")])
    events = _record_fsyncs_and_renames(monkeypatch)
    ArticleStore(db).add_many([_article("Second")])
    kinds = [(kind, "dir" if os.path.isdir(path) else
              "tmp" if re.search(r"/\.store\.json\.[^/]*\.tmp$", path) else path)
             for kind, path, _ in events]
    store_rename = next(i for i, (kind, path, _) in enumerate(events)
                        if kind == "replace" and path.endswith(".tmp")
                        and ".store.json." in path and ".bak" not in path)
    assert ("fsync", "tmp") in kinds[:store_rename]
    assert ("fsync", "dir") in kinds[store_rename:]


def test_a_failed_fsync_is_an_error_and_leaves_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "store.json"
    target.write_bytes(b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(FileWriteError, match=r"store\.json: cannot write"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["store.json"]


# -- a symlinked store stays a link -----------------------------------------------

def test_a_symlinked_file_stays_a_link_and_its_target_is_written(tmp_path: Path) -> None:
    synced = tmp_path / "synced"
    synced.mkdir()
    real = synced / "articles.json"
    real.write_bytes(b"first")
    link = tmp_path / "articles.json"
    link.symlink_to(real)
    atomic_write(link, b"second", backup=True)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"second"
    backup = tmp_path / "articles.json.bak"
    assert not backup.is_symlink() and backup.read_bytes() == b"first"
    atomic_write(link, b"third", backup=True)
    assert real.read_bytes() == b"third" and backup.read_bytes() == b"second"
    assert sorted(p.name for p in synced.iterdir()) == ["articles.json"]


def test_a_relative_and_chained_link_is_followed(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "real.json"
    real.write_bytes(b"one")
    (tmp_path / "middle.json").symlink_to("data/real.json")
    link = tmp_path / "store.json"
    link.symlink_to("middle.json")
    atomic_write(link, b"two")
    assert link.is_symlink() and (tmp_path / "middle.json").is_symlink()
    assert real.read_bytes() == b"two"


def test_importing_into_a_symlinked_store_keeps_the_link(tmp_path: Path) -> None:
    synced = tmp_path / "synced"
    synced.mkdir()
    real = synced / "articles.json"
    link = tmp_path / "articles.json"
    ArticleStore(real).add_many([_article("First")])
    link.symlink_to(real)
    archive = Archive.open(link)
    archive.add([_article("Second")])
    archive.add([_article("Third")])
    assert link.is_symlink()
    assert len(ArticleStore(real)) == 3
    backup = tmp_path / "articles.json.bak"
    assert backup.is_file() and not backup.is_symlink()
    # The backup is the previous manifest (two articles); the segments live beside the
    # file the link points to, so the archive is all in the synced folder.
    assert orjson.loads(backup.read_bytes())["meta"]["store"]["live"] == 2
    assert (synced / "articles.segments").is_dir()
    assert not (tmp_path / "articles.segments").exists()


# -- permission bits ------------------------------------------------------------------

@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o660])
def test_a_rewritten_file_keeps_its_permission_bits(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "store.json"
    target.write_bytes(b"old")
    target.chmod(mode)
    atomic_write(target, b"new", backup=True)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "store.json.bak").stat().st_mode) == mode


def test_a_private_store_stays_private_through_imports(tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    ArticleStore(db).add_many([_article("First")])
    db.chmod(0o600)
    Archive.open(db).add([_article("Second")])
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        atomic_write(tmp_path / "new.json", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o600


# -- leftovers of a killed write ----------------------------------------------------

def test_a_killed_write_leaves_a_temporary_file_that_the_next_write_removes(
        tmp_path: Path) -> None:
    target = tmp_path / "store.json"
    target.write_bytes(b"old")
    # A real process, killed between writing its temporary file and the rename.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from newstui import files
        os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        files.atomic_write(Path({str(target)!r}), b"x" * 1_000_000)
    """)
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == 1_000_000
    assert stale_temporaries(target) == leftovers
    atomic_write(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.json"]
    assert target.read_bytes() == b"new"


def test_a_live_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "store.json"
    target.write_bytes(b"old")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".store.json.{sleeper.pid}-abcd1234.tmp"
        live.write_bytes(b"being written")
        mine = tmp_path / f".store.json.{os.getpid()}-abcd1234.tmp"
        mine.write_bytes(b"another thread")
        other = tmp_path / ".other.json.1.tmp"
        other.write_bytes(b"not ours")
        assert stale_temporaries(target) == []
        atomic_write(target, b"new")
        assert live.exists() and mine.exists() and other.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    assert stale_temporaries(target) == [live]


def test_old_releases_leftover_names_are_recognised(tmp_path: Path) -> None:
    target = tmp_path / "store.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    old_style = tmp_path / f".store.json.{dead}.tmp"
    old_style.write_bytes(b"x")
    old_bak = tmp_path / ".store.json.bak.tmp"
    old_bak.write_bytes(b"x")
    atomic_write(target, b"new", backup=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.json"]


# -- a full disk ----------------------------------------------------------------------

def test_a_full_disk_is_one_clear_error_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "store.json"
    target.write_bytes(b"old")
    real_fsync = os.fsync

    def full(fd: int) -> None:
        if os.path.isfile(_fd_path(fd)):
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskFullError, match=r"store\.json: cannot write: no space left"):
        atomic_write(target, b"new", backup=True)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.json"]


def test_module_documents_its_promises() -> None:
    for promise in ("symbolic link", "permission bits", "killed", "full disk"):
        assert promise in (files.__doc__ or "")
