"""Bench case 16: fetching 100 feeds x 50 items, newstui against newsboat in one run.

    python bench/case_feeds.py [--feeds 100] [--items 50] [--latency 0.2] [--runs 1]

Each feed is served from its own loopback address (127.0.0.2, 127.0.0.3, ...: politeness
is per host, as on the real web) by a server in its own process (not measured), which
answers after `--latency` seconds, gzips when asked, sends ETag and Last-Modified and
answers 304 to a matching conditional request, and counts the bytes it sends. Items are
BBC stories from ../shared/corpus. Measured for each program, first into an empty store
(cache) and again with nothing changed: wall time, bytes downloaded (status line,
headers and body as sent), CPU time (user + system, from wait4) and peak RSS.

    newstui --db STORE fetch --jobs 4 -q
    newsboat -x reload -u URLS -c CACHE -C CONFIG      (CONFIG: reload-threads 4)

Writes its section of docs/benchmarks.md (between the case 16 markers) and prints it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import measured_run, replace_doc_section

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "bbc"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- case 16 (feeds) start -->", "<!-- case 16 (feeds) end -->"
PORT = 8016
CONTROL_PORT = 8116


# -- the server (run in its own process: `case_feeds.py --serve DIR LATENCY`) ---------

def serve(folder: Path, latency: float) -> None:
    feeds = {}
    for path in sorted(folder.glob("feed-*.xml")):
        body = path.read_bytes()
        feeds[int(path.stem.split("-")[1])] = (
            body, gzip.compress(body, 6), '"' + hashlib.sha1(body).hexdigest()[:20] + '"')
    modified = formatdate(1_750_000_000, usegmt=True)
    counter = {"bytes": 0, "requests": 0, "conditional": 0, "not_modified": 0}
    lock = threading.Lock()

    class Feed(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            time.sleep(latency)
            number = int(self.server.server_address[0].rsplit(".", 1)[1]) - 1  # type: ignore[index]
            body, packed, etag = feeds[number]
            conditional = bool(self.headers.get("If-None-Match")
                               or self.headers.get("If-Modified-Since"))
            fresh = (self.headers.get("If-None-Match") == etag
                     or (not self.headers.get("If-None-Match")
                         and self.headers.get("If-Modified-Since") == modified))
            if fresh:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                payload = b""
            else:
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
                payload = body
                if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    payload = packed
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(payload)))
            if fresh:
                self.send_header("Content-Length", "0")
            sent = sum(len(h) for h in self._headers_buffer)  # type: ignore[attr-defined]
            self.end_headers()
            self.wfile.write(payload)
            with lock:
                counter["bytes"] += sent + 2 + len(payload)
                counter["requests"] += 1
                counter["conditional"] += conditional
                counter["not_modified"] += fresh

    class Control(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with lock:
                payload = json.dumps(counter).encode()
                if self.path == "/reset":
                    for key in counter:
                        counter[key] = 0
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    servers = [ThreadingHTTPServer((f"127.0.0.{n + 1}", PORT), Feed) for n in sorted(feeds)]
    servers.append(ThreadingHTTPServer(("127.0.0.1", CONTROL_PORT), Control))
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


# -- the feeds ----------------------------------------------------------------------

def stories() -> list[tuple[str, list[str]]]:
    found = []
    for path in sorted(CORPUS.rglob("*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        parts = [p.strip() for p in text.split("\n\n") if p.strip()]
        if len(parts) >= 2:
            found.append((parts[0], parts[1:]))
    return found


def write_feeds(folder: Path, count: int, items: int) -> None:
    pool = stories()
    for feed in range(1, count + 1):
        entries = []
        for n in range(items):
            headline, paragraphs = pool[((feed - 1) * items + n) % len(pool)]
            content = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
            day = 1 + (n % 28)
            entries.append(
                f"<item><title>{html.escape(headline)}</title>"
                f"<link>http://127.0.0.{feed + 1}:{PORT}/story/{n}</link>"
                f"<guid isPermaLink=\"false\">feed{feed}-item{n}</guid>"
                f"<pubDate>Mon, {day:02d} Sep 2025 10:{n % 60:02d}:00 GMT</pubDate>"
                f"<description><![CDATA[{content}]]></description></item>")
        document = (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                    f"<title>Feed {feed}</title><link>http://127.0.0.{feed + 1}:{PORT}/</link>"
                    f"<description>Bench feed {feed}</description>{''.join(entries)}"
                    f"</channel></rss>\n")
        (folder / f"feed-{feed}.xml").write_text(document, encoding="utf-8")


# -- measuring ----------------------------------------------------------------------

def control(path: str) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{CONTROL_PORT}{path}", timeout=10) as r:
        return json.loads(r.read())


def measure(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    control("/reset")
    run = measured_run(argv, env)
    counts = control("/count")
    return {"wall": run.wall, "cpu": run.cpu, "rss": run.rss_mb, "bytes": counts["bytes"],
            "requests": counts["requests"], "conditional": counts["conditional"],
            "not_modified": counts["not_modified"], "status": run.status,
            "tail": (run.stdout + run.stderr).strip().splitlines()[-1:] or [""]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=1, help="repetitions (median kept)")
    parser.add_argument("--serve", nargs=2, metavar=("DIR", "LATENCY"), help=argparse.SUPPRESS)
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), float(args.serve[1]))
        return 0
    newsboat = shutil.which("newsboat")
    if not CORPUS.is_dir():
        print(f"skipped: no corpus at {CORPUS}")
        return 0
    newstui = Path(sys.executable).with_name("newstui")
    work = Path(tempfile.mkdtemp(prefix="newstui-bench16-"))
    server = None
    try:
        feeds_dir = work / "feeds"
        feeds_dir.mkdir()
        write_feeds(feeds_dir, args.feeds, args.items)
        feed_bytes = sum(p.stat().st_size for p in feeds_dir.iterdir())
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(feeds_dir),
                                   str(args.latency)], stdout=subprocess.PIPE)
        assert server.stdout is not None
        server.stdout.readline()
        urls = [f"http://127.0.0.{n + 1}:{PORT}/feed.xml" for n in range(1, args.feeds + 1)]
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        results: dict[str, list[dict[str, float]]] = {}
        for run in range(args.runs):
            home = work / f"home{run}"
            home.mkdir()
            run_env = {**env, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                       "XDG_CONFIG_HOME": str(home / "config")}
            db = home / "articles.json"
            opml = home / "subs.opml"
            opml.write_text(
                '<?xml version="1.0"?><opml version="2.0"><head/><body>'
                + "".join(f'<outline type="rss" text="f{n}" xmlUrl="{u}"/>'
                          for n, u in enumerate(urls)) + "</body></opml>")
            subprocess.run([str(newstui), "--db", str(db), "feeds", "import", str(opml)],
                           env=run_env, check=True, capture_output=True)
            argv = [str(newstui), "--db", str(db), "fetch", "--jobs", "4", "-q"]
            for label in ("first", "second"):
                results.setdefault(f"newstui {label}", []).append(measure(argv, run_env))
            if newsboat:
                (home / "urls").write_text("\n".join(urls) + "\n")
                (home / "config").mkdir(exist_ok=True)
                (home / "newsboat.conf").write_text("reload-threads 4\n")
                nb = [newsboat, "-x", "reload", "-u", str(home / "urls"),
                      "-c", str(home / "cache.db"), "-C", str(home / "newsboat.conf")]
                for label in ("first", "second"):
                    results.setdefault(f"newsboat {label}", []).append(measure(nb, run_env))
        text = report(results, args, feed_bytes, newsboat is not None)
        print(text)
        if not args.no_doc:
            write_section(text)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def median_of(values: list[dict[str, float]], key: str) -> float:
    ordered = sorted(v[key] for v in values)
    return ordered[len(ordered) // 2]


def report(results: dict[str, list[dict[str, float]]], args: argparse.Namespace,
           feed_bytes: int, have_newsboat: bool) -> str:
    def figure(name: str, key: str) -> float:
        return median_of(results[name], key)

    lines = [
        f"## Case 16 (feeds): fetching {args.feeds} feeds × {args.items} items "
        f"({feed_bytes / 1e6:.1f} MB of RSS), {args.latency * 1000:.0f} ms per response, "
        "one loopback address per feed",
        "",
        f"`python bench/case_feeds.py --feeds {args.feeds} --items {args.items} "
        f"--latency {args.latency} --runs {args.runs}` (median of {args.runs} run(s); "
        f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])})",
        "",
        "| run | wall | downloaded | requests (conditional, 304) | CPU | peak RSS | exit |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in results:
        lines.append(
            f"| {name} | {figure(name, 'wall'):.2f} s | {figure(name, 'bytes') / 1024:,.0f} KiB "
            f"| {figure(name, 'requests'):.0f} ({figure(name, 'conditional'):.0f}, "
            f"{figure(name, 'not_modified'):.0f}) | {figure(name, 'cpu'):.2f} s "
            f"| {figure(name, 'rss'):.0f} MB | {results[name][-1]['status']:.0f} |")
    if have_newsboat:
        def ratio(ours: str, theirs: str, key: str) -> float:
            return figure(ours, key) / max(figure(theirs, key), 1e-9)

        targets = [
            ("first fetch wall time", ratio("newstui first", "newsboat first", "wall"), 1.0),
            ("second fetch bytes", ratio("newstui second", "newsboat second", "bytes"), 0.1),
            ("second fetch CPU time", ratio("newstui second", "newsboat second", "cpu"), 0.5),
            ("peak RSS (first fetch)", ratio("newstui first", "newsboat first", "rss"), 2.5),
            ("peak RSS (second fetch)", ratio("newstui second", "newsboat second", "rss"), 2.5),
        ]
        lines += ["", "| target | newstui ÷ newsboat | target | met |", "|---|---|---|---|"]
        for name, value, target in targets:
            lines.append(f"| {name} | {value:.2f}× | ≤ {target}× | "
                         f"{'yes' if value <= target else 'NO'} |")
    else:
        lines += ["", "newsboat is not installed: no reference figures."]
    return "\n".join(lines)


def write_section(text: str) -> None:
    replace_doc_section(DOC, BEGIN, END, text)


if __name__ == "__main__":
    sys.exit(main())
