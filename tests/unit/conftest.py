"""Fixtures of the core tests: the corpus (skipped when absent), a way to run the real
`newstui` command without touching the real home directory, and throwaway archives."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.core import CORPUS, CliResult, CliRunner, run_newstui

from newstui.archive import Archive
from newstui.article import Article


def _corpus_dir(name: str) -> Path:
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"corpus not found at {path}: the shared test corpus is not on this machine")
    return path


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus folder (skips when it is absent, e.g. on a user's machine)."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: the shared test corpus is not on this machine")
    return CORPUS


@pytest.fixture(scope="session")
def bbc_dir() -> Path:
    return _corpus_dir("bbc")


@pytest.fixture(scope="session")
def seed_file() -> Path:
    path = _corpus_dir("seed") / "nato-seeks-russian-aid-for-afghans.txt"
    if not path.is_file():
        pytest.skip(f"corpus not found at {path}: the seed article is missing")
    return path


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment for subprocesses whose home and data folders are under tmp_path."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "NEWSTUI_DB"}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"),
               XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               COLUMNS="100", PYTHONIOENCODING="utf-8")
    # In-process code (Archive, platformdirs) must not see the real home either.
    for key in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.delenv("NEWSTUI_DB", raising=False)
    return env


@pytest.fixture
def cli(isolated_env: dict[str, str], tmp_path: Path) -> CliRunner:
    """Run newstui in a subprocess with HOME/XDG under tmp_path and no $NEWSTUI_DB."""

    def runner(*args: str, script: bool = False, env: dict[str, str] | None = None) -> CliResult:
        return run_newstui(list(args), {**isolated_env, **(env or {})}, tmp_path, script=script)

    return runner


@pytest.fixture
def make_archive(tmp_path: Path) -> Iterator[Callable[..., Archive]]:
    """Open an archive in tmp_path holding the given articles."""

    def factory(*articles: Article, name: str = "store.json") -> Archive:
        archive = Archive.open(tmp_path / name)
        if articles:
            archive.add(list(articles))
        return archive

    yield factory


@pytest.fixture(scope="session")
def bbc_store(bbc_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the whole BBC set, imported once per test run (read it only)."""
    path = tmp_path_factory.mktemp("bbc") / "bbc.json"
    report = Archive.open(path).import_paths([bbc_dir])
    assert report.ok, report.failures[:3]
    return path
