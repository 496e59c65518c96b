"""Case 18 (issue 12): the reading room under load. `newstui serve-ssh` against OpenSSH's
sshd starting a separate `newstui` per connection, in the same run, on the same
500-article archive (the first 100 stories of each BBC category in ../shared/corpus).

For each server: the first paint of one session (median of 5, one at a time), then 20
sessions at once — each opens the list, an article and a search, and all stay open —
with the first paint of each; the server's memory (PSS summed over the server and
every process under it, from /proc/PID/smaps_rollup) with 1 session open and with 20.

    python bench/case_serve.py            # ~2 minutes; writes its section of docs/benchmarks.md
    python bench/case_serve.py --no-doc   # print only

Needs OpenSSH (sshd, ssh, ssh-keygen) and the corpus; run as a user sshd accepts
(root here, as in tests/ssh).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The SSH servers and clients are the tests' own (tests/support/ssh_room.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import (
    CORPUS,
    REPO,
    SCRATCH,
    fresh_dir,
    median,
    newstui_argv,
    percentile,
    replace_doc_section,
    say,
)
from support.ssh_room import SSHD, Room, Sshd, make_key
from terminal import ENTER, ESCAPE, Terminal

DOC = REPO / "docs" / "benchmarks.md"
START, END = "<!-- case 18 (serve-ssh) start -->", "<!-- case 18 (serve-ssh) end -->"
SESSIONS = 20
MB = 1024 * 1024


# -- memory ------------------------------------------------------------------------------


def tree(root: int) -> list[int]:
    """`root` and every process under it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def pss(root: int) -> int:
    """Bytes of PSS of `root` and everything under it."""
    total = 0
    for pid in tree(root):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


# -- the servers ---------------------------------------------------------------------------


class Server:
    name = ""
    process: subprocess.Popen[bytes]

    def argv(self) -> list[str]:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class ReadingRoom(Server):
    name = "newstui serve-ssh"

    def __init__(self, folder: Path, store: Path, key: Path) -> None:
        authorized = folder / "authorized_keys"
        authorized.write_text(key.with_suffix(".pub").read_text())
        self.key = key
        self.room = Room(folder, store, "--authorized-keys", str(authorized),
                         "--max-sessions", str(SESSIONS + 5))
        self.process = self.room.process

    def argv(self) -> list[str]:
        return self.room.ssh_argv(self.key)

    def stop(self) -> None:
        self.room.stop()


class OpenSSH(Server):
    name = "OpenSSH sshd + newstui per connection"

    def __init__(self, folder: Path, store: Path, key: Path) -> None:
        self.store = store
        self.sshd = Sshd(folder, client_key=key, extra_config="MaxStartups 100\nMaxSessions 100\n")
        self.process = self.sshd.process

    def argv(self) -> list[str]:
        return self.sshd.ssh_argv(*newstui_argv(), "--db", str(self.store))

    def stop(self) -> None:
        self.sshd.stop()


# -- sessions --------------------------------------------------------------------------------


def client_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSTUI", "TEXTUAL", "SSH_"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(home))
    return env


LIST = "newest first"  # the end of the list's header: the first paint


class Session:
    """One reader at an OpenSSH client: its first paint, then list, article, search."""

    def __init__(self, server: Server, home: Path) -> None:
        self.term = Terminal(server.argv(), client_env(home))
        self.first_paint = 0.0
        self.error = ""
        self.done = threading.Event()

    def run(self) -> None:
        try:
            self.first_paint = self.term.until_text(LIST, 120) - self.term.started
            self.term.send(ENTER)
            self.term.until_text("article 1 of", 60)
            self.term.send("q")
            self.term.until_text(LIST, 60)
            self.term.send("/")
            self.term.until_text("Type to search", 60)
            for ch in "government":
                self.term.send(ch)
            self.term.until(lambda: re.search(r"\d+ match", self.term.text) is not None, 60)
        except Exception as exc:  # reported in the table, not raised
            self.error = f"{type(exc).__name__}: {str(exc)[:200]}"
        finally:
            self.done.set()

    def close(self) -> None:
        try:
            self.term.send(ESCAPE)
            self.term.settle(0.3, 5)
            self.term.send("q")
            deadline = time.monotonic() + 20
            while self.term.process.poll() is None and time.monotonic() < deadline:
                self.term.pump(0.1)
        finally:
            self.term.close()


def measure(server: Server, home: Path) -> dict[str, float]:
    idle = pss(server.process.pid)
    singles = []
    for _ in range(5):
        one = Session(server, home)
        one.run()
        if one.error:
            raise RuntimeError(f"{server.name}: {one.error}")
        singles.append(one.first_paint)
        one.close()
    first = Session(server, home)
    first.run()
    time.sleep(1)
    with_one = pss(server.process.pid)
    others = [Session(server, home) for _ in range(SESSIONS - 1)]
    threads = [threading.Thread(target=s.run) for s in others]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    time.sleep(1)
    with_all = pss(server.process.pid)
    everyone = [first, *others]
    painted = [s for s in everyone if not s.error]
    errors = [s.error for s in everyone if s.error]
    for session in everyone:
        session.close()
    concurrent = [s.first_paint for s in others if not s.error]
    return {
        "idle": idle, "one": with_one, "all": with_all,
        "per_extra": (with_all - with_one) / (SESSIONS - 1),
        "single_paint": median(singles),
        "concurrent_paint_p50": median(concurrent) if concurrent else float("nan"),
        "concurrent_paint_p95": percentile(concurrent, 95) if concurrent else float("nan"),
        "painted": len(painted), "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def build_store(folder: Path) -> Path:
    bbc = CORPUS / "bbc"
    if not bbc.is_dir():
        raise SystemExit(f"the corpus is not at {CORPUS}: this case needs ../shared/corpus")
    picked = folder / "picked"
    for category in sorted(p for p in bbc.iterdir() if p.is_dir()):
        target = picked / category.name
        target.mkdir(parents=True)
        for story in sorted(category.glob("*.txt"))[:100]:
            shutil.copy(story, target / story.name)
    store = folder / "store.json"
    subprocess.run([*newstui_argv(), "--db", str(store), "import", "-q", str(picked)],
                   check=True, capture_output=True)
    subprocess.run([*newstui_argv(), "--db", str(store), "reindex"], check=True,
                   capture_output=True)
    return store


def write_doc(rows: list[tuple[str, str, str, str, str, str]], when: str, count: int) -> None:
    table = ["| what | serve-ssh | OpenSSH sshd + newstui | ratio | target | verdict |",
             "|---|---|---|---|---|---|"]
    table += [f"| {' | '.join(row)} |" for row in rows]
    section = "\n".join([
        "", "## Case 18: the reading room (`newstui serve-ssh`) under load", "",
        f"Run {when} by `python bench/case_serve.py` ({count} articles: the first 100 "
        "stories of each BBC category; both servers in the same run, on loopback, with "
        "OpenSSH's client in a pty read by pyte). PSS is summed over the server and every "
        "process under it (`/proc/PID/smaps_rollup`): for sshd, the listener, each "
        "connection's sshd processes and each `newstui`; for serve-ssh, the server, the "
        "forker and each forked reader. 20 sessions at once each open the list, an "
        "article and a search, and stay open while memory is read.", "",
        *table, ""])
    replace_doc_section(DOC, START, END, section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args()
    if not (Path(SSHD).exists() and shutil.which("ssh")):
        raise SystemExit("OpenSSH (sshd, ssh) is not installed")
    started = time.monotonic()
    folder = fresh_dir(SCRATCH / "case16")
    store = build_store(folder)
    count = int(re.search(r"articles\s+([\d,]+)", subprocess.run(
        [*newstui_argv(), "--db", str(store), "stats"], capture_output=True,
        text=True).stdout).group(1).replace(",", ""))
    key = make_key(folder / "client_key")
    home = fresh_dir(folder / "home")
    results = {}
    for kind in (ReadingRoom, OpenSSH):
        say(f"case 18: {kind.name} …")
        server = kind(fresh_dir(folder / kind.__name__), store, key)
        try:
            results[kind.__name__] = measure(server, home)
        finally:
            server.stop()
    room, sshd = results["ReadingRoom"], results["OpenSSH"]

    def ms(value: float) -> str:
        return f"{value * 1000:,.0f} ms"

    def mb(value: float) -> str:
        return f"{value / MB:,.1f} MB"

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}×" if b else "—"

    paint = room["single_paint"] / sshd["single_paint"]
    paint20 = room["concurrent_paint_p50"] / sshd["concurrent_paint_p50"]
    rows = [
        ("first paint, one session (median of 5)", ms(room["single_paint"]),
         ms(sshd["single_paint"]), ratio(room["single_paint"], sshd["single_paint"]),
         "≤ 1.2×", "met" if paint <= 1.2 else "MISSED"),
        (f"first paint, {SESSIONS - 1} sessions starting at once (p50)",
         ms(room["concurrent_paint_p50"]), ms(sshd["concurrent_paint_p50"]),
         ratio(room["concurrent_paint_p50"], sshd["concurrent_paint_p50"]), "≤ 1.2×",
         "met" if paint20 <= 1.2 else "MISSED"),
        (f"first paint, {SESSIONS - 1} at once (p95)", ms(room["concurrent_paint_p95"]),
         ms(sshd["concurrent_paint_p95"]),
         ratio(room["concurrent_paint_p95"], sshd["concurrent_paint_p95"]), "", ""),
        (f"sessions that painted and searched, of {SESSIONS}", str(room["painted"]),
         str(sshd["painted"]), "", f"{SESSIONS}",
         "met" if room["painted"] == SESSIONS else "MISSED"),
        ("server PSS, no session", mb(room["idle"]), mb(sshd["idle"]),
         ratio(room["idle"], sshd["idle"]), "", ""),
        ("server PSS, 1 session", mb(room["one"]), mb(sshd["one"]),
         ratio(room["one"], sshd["one"]), "", ""),
        (f"server PSS, {SESSIONS} sessions", mb(room["all"]), mb(sshd["all"]),
         ratio(room["all"], sshd["all"]), "", ""),
        ("PSS per additional session", mb(room["per_extra"]), mb(sshd["per_extra"]),
         ratio(room["per_extra"], sshd["per_extra"]), "≤ 15 MB",
         "met" if room["per_extra"] <= 15 * MB else "MISSED"),
    ]
    for row in rows:
        print(" | ".join(row))
    for name, result in results.items():
        if result["first_error"]:
            print(f"{name}: {result['errors']} session(s) failed, e.g. {result['first_error']}")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if not args.no_doc:
        write_doc(rows, when, count)
        say(f"wrote case 18 into {DOC}")
    say(f"case 18 took {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
