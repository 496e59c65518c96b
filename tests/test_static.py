"""Static checks in the same run as the tests: ruff over src and tests, and mypy as
configured in pyproject.toml. A finding fails the run like a failing test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _run(*command: str) -> None:
    probe = subprocess.run([sys.executable, "-m", command[0], "--version"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"{command[0]} is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, "-m", *command], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command)} found problems:\n{done.stdout}{done.stderr}"


def test_ruff() -> None:
    _run("ruff", "check", "--output-format=concise", "src", "tests")


def test_mypy() -> None:
    _run("mypy")
