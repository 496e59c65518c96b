"""Paths, small statistics and the record of one measured figure, shared by the cases."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
CACHE = BENCH / ".cache"
SCRATCH = CACHE / "scratch"  # per-run copies; emptied at the start of every run


def newstui_argv() -> list[str]:
    """The installed `newstui` command beside this interpreter, else `python -m newstui`."""
    script = Path(sys.executable).parent / "newstui"
    return [str(script)] if script.exists() else [sys.executable, "-m", "newstui"]


def clean_env(home: Path) -> dict[str, str]:
    """The environment a reader's terminal would give: 80×24 xterm-256color, UTF-8,
    no NEWSTUI_/TEXTUAL_ settings leaking in from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI", "TEXTUAL"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(home),
               COLUMNS="80", LINES="24")
    # `BENCH_NEWSTUI_OUTPUT=plain python bench/run.py ...`: every case without the
    # output layer, to compare (cases 6 and 9 measure both in one run by themselves).
    if os.environ.get("BENCH_NEWSTUI_OUTPUT"):
        env["NEWSTUI_OUTPUT"] = os.environ["BENCH_NEWSTUI_OUTPUT"]
    return env


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) — no interpolation over a handful of samples."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed_run(argv: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of a command, start to exit."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    return time.perf_counter() - start, done


@dataclass
class Run:
    """One process, start to exit."""

    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss_mb: float  # peak resident set
    status: int
    stdout: str
    stderr: str


def measured_run(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to its end: wall time, CPU time and peak RSS (from wait4, so the
    figures are the process's own), exit status and output. The output goes to
    temporary files, so a chatty command cannot fill a pipe and stall."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                   process.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"))


def replace_doc_section(doc: Path, begin: str, end: str, body: str,
                        heading: str = "") -> None:
    """Put `body` between the markers `begin` and `end` in `doc` (docs/benchmarks.md),
    replacing what a previous run wrote there and nothing else; the first time, the
    block (under `heading`, if given) is added at the end."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + block + "\n"
    doc.write_text(text, encoding="utf-8")


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@dataclass
class Figure:
    """One row of the results table: a measurement of newstui beside its reference.

    `ratio` is value / reference; `target` the largest ratio (or, with `absolute`,
    the largest value) the issue accepts. None where the row only informs."""

    case: str
    what: str
    value: float | None
    unit: str
    reference: float | None = None
    reference_what: str = ""
    target: float | None = None
    absolute: bool = False  # the target bounds the value itself, not the ratio
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference:
            return None
        return self.value / self.reference

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        measured = self.value if self.absolute else self.ratio
        if measured is None:
            return None
        return measured <= self.target

    @property
    def margin(self) -> str:
        """How far from the target: 'met (0.41× of ≤0.5×)' or 'missed by 2.3×'."""
        if self.target is None:
            return ""
        measured = self.value if self.absolute else self.ratio
        if measured is None:
            return "not measured"
        if measured <= self.target:
            return "met"
        return f"missed: {measured / self.target:.2f}× the target"
