"""The `newstui` command: subcommands over the archive, and the reader (TUI) by default.

Nothing here imports Textual except `run_reader`, so `newstui list` and friends start
fast and work where no TUI can run. Errors a user causes print one line on stderr and
exit with a status: 1 for a failed operation, 2 for a command or query not understood.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import orjson

from newstui import terminal
from newstui.archive import DEFAULT_LIMIT, Archive, bundled_samples
from newstui.commands import feeds as feed_commands
from newstui.commands.config import VersionAction, describe_subcommands, load_settings
from newstui.config import ConfigError, Settings
from newstui.files import UnknownUserError, atomic_write, expand_user
from newstui.inert import inert
from newstui.pg import is_database_url
from newstui.query import QueryError
from newstui.render import format_article, format_list_row
from newstui.snippets import fit_snippet
from newstui.store import CorruptStoreError, StoreError, UnknownArticleError
from newstui.textclean import json_for_terminal

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
READING_COMMANDS = {None, "list", "show", "search", "stats", "export", "serve-ssh", "serve-web"}


class UsageError(Exception):
    """A command line that cannot be carried out as given (exit status 2)."""


def default_store_path() -> Path:
    """Where the archive lives when neither --db nor $NEWSTUI_DB says otherwise."""
    from newstui.folders import data_folder

    return data_folder() / "articles.json"


def build_parser() -> argparse.ArgumentParser:
    # Global options go on a parent parser shared with every subcommand, so that
    # `newstui --db X list` and `newstui list --db X` both work. In the subcommands
    # they default to SUPPRESS so they do not overwrite a value given before.
    def global_options(suppress: bool) -> CommandLineParser:
        default = argparse.SUPPRESS if suppress else None
        parent = CommandLineParser(add_help=False)
        parent.add_argument("--db", metavar="PATH", default=default,
                            help="the store file, or postgresql://… for a shared database "
                                 "(default: $NEWSTUI_DB, else the config file's `store`, else "
                                 "the user data folder)")
        parent.add_argument("--config", metavar="FILE", default=default,
                            help="the config file (default: $NEWSTUI_CONFIG, else "
                                 "config.toml in the user config folder)")
        parent.add_argument("--debug", action="store_true",
                            default=argparse.SUPPRESS if suppress else False,
                            help="show tracebacks for errors")
        return parent

    parser = CommandLineParser(
        prog="newstui", parents=[global_options(False)],
        description="A terminal news browser: keep, read and search a news archive.",
        epilog="With no command, opens the reader. Query syntax: see `newstui search --help`.",
    )
    parser.add_argument("--version", action=VersionAction,
                        help="print the versions of newstui, Python, Textual, tantivy, TinyDB")
    reader = parser.add_argument_group("the reader (with no command)")
    reader.add_argument("--color", choices=terminal.COLOR_MODES, default=None,
                        help="colours: auto (default; follows COLORTERM, TERM, NO_COLOR), "
                             "truecolor, 256, 16 or none. Also $NEWSTUI_COLOR")
    bandwidth = reader.add_mutually_exclusive_group()
    bandwidth.add_argument("--low-bandwidth", dest="low_bandwidth", action="store_true",
                           default=None, help="no animation, no mouse, fewer frames "
                           "(default over SSH; also $NEWSTUI_LOW_BANDWIDTH=1)")
    bandwidth.add_argument("--no-low-bandwidth", dest="low_bandwidth", action="store_false",
                           help="full frame rate and mouse even over SSH")
    reader.add_argument("--output", dest="output_mode", choices=terminal.OUTPUT_MODES,
                        default=None, help="shadow (default): send the terminal only the "
                        "cells that changed; plain: Textual's own output, for a terminal "
                        "that shows the other wrongly. Also $NEWSTUI_OUTPUT")
    reader.add_argument("--ascii", action="store_true", default=None,
                        help="draw with ASCII only (automatic when the locale is not UTF-8)")
    reader.add_argument("--state", metavar="PATH", default=None,
                        help="keep this reader's reading state (read, starred, position) "
                             "in PATH instead of beside the store")
    reader.add_argument("--theme", metavar="NAME",
                        help="the theme to start with (a Textual theme or one from the "
                             "config file); also $NEWSTUI_THEME")
    sub: Any = parser.add_subparsers(dest="command", metavar="COMMAND")
    common: list[argparse.ArgumentParser] = [global_options(True)]

    p = sub.add_parser("import", parents=common, help="import files and folders of articles")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="raw scraped pages, plain-text stories, .json/.jsonl exports; "
                        "folders recursively")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar or warnings")

    p = sub.add_parser("list", parents=common, help="list articles, newest first")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N articles")
    p.add_argument("--json", action="store_true", help="print JSON records")

    p = sub.add_parser("show", parents=common, help="print one article")
    p.add_argument("id", metavar="ID", help="an article id (a unique prefix will do)")
    p.add_argument("--json", action="store_true", help="print the JSON record")

    p = sub.add_parser(
        "search", parents=common, help="search the archive",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_query_help(),
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="the query (quote it in the shell)")
    p.add_argument("--limit", type=_positive, default=DEFAULT_LIMIT, metavar="N",
                   help=f"at most N results (default {DEFAULT_LIMIT})")
    p.add_argument("--json", action="store_true", help="print JSON records with score and snippet")

    p = sub.add_parser("export", parents=common, help="write every article as JSON Lines")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    sub.add_parser("reindex", parents=common, help="rebuild the search index from the store")
    sub.add_parser("stats", parents=common, help="counts and sizes of the archive")

    p = sub.add_parser("copy", parents=common,
                       help="copy an archive between stores (a file and postgresql://…)")
    p.add_argument("--from", dest="source", required=True, metavar="DB",
                   help="the archive to copy: a store path or postgresql://…")
    p.add_argument("--to", dest="target", required=True, metavar="DB",
                   help="where to: a store path or postgresql://…")

    p = sub.add_parser("check", parents=common,
                       help="check the store and index are whole; --repair puts them right")
    p.add_argument("--repair", action="store_true",
                   help="restore the backup / salvage records, fix ids, rebuild the index")
    from newstui import store_commands  # delete, prune, compact (issue 9)

    store_commands.add_parsers(sub, common)
    from newstui.serve import commands as serve_commands  # the reading room (issue 12)

    serve_commands.add_parsers(sub, common)
    feed_commands.register(sub, common)

    p = sub.add_parser("config", parents=common,
                       help="print the config file's path and the effective settings")
    p.add_argument("--json", action="store_true",
                   help="print JSON, with where each setting came from")
    p = sub.add_parser("completion", parents=common,
                       help="print a shell completion script (bash, zsh or fish)")
    p.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")
    describe_subcommands(parser)
    return parser


def _query_help() -> str:
    from newstui import query

    return "Query syntax:\n" + (query.__doc__ or "").split("\n\n")[1]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


#: Marks a query word argparse would take for an option (`-russia`); removed after parsing
#: (and from any message argparse prints).
_WORD_MARK = "\x00"
#: Options that take a value: the global ones (before the command) and `search`'s.
_GLOBAL_VALUE_OPTIONS = ("--db", "--color", "--state", "--config", "--theme")
_SEARCH_VALUE_OPTIONS = ("--db", "--limit", "--config")


class CommandLineParser(argparse.ArgumentParser):
    """argparse, whose error messages never show our internal mark nor raw escape
    sequences from what was typed (a pasted file name, say)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        text = inert(message.replace(_WORD_MARK, "").replace(repr(_WORD_MARK)[1:-1], ""))
        self.exit(EXIT_USAGE, f"{self.prog}: error: {text}\n")


def _protect_exclusions(argv: Sequence[str]) -> list[str]:
    """`newstui search nato --limit 2 -russia`: after the `search` command, a `-word` is
    an excluded query term, not an unknown option (argparse would reject it), and the
    query's words may come before, between or after the options: they are marked and
    moved after the options, where argparse reads them all as the query.

    Only `search` in the command's place counts (`newstui import search -q` imports a
    file named "search")."""
    command = None
    position = 0
    while position < len(argv):
        token = argv[position]
        if token == "--":
            return list(argv)
        if token in _GLOBAL_VALUE_OPTIONS:
            position += 2
            continue
        if token.startswith("-"):
            position += 1
            continue
        command = token
        break
    if command != "search":
        return list(argv)
    head, rest = list(argv[:position + 1]), argv[position + 1:]
    options: list[str] = []
    words: list[str] = []
    index = 0
    while index < len(rest):
        token = rest[index]
        if token == "--":
            words.extend(_WORD_MARK + word if word.startswith("-") else word
                         for word in rest[index + 1:])
            break
        if token in _SEARCH_VALUE_OPTIONS:
            options.extend(rest[index:index + 2])
            index += 2
            continue
        if token.startswith("--") or token == "-h":
            options.append(token)
        elif token.startswith("-") and len(token) > 1:
            words.append(_WORD_MARK + token)
        else:
            words.append(token)
        index += 1
    return [*head, *options, *words]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_protect_exclusions(sys.argv[1:] if argv is None else argv))
    if getattr(args, "query", None):
        args.query = [word.removeprefix(_WORD_MARK) for word in args.query]
    try:
        return run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `newstui list | head`: the reader went away, which is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (QueryError, UsageError, ConfigError, UnknownUserError) as exc:
        if args.debug:
            raise
        _error(f"{exc}")
        return EXIT_USAGE
    except (StoreError, OSError) as exc:
        # OSError covers FileWriteError and anything the file system says that the
        # core does not wrap (a missing folder, a full disk): one line, no traceback.
        if args.debug:
            raise
        hint = ""
        if isinstance(exc, CorruptStoreError):
            hint = "; `newstui check --repair` can mend it"
        _error(f"{exc}{hint}")
        return EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    args.settings = settings  # for the reader, whichever store dispatch() is given
    for warning in settings.warnings:
        print(inert(f"newstui: warning: {warning}"), file=sys.stderr)
    if args.command == "config":
        from newstui.commands.config import cmd_config

        if settings.store is None:  # show where the store is, not just "unset"
            settings = dataclasses.replace(settings, store=str(default_store_path()))
        return cmd_config(settings, args.json)
    if args.command == "completion":
        from newstui.commands.completion import script

        print(script(args.shell, build_parser()), end="")
        return EXIT_OK
    if args.command == "copy":
        from newstui.pg.copy import run_copy

        return run_copy(args.source, args.target, getattr(args, "state", None))
    url = settings.store  # --db, $NEWSTUI_DB or the config file's `store`
    if url and is_database_url(url):
        from newstui.pg import commands as pg_commands

        return pg_commands.run(url, args, sys.modules[__name__])
    path, chosen = _store_location(settings.store)
    state = getattr(args, "state", None)
    archive = Archive.open(path, on_wait=_say_waiting,
                           state_path=expand_user(state) if state else None)
    if not chosen and args.command in READING_COMMANDS and not path.exists():
        _seed(archive)
    return dispatch(archive, args)


def dispatch(archive: Any, args: argparse.Namespace) -> int:
    """Run the command on an open archive (a TinyDB `Archive` or a `PgArchive`)."""
    command = args.command
    if command is None:
        settings = getattr(args, "settings", None)
        return run_reader(archive, settings if settings is not None else load_settings(args))
    if command == "import":
        # `newstui import URL` reads an article page (or a feed) from the web.
        urls = [p for p in args.paths if feed_commands.is_url(p)]
        paths = [p for p in args.paths if p not in urls]
        status = cmd_import(archive, paths, quiet=args.quiet) if paths else EXIT_OK
        if urls:
            status = max(status, feed_commands.cmd_import_urls(archive, urls))
        return status
    if command in feed_commands.COMMANDS:
        return feed_commands.run(archive, args)
    if command == "list":
        return cmd_list(archive, args.limit, args.json)
    if command == "show":
        return cmd_show(archive, args.id, args.json)
    if command == "search":
        return cmd_search(archive, " ".join(args.query), args.limit, args.json)
    if command == "export":
        return cmd_export(archive, args.output)
    if command == "reindex":
        count = archive.reindex()
        print(f"indexed {count} articles in {archive.store.index_path}")
        return EXIT_OK
    if command == "stats":
        return cmd_stats(archive)
    if command == "check":
        return cmd_check(archive.path, args.repair)
    if command in ("delete", "prune", "compact"):
        from newstui import store_commands

        return store_commands.run(archive, args)
    if command in ("serve-ssh", "serve-web"):
        from newstui.serve import commands as serve_commands

        _serve_settings(args)

        return serve_commands.run(archive, args)
    raise UsageError(f"unknown command {command!r}")  # argparse rejects it first


def _serve_settings(args: argparse.Namespace) -> None:
    """Options of serve-ssh / serve-web not given on the command line, from the settings
    (flag > environment > config file > default: see config.py)."""
    settings = getattr(args, "settings", None) or load_settings(args)
    if args.command == "serve-ssh":
        args.host, args.port = settings.ssh_host, settings.ssh_port
        args.max_sessions, args.idle_timeout = settings.ssh_max_sessions, settings.ssh_idle_timeout
    else:
        args.host, args.port = settings.web_host, settings.web_port
    if not 0 <= args.port <= 65535:
        raise UsageError(f"port {args.port} is not a port number (0 to 65535)")
    if getattr(args, "max_sessions", 1) < 1:
        raise UsageError(f"max_sessions must be 1 or more, not {args.max_sessions}")


def _store_location(chosen: str | None) -> tuple[Path, bool]:
    """(path, chosen): chosen is False for the default location, which is seeded.
    `chosen`: --db, $NEWSTUI_DB or the config file's `store` (see config.py)."""
    if chosen:
        path = expand_user(chosen)
        # A mistyped folder is reported, not created (nor left to fail mid-write).
        if not path.parent.is_dir():
            raise StoreError(f"{path}: no such folder {path.parent} for the store")
        return path, True
    path = default_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path, False


def _seed(archive: Archive) -> None:
    report = archive.import_paths([bundled_samples()])
    _info(f"created {archive.path} with {len(report.added)} fictional sample articles; "
          "`newstui import PATH` adds your own")


def _say_waiting(lock: Path) -> None:
    _info(f"waiting for another newstui process writing this store ({lock})…")


def run_reader(archive: Archive, config: Settings) -> int:
    """Open the TUI (the only path that imports Textual)."""
    if terminal.is_dumb(os.environ) and not terminal.web_driver(os.environ):
        raise UsageError(f"TERM={os.environ.get('TERM', '')!r} cannot draw the reader; use "
                         "`newstui list`, `newstui show ID` or `newstui search QUERY`")
    web = terminal.web_driver(os.environ)
    # Textual reads keys from stdin and draws on stderr: both must be a terminal
    # (unless Textual's web driver draws in a browser: `newstui serve-web`).
    if not web and not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError("the reader needs a terminal; in a script or a pipe use "
                         "`newstui list`, `newstui show ID` or `newstui search QUERY`")
    try:
        settings = terminal.BROWSER if web else terminal.resolve(
            os.environ, config.color, config.low_bandwidth, config.ascii,
            locale_env=terminal.initial_environment(),
            bce=terminal.terminal_has_bce(os.environ.get("TERM", "")))
        settings = dataclasses.replace(settings, output=config.output)
    except terminal.TerminalError as exc:
        raise UsageError(str(exc)) from None
    # Textual reads its settings from the environment as it loads: set them first.
    if os.environ.get("NO_COLOR") == "":
        del os.environ["NO_COLOR"]  # Textual would count an empty NO_COLOR as set
    os.environ.update(settings.textual_environment())
    run_app = importlib.import_module("newstui.tui.app").run_app
    return int(run_app(archive, settings, config))


# -- subcommands ---------------------------------------------------------------


def cmd_import(archive: Archive, paths: list[str], quiet: bool = False) -> int:
    progress = None if quiet or not sys.stderr.isatty() else ProgressBar(sys.stderr)
    report = archive.import_paths(paths, progress)
    if progress is not None:
        progress.finish()
    for problem in report.failures:
        _error(str(problem))
    if not quiet:
        for problem in report.warnings:
            _error(f"warning: {problem}")
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_list(archive: Archive, limit: int | None, as_json: bool) -> int:
    store = archive.store
    if as_json:
        if limit is None:
            records = [a.to_record() for a in store.newest_first()]
        else:  # read just those articles
            records = [a.to_record() for s in store.summaries()[:limit]
                       if (a := store.get(s.id)) is not None]
        _print_json(records)
        return EXIT_OK
    width = _terminal_width()
    # Rows need no article bodies: the summaries are read without parsing the store.
    rows = [inert(format_list_row(summary, width), lines=True)
            for summary in store.summaries()[:limit]]
    if rows:  # an empty store prints nothing, not an empty line
        print("\n".join(rows))
    return EXIT_OK


def cmd_show(archive: Archive, article_id: str, as_json: bool) -> int:
    try:
        article = archive.store.resolve(article_id)
    except UnknownArticleError as exc:
        _error(str(exc))
        return EXIT_FAILED
    if as_json:
        _print_json(article.to_record())
        return EXIT_OK
    text = inert(format_article(article, width=_terminal_width()), lines=True)
    if _styled_output():
        # On a terminal the headline stands out; in a pipe or a file, plain text only.
        headline, _, rest = text.partition("\n\n")
        text = f"\x1b[1m{headline}\x1b[0m\n\n{rest}"
    print(text)
    return EXIT_OK


def cmd_search(archive: Archive, text: str, limit: int, as_json: bool) -> int:
    results = archive.search(text, limit)
    if as_json:
        _print_json([{**hit.article.to_record(), "score": round(hit.score, 4),
                      "snippet": hit.snippet.marked()} for hit in results.hits])
        return EXIT_OK
    width = _terminal_width()
    start, end = ("\x1b[1m", "\x1b[0m") if _styled_output() else ("«", "»")
    on_terminal = sys.stdout.isatty()
    for hit in results.hits:
        print(inert(format_list_row(hit.article, width), lines=True))
        if on_terminal:
            # One line windowed round its match, inert piece by piece (newstui.snippets).
            snippet = fit_snippet(hit.snippet, width - 4).marked(start, end)
        else:
            # Cleaned with private-use marks in place, which survive; then the real marks.
            marked = inert(hit.snippet.marked("\ue000", "\ue001"), lines=True)
            snippet = marked.replace(chr(0xE000), start).replace(chr(0xE001), end)
        print(f"    {snippet}")
    shown = len(results.hits)
    counted = (f"{results.total} match{'es' if results.total != 1 else ''}" if results.exact
               else results.describe_total())
    print(counted + (f", best {shown} shown" if shown < results.total else ""),
          file=sys.stderr)
    return EXIT_OK


def cmd_export(archive: Archive, output: str | None) -> int:
    if isinstance(archive, Archive):
        from newstui.store_commands import cmd_export as export  # streamed: bounded memory

        return export(archive, output, json_for_terminal)
    lines = json_for_terminal(
        b"".join(orjson.dumps(a.to_record()) + b"\n" for a in archive.store.newest_first()))
    if output is None:
        sys.stdout.buffer.write(lines)
        sys.stdout.flush()
    else:
        atomic_write(Path(output), lines)
        _info(f"exported {len(archive.store)} articles to {output}")
    return EXIT_OK


def cmd_check(path: Path, repair: bool) -> int:
    """Report what is wrong (and what a repair would do); with `repair`, do it."""
    from newstui.check import check
    from newstui.check import repair as run_repair

    report = run_repair(path) if repair else check(path)
    for problem in report.problems:
        print(inert(f"problem: {problem}"))
    if report.untouchable:
        print(f"{path}: left untouched: repair only mends newstui stores of this version")
        return EXIT_FAILED
    verb = "done" if repair else "would"
    for action in report.actions:
        print(inert(f"{verb}: {action}"))
    if report.consistent:
        print(f"{path}: consistent, {report.articles:,} articles"
              + (" (search index rebuilt)" if repair and report.index_stale else
                 " (search index stale: rebuilt at the next search)" if report.index_stale
                 else ""))
        return EXIT_OK
    print(f"{path}: NOT consistent; `newstui check --repair` would do the above")
    return EXIT_FAILED


def cmd_stats(archive: Archive) -> int:
    if isinstance(archive, Archive):
        from newstui.store_commands import stats_rows  # streamed: bounded memory

        for name, value in stats_rows(archive):
            print(inert(f"{name:<11} {value}", lines=True))
        return EXIT_OK
    store = archive.store
    articles = list(store.articles())
    dates = sorted(a.date[:10] for a in articles if a.date)
    states = store.states()
    from newstui.search import IndexDamagedError

    try:
        indexed = f"{len(archive.index()):,} articles"
    except IndexDamagedError:
        indexed = "damaged (rebuilt at the next search)"
    rows = [
        ("store", str(store.path)),
        ("articles", f"{len(articles):,}"),
        ("dated", f"{len(dates):,}" + (f" ({dates[0]} to {dates[-1]})" if dates else "")),
        ("read", f"{sum(s.read for s in states.values()):,}"),
        ("starred", f"{sum(s.starred for s in states.values()):,}"),
        ("store size", _size(store.path)),
        ("index", f"{indexed}, {_size(store.index_path)}"),
    ]
    for name, value in rows:
        print(inert(f"{name:<11} {value}", lines=True))
    return EXIT_OK


# -- output helpers ------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\rreading  [{bar}] {done:,}/{total:,} files")
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()


def _print_json(value: Any) -> None:
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"
    sys.stdout.buffer.write(json_for_terminal(data))
    sys.stdout.flush()


def _styled_output() -> bool:
    """Bold text only where a person reads it: a terminal that can show it."""
    return sys.stdout.isatty() and not terminal.is_dumb(os.environ)


def _terminal_width() -> int:
    """$COLUMNS when it is set (a script's choice, or a terminal the size of which
    cannot be asked), else the terminal's width, else 100 in a pipe."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(20, int(columns))
    if not sys.stdout.isatty():
        return 100
    try:
        return max(40, os.get_terminal_size(sys.stdout.fileno()).columns)
    except OSError:
        return 100


def _size(path: Path) -> str:
    if path.is_dir():
        total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    elif path.exists():
        total = path.stat().st_size
    else:
        return "none"
    for unit in ("B", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.0f} {unit}" if unit == "B" else f"{total:.1f} {unit}"
        total /= 1024  # type: ignore[assignment]
    return ""


def _error(message: str) -> None:
    # File names and queries reach error lines: neutralised like article text, and
    # kept to one line (a line break in a file name cannot forge a second one).
    print(inert(f"newstui: {message}"), file=sys.stderr)


def _info(message: str) -> None:
    print(inert(f"newstui: {message}"), file=sys.stderr)
