"""A FIFO (or a device) where newstui reads a file never hangs a command (issue 10's
class, members found after it by the red team): the config file however it is named,
the import cache beside the store, the manifest's backup. Each is refused in one line
or passed over; the timeout is what fails a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.store_helpers import run_newstui, story

from newstui.archive import Archive


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "s.json"
    archive = Archive.open(path)
    archive.upsert([story(1)])
    archive.upsert([story(2)])  # a second write: the manifest has a backup
    return path


@pytest.mark.parametrize("how", ["--config", "NEWSTUI_CONFIG", "default"])
def test_a_fifo_as_the_config_file_is_one_line(db: Path, tmp_path: Path, how: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "xdg" / "newstui"
    folder.mkdir(parents=True)
    fifo = folder / "config.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    args = ["--db", str(db)]
    if how == "--config":
        args = ["--config", str(fifo), *args]
    elif how == "NEWSTUI_CONFIG":
        monkeypatch.setenv("NEWSTUI_CONFIG", str(fifo))
    for command in (["list"], ["stats"], ["config"]):
        done = run_newstui(*args, *command, timeout=30)
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.strip().splitlines() == [
            f"newstui: {fifo}: cannot read the config file: not a regular file "
            "(a FIFO, socket or device)"], command


def test_a_folder_as_the_config_file_is_one_line(db: Path, tmp_path: Path) -> None:
    done = run_newstui("--config", str(tmp_path), "--db", str(db), "list", timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"newstui: {tmp_path}: is a folder, not a config file"]


@pytest.mark.parametrize("name", ["s.sources.json", "s.json.bak"])
def test_a_fifo_beside_the_store_is_passed_over(db: Path, name: str) -> None:
    beside = db.with_name(name)
    beside.unlink(missing_ok=True)
    os.mkfifo(beside)
    story_file = db.with_name("new.txt")
    story_file.write_text("A new headline\n\nThe body of the new story.\n")
    done = run_newstui("--db", str(db), "import", str(story_file), timeout=30)
    assert done.returncode == 0, done.stderr
    listed = run_newstui("--db", str(db), "list", timeout=30)
    assert "A new headline" in listed.stdout and "Story number 1" in listed.stdout
    assert run_newstui("--db", str(db), "check", timeout=30).returncode in (0, 1)
