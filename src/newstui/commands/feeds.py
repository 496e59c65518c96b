"""`newstui feeds ...`, `newstui fetch` and `newstui import URL`: subscriptions from the
command line. cli.py only registers these; no Textual here.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from newstui.archive import Archive

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COMMANDS = {"feeds", "fetch"}


def register(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    """Add `feeds` and `fetch` to the main parser's subcommands."""
    feeds = sub.add_parser("feeds", parents=common, help="subscribe to RSS and Atom feeds")
    actions = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    p = actions.add_parser("add", parents=common, help="subscribe to a feed (nothing is fetched)")
    p.add_argument("url", metavar="URL")
    p.add_argument("--name", help="a short name to show and to fetch it by")
    p.add_argument("--folder", action="append", default=[], metavar="FOLDER",
                   help="a folder or tag (repeatable; `News/World` nests)")
    p.add_argument("--full-text", action="store_true",
                   help="download each new item's page and keep the whole article")
    p = actions.add_parser("list", parents=common, help="the subscriptions and their state")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = actions.add_parser("remove", parents=common, help="unsubscribe")
    p.add_argument("key", metavar="URL|NAME")
    p.add_argument("--delete-articles", action="store_true",
                   help="also delete the feed's articles (and their reading state)")
    p = actions.add_parser("import", parents=common, help="subscribe to the feeds of an OPML file")
    p.add_argument("file", metavar="FILE.opml")
    actions.add_parser("export", parents=common, help="the subscriptions as OPML 2.0 on stdout")
    p = actions.add_parser("every", parents=common,
                           help="fetch automatically while the reader is open")
    p.add_argument("minutes", type=_minutes, metavar="MINUTES",
                   help="minutes between fetches; 0: off")

    p = sub.add_parser("fetch", parents=common,
                       help="fetch new articles from every subscription (or those named)")
    p.add_argument("keys", nargs="*", metavar="URL|NAME")
    p.add_argument("--jobs", type=_jobs, default=4, metavar="N",
                   help="feeds fetched at once (default 4; one at a time per host)")
    p.add_argument("--timeout", type=_seconds, default=30.0, metavar="SECONDS",
                   help="give up on a feed after this long (default 30)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"must be 1 to 64, not {value}")
    return value


def _minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 24 * 60:
        raise argparse.ArgumentTypeError(f"must be 0 (off) to 1440, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 3600, not {text}")
    return value


def run(archive: Archive, args: argparse.Namespace) -> int:
    """Carry out `feeds ...` or `fetch`; errors a user can cause print one line."""
    from newstui.feeds.opml import OPMLError
    from newstui.feeds.subscriptions import SubscriptionError, SubscriptionList

    try:
        subscriptions = SubscriptionList.for_archive(archive)
        if args.command == "fetch":
            return cmd_fetch(archive, subscriptions, args)
        action = args.feeds_command
        if action == "add":
            return cmd_add(subscriptions, args)
        if action == "list":
            return cmd_list(archive, subscriptions, args.json)
        if action == "remove":
            return cmd_remove(archive, subscriptions, args.key, args.delete_articles)
        if action == "import":
            return cmd_import_opml(subscriptions, Path(args.file))
        if action == "export":
            return cmd_export_opml(subscriptions)
        if action == "every":
            return cmd_every(archive, args.minutes)
    except SubscriptionError as exc:
        _error(_one(exc))
        return EXIT_USAGE
    except OPMLError as exc:
        _error(f"{_one(args.file)}: {_one(exc)}")
        return EXIT_FAILED
    raise AssertionError(f"unknown feeds command {args}")


def _one(text: object) -> str:
    """A field of an output line: one line, nothing a terminal would act on (escape,
    control and bidi characters removed; a server, an OPML file or a hand-edited list
    may have put them there)."""
    from newstui.textclean import clean_line

    return clean_line(str(text), markup=False) if text is not None else ""


def _say(text: str, err: bool = False) -> None:
    """Print a line made of `_one` fields (inert again: nothing raw, ever)."""
    from newstui.inert import inert

    print(inert(text, lines=True), file=sys.stderr if err else sys.stdout)


def _json(data: Any) -> None:
    """JSON on stdout with C1, bidi and line-separator characters as \\uXXXX (orjson
    escapes C0 itself), as `list --json` writes articles."""
    from newstui.textclean import json_for_terminal

    sys.stdout.buffer.write(json_for_terminal(orjson.dumps(data, option=orjson.OPT_INDENT_2))
                            + b"\n")
    sys.stdout.flush()


def cmd_add(subscriptions: Any, args: argparse.Namespace) -> int:
    with subscriptions.changing():
        sub = subscriptions.add(args.url, args.name, [f.strip("/") for f in args.folder],
                                args.full_text)
    if sub is None:
        _say(f"already subscribed: {_one(args.url.strip())}")
        return EXIT_OK
    _say(f"subscribed to {_one(sub.url)}" + (f" as {_one(sub.name)!r}" if sub.name else "")
         + "; `newstui fetch` gets its articles")
    return EXIT_OK


def feed_counts(archive: Archive) -> tuple[Counter[str], Counter[str]]:
    """(articles, unread) by feed id."""
    states = archive.store.states()
    total: Counter[str] = Counter()
    unread: Counter[str] = Counter()
    for article in archive.store.articles():
        if article.feed:
            total[article.feed] += 1
            state = states.get(article.id)
            if state is None or not state.read:
                unread[article.feed] += 1
    return total, unread


def cmd_list(archive: Archive, subscriptions: Any, as_json: bool) -> int:
    total, unread = feed_counts(archive) if len(subscriptions) else (Counter(), Counter())
    rows = []
    for sub in subscriptions:
        status = ("gone (410)" if sub.gone else
                  f"failed: {sub.last_error}" if sub.last_error else
                  sub.last_status or "never fetched")
        rows.append({
            "url": sub.url, "name": sub.label, "folders": sub.folders,
            "full_text": sub.full_text, "articles": total[sub.feed_id],
            "unread": unread[sub.feed_id], "last_fetched": sub.last_fetched,
            "status": status, "error": sub.last_error, "retry_after": sub.retry_after,
            "failures": sub.failures, "gone": sub.gone,
        })
    if as_json:
        _json(rows)
        return EXIT_OK
    if not rows:
        print("no subscriptions; `newstui feeds add URL` or `newstui feeds import FILE.opml`")
        return EXIT_OK
    for row in rows:
        fetched = _one((row["last_fetched"] or "")[:16].replace("T", " ")) or "never"
        _say(f"{_one(row['name'])}\n    {_one(row['url'])}\n    {row['articles']} articles, "
             f"{row['unread']} unread · last fetched {fetched} · {_one(row['status'])}"
             + (f" · folders: {', '.join(_one(f) for f in row['folders'])}"
                if row["folders"] else ""))
    return EXIT_OK


def cmd_remove(archive: Archive, subscriptions: Any, key: str, delete_articles: bool) -> int:
    with subscriptions.changing():
        sub = subscriptions.find(key)
        subscriptions.remove(sub)
    deleted = 0
    if delete_articles:
        ids = [a.id for a in archive.store.articles() if a.feed == sub.feed_id]
        deleted = len(archive.delete(ids)) if ids else 0
    _say(f"unsubscribed from {_one(sub.url)}"
         + (f"; deleted {deleted} article(s)" if delete_articles else
            "; its articles stay in the archive"))
    return EXIT_OK


def cmd_import_opml(subscriptions: Any, path: Path) -> int:
    from newstui.feeds.opml import MAX_OPML_BYTES, OPMLError, read_opml
    from newstui.feeds.subscriptions import SubscriptionError

    try:
        with path.open("rb") as file:
            # At most one byte past the limit: /dev/zero or a runaway file is refused
            # by read_opml instead of read whole into memory.
            data = file.read(MAX_OPML_BYTES + 1)
    except OSError as exc:
        raise OPMLError(f"cannot read: {exc.strerror or exc}") from None
    outlines = read_opml(data)
    added = duplicates = 0
    problems: list[str] = []
    with subscriptions.changing():
        for outline in outlines:
            try:
                sub = subscriptions.add(outline.url, outline.name, outline.folders,
                                        outline.full_text)
            except SubscriptionError as exc:
                problems.append(str(exc))
                continue
            if sub is None:
                duplicates += 1
            else:
                added += 1
    for problem in problems:
        _error(f"{_one(path)}: skipped: {_one(problem)}")
    _say(f"subscribed to {added} feed(s) from {_one(path)}; {duplicates} duplicate(s) skipped"
         + (f"; {len(problems)} bad outline(s)" if problems else ""))
    return EXIT_FAILED if problems else EXIT_OK


def cmd_every(archive: Archive, minutes: int) -> int:
    from newstui.feeds.reader import AUTO_FETCH_SETTING

    archive.store.set_setting(AUTO_FETCH_SETTING, minutes)
    print(f"the reader fetches every {minutes} minutes while it is open" if minutes
          else "the reader fetches only when you press r")
    return EXIT_OK


def cmd_export_opml(subscriptions: Any) -> int:
    from newstui.feeds.opml import write_opml

    sys.stdout.buffer.write(write_opml(list(subscriptions)))
    sys.stdout.flush()
    return EXIT_OK


def cmd_fetch(archive: Archive, subscriptions: Any, args: argparse.Namespace) -> int:
    from newstui.feeds.fetching import FetchConfig
    from newstui.feeds.update import FAILED, fetch_feeds

    if not len(subscriptions):
        _error("no subscriptions to fetch; `newstui feeds add URL` first")
        return EXIT_USAGE
    bar = None if args.quiet or args.json or not sys.stderr.isatty() else FetchBar()
    config = FetchConfig(timeout=args.timeout, connect_timeout=min(10.0, args.timeout))
    report = fetch_feeds(archive, subscriptions, args.keys, args.jobs, config, bar)
    if bar is not None:
        bar.finish()
    if args.json:
        _json(report.to_json())
        return EXIT_OK if report.ok else EXIT_FAILED
    for result in report.results:
        label = _one(result.sub.label)
        if result.outcome == FAILED:
            _say(f"failed: {label}: {_one(result.reason)}")
        elif result.reason:
            _say(f"{result.outcome}: {label}: {_one(result.reason)}")
        for warning in result.warnings:
            _say(f"warning: {label}: {_one(warning)}", err=True)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILED


def is_url(text: str) -> bool:
    """Whether an `import` argument names a web page rather than a file."""
    return text.lower().startswith(("http://", "https://"))


def cmd_import_urls(archive: Archive, urls: list[str], timeout: float = 30.0) -> int:
    """`newstui import URL...`: fetch each page and import its article."""
    added, already, failures = import_urls(archive, urls, timeout)
    print(f"imported {added} from the web, already present {already}, failed {failures}")
    return EXIT_FAILED if failures else EXIT_OK


def import_urls(archive: Archive, urls: list[str], timeout: float = 30.0
                ) -> tuple[int, int, int]:
    """Fetch each page and import its article (a feed's URL: its items). Prints a line
    per failure; returns (articles added, already present, failures)."""
    from newstui.feeds.fetching import ACCEPT_PAGE, FetchConfig, FetchError, fetch, make_client
    from newstui.feeds.fulltext import NoArticleError, extract_article
    from newstui.feeds.parsing import FeedError, looks_like_feed, parse_feed
    from newstui.feeds.update import store_articles

    config = FetchConfig(timeout=timeout, connect_timeout=min(10.0, timeout))
    articles = []
    failures = 0
    with make_client(config) as client:
        for url in urls:
            try:
                page = fetch(client, url, config, accept=ACCEPT_PAGE)
                if page.status != 200:
                    raise FetchError(f"{page.status} {page.reason}")
                if looks_like_feed(page.body):
                    # A feed's URL: import its items, as a fetch would.
                    articles.extend(parse_feed(page.body, url, page.content_type).articles)
                else:
                    articles.append(extract_article(page.body, page.url, source=url))
            except (FetchError, NoArticleError, FeedError) as exc:
                _error(f"{_one(url)}: {_one(exc)}")
                failures += 1
            except Exception as exc:  # this page's failure, not the run's
                from newstui.feeds.update import unexpected

                _error(f"{_one(url)}: {unexpected(exc)}")
                failures += 1
    added, _updated = store_articles(archive, articles) if articles else ([], [])
    return len(added), len(articles) - len(added), failures


class FetchBar:
    """A one-line progress bar for `fetch` on a terminal."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int, label: str) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 24
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        sys.stderr.write(f"\rfetching [{bar}] {done}/{total} {_one(label)[:30]:<30}")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


def _error(message: str) -> None:
    _say(f"newstui: {message}", err=True)
