"""`newstui config`, `--version`, and the settings every command runs with.

No Textual here: `newstui config` reads the file and prints; the reader's keymap and
themes are checked against the bindings by the TUI when it starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import orjson

from newstui import __version__
from newstui.config import (
    CONFIG_NAME,
    Settings,
    config_path,
    load,
    read_file,
    to_json,
    to_toml,
)


def default_config_path() -> Path:
    """`config.toml` in the user's config folder ($XDG_CONFIG_HOME/newstui on Linux)."""
    from newstui.folders import config_folder

    return config_folder() / CONFIG_NAME


def load_settings(args: argparse.Namespace) -> Settings:
    """The settings for this run: flags (argparse's namespace) > environment > the
    config file > defaults. Raises ConfigError (exit 2) for a file that cannot be used."""
    path, explicit = config_path(getattr(args, "config", None), os.environ,
                                 default_config_path())
    text = read_file(path, explicit)
    return load(text, os.environ, vars(args), path)


def cmd_config(settings: Settings, as_json: bool) -> int:
    """Print where the config file is and the effective settings (as TOML, or JSON
    with the source of each). A theme the reader would refuse is refused here too,
    with its line and column (colour names are Textual's: checked by the reader's own
    function)."""
    from newstui.tui.app import check_themes

    check_themes(settings)
    if as_json:
        document = to_json(settings)
        document["warnings"] += keymap_problems(settings)
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2)
                                + b"\n")
        sys.stdout.flush()
        return 0
    for problem in keymap_problems(settings):
        print(f"newstui: warning: {settings.path}: {problem}", file=sys.stderr)
    path = settings.path
    state = "" if path is not None and path.exists() else " (not found: defaults apply)"
    print(f"# config file: {path}{state}")
    print("# effective settings; after each, where it came from "
          "(flag > environment > file > default)")
    print(to_toml(settings), end="")
    return 0


def keymap_problems(settings: Settings) -> list[str]:
    """The keymap checked against the reader's bindings (this imports Textual: only
    `newstui config` and the reader do)."""
    if not settings.keymap:
        return []
    from newstui.tui.app import NewsApp
    from newstui.tui.keys import keymap_problems as problems

    return problems(NewsApp, NewsApp._normalize_keymap(settings.keymap))


def version_text() -> str:
    """`newstui --version`: ours and the versions a bug report needs."""
    # Imported here: importlib.metadata (and the email package under it) cost every
    # other command ~10 ms at start.
    import platform
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (f"newstui {__version__} (Python {platform.python_version()}, "
            f"Textual {version('textual')}, tantivy {version('tantivy')}, "
            f"TinyDB {version('tinydb')})")


class VersionAction(argparse.Action):
    """--version, with the versions worked out only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(version_text())
        parser.exit()


#: One example for each subcommand's --help (a subcommand added without one fails
#: tests/unit/test_config_cli.py: add it here, or pass `epilog=` to add_parser).
EXAMPLES: dict[str, list[str]] = {
    "import": ["newstui import ~/news/scraped ~/news/reuters.jsonl"],
    "list": ["newstui list --limit 20", "newstui list --json | jq -r '.[].headline'"],
    "show": ["newstui show 3f2a"],
    "search": ['newstui search \'"maternity pay" -russia after:2016-07-01\''],
    "export": ["newstui export --output backup.jsonl"],
    "reindex": ["newstui reindex"],
    "stats": ["newstui stats --db ~/news/articles.json"],
    "check": ["newstui check", "newstui check --repair"],
    "copy": ["newstui copy --from articles.json --to postgresql://localhost/news"],
    "feeds": ["newstui feeds add https://example.org/news.rss --name example",
              "newstui feeds list", "newstui feeds every 30"],
    "fetch": ["newstui fetch", "newstui fetch example --jobs 8"],
    "config": ["newstui config", "newstui --config ./my.toml config --json"],
    "serve-ssh": ["newstui serve-ssh --authorized-keys ~/.ssh/readers.pub --port 2222",
                  "newstui serve-ssh --anonymous --max-sessions 5 --idle-timeout 10m"],
    "serve-web": ["newstui serve-web --port 8000"],
    "completion": ["newstui completion bash > ~/.local/share/bash-completion/completions/newstui",
                   "newstui completion fish > ~/.config/fish/completions/newstui.fish"],
}


def describe_subcommands(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand's --help a one-line description (its summary in the list
    of commands, unless it has its own) and an example."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        summaries = {choice.dest: choice.help for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if sub.description is None and summaries.get(name):
                summary = str(summaries[name])
                sub.description = summary[0].upper() + summary[1:] + "."
            if sub.epilog is None and name in EXAMPLES:
                sub.formatter_class = _KeepEpilog(sub.formatter_class)
                sub.epilog = "example:\n" + "\n".join(f"  {e}" for e in EXAMPLES[name])


def _KeepEpilog(base: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """`base`, keeping the epilog's lines as written (the examples)."""
    if issubclass(base, argparse.RawDescriptionHelpFormatter):
        return base

    class Formatter(base):  # type: ignore[valid-type, misc]
        def _fill_text(self, text: str, width: int, indent: str) -> str:
            if text.startswith("example:"):
                return "".join(indent + line for line in text.splitlines(keepends=True))
            return str(super()._fill_text(text, width, indent))

    return Formatter
