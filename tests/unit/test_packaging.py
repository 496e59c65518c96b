"""The packaging promises: a LICENSE matching pyproject's `license`, a CHANGELOG, and the
sample articles in the top-level data/ folder shipped inside the wheel (the first run
seeds the archive from them). A real non-editable install (`pip install .` into a fresh
venv, then `newstui list` seeds 20 articles) is too slow for the suite: it is checked by
hand when the packaging changes."""

from __future__ import annotations

from pathlib import Path

import tomllib

from newstui.archive import bundled_samples

REPO = Path(__file__).resolve().parents[2]


def test_license_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    assert project["license-files"] == ["LICENSE"]
    assert project["classifiers"] and project["urls"]
    assert (REPO / "CHANGELOG.md").read_text().startswith("# Changelog")


def test_samples_live_in_data_and_ship_in_the_wheel() -> None:
    samples = REPO / "data" / "samples"
    assert len(list(samples.glob("*.txt"))) == 20
    assert not (REPO / "src" / "newstui" / "data").exists()
    wheel = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
        "targets"]["wheel"]
    assert wheel["force-include"] == {"data": "newstui/data"}
    assert sorted(p.name for p in bundled_samples().iterdir()) == sorted(
        p.name for p in samples.iterdir())
