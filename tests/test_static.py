"""Static checks in the same run as the tests: ruff over src and tests, mypy as configured
in pyproject.toml.

Findings in files another engineer owns (store.py, archive.py, article.py, the tui/
package and its tests, and modules added since) are reported as an expected failure
(xfail, listing them) so they stay visible without blocking; a finding in a core file
owned here (OURS) fails the test. When all is clean both tests simply pass.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

OURS = re.compile(
    r"^src/newstui/(__init__|__main__|textclean|dates|rawtext|importer|files|query|search"
    r"|render|cli)\.py$|^tests/(unit/|test_static\.py)"
)
# A finding names its file first, e.g. "src/newstui/cli.py:12:1: E501 ..." (ruff concise,
# mypy) — lines without a file are summaries and notes.
LOCATION = re.compile(r"^(?P<file>(?:src|tests)/[^:\s]+\.py):\d+")


def _tool(module: str) -> None:
    if shutil.which(module) is None and subprocess.run(
        [sys.executable, "-m", module, "--version"], capture_output=True
    ).returncode != 0:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


def _check(command: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", *command], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    if done.returncode == 0:
        return
    output = done.stdout + done.stderr
    findings = [m.group("file") for line in output.splitlines()
                if (m := LOCATION.match(line)) and ": note:" not in line]
    ours = sorted({f for f in findings if OURS.match(f)})
    if findings and not ours:
        theirs = "\n".join(line for line in output.splitlines() if LOCATION.match(line)
                           and ": note:" not in line)
        pytest.xfail(f"{command[0]} findings only in files owned by another engineer:\n{theirs}")
    pytest.fail(f"{' '.join(command)} failed (exit {done.returncode}):\n{output}")


def test_ruff() -> None:
    _tool("ruff")
    _check(["ruff", "check", "--output-format=concise", "src", "tests"])


def test_mypy() -> None:
    _tool("mypy")
    _check(["mypy", "--no-error-summary", "--no-color-output"])
