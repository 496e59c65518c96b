"""Helpers shared by the core tests (a module of its own: `from conftest import ...` is
ambiguous once another test folder has a conftest.py too)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newstui.article import Article

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "data" / "samples"
# The corpus is test data only: read from beside the repository, never copied into it.
CORPUS = (REPO_ROOT / ".." / "shared" / "corpus").resolve()


@dataclass
class CliResult:
    status: int
    stdout: str
    stderr: str


CliRunner = Callable[..., CliResult]


def run_newstui(args: list[str], env: dict[str, str], cwd: Path, script: bool = False,
                stdin: str | None = None) -> CliResult:
    """Run `python -m newstui ARGS` (or the installed `newstui` script)."""
    if script:
        command = [str(Path(sys.executable).parent / "newstui"), *args]
    else:
        command = [sys.executable, "-m", "newstui", *args]
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", input=stdin, timeout=120,
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    return CliResult(done.returncode, done.stdout, done.stderr)


def article(headline: str, *body: str, **fields: Any) -> Article:
    """A small article for tests."""
    return Article(headline=headline, body=tuple(body) or ("Body text.",), **fields)
