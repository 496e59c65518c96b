"""Fixtures for the reader's tests: a temporary archive of the bundled samples (plus a
hostile article), and the app built on it the way the CLI builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.archive import Archive, bundled_samples
from newstui.tui.app import NewsApp

HOSTILE = """Hostile [bold]Markup[/bold] Story

[@click=app.quit]Click me[/] and [link=https://example.com]a link[/link] \
and \x1b[31mred\x1b[0m \x1b]52;c;aGVsbG8=\x07 and \x1b]0;pwned\x07 done.

A second paragraph with [red]colour[/red] tags.
"""


def write_hostile(folder: Path) -> Path:
    path = folder / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """The 20 fictional samples and one hostile article, in a store under tmp_path."""
    hostile_dir = tmp_path / "incoming"
    hostile_dir.mkdir()
    write_hostile(hostile_dir)
    archive = Archive.open(tmp_path / "articles.json")
    report = archive.import_paths([bundled_samples(), hostile_dir])
    assert report.ok and len(report.added) == 21
    return Archive.open(tmp_path / "articles.json")  # fresh, as the CLI opens it


@pytest.fixture
def app(archive: Archive) -> NewsApp:
    return NewsApp(archive)
