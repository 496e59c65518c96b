"""The user's settings: a TOML file, the environment and the command line, in one object.

Precedence, highest first: a command-line flag, an environment variable, the config
file, the built-in default. Pure: the file's text, the environment and the flags go in,
a `Settings` comes out with the source of every value — no Textual, no hidden reads of
the home directory (the caller passes the default path in).

Adding a setting is one line in `Settings` below::

    refresh_minutes: int = setting(0, "feeds.refresh_minutes", env="NEWSTUI_REFRESH",
                                   help="fetch the feeds every N minutes (0: never)")

The key names its TOML table (`[feeds]` `refresh_minutes = 5`); `env` and `flag` (the
argparse `dest`) are optional; `choices` limits a string. The field is then
`settings.refresh_minutes`, typed, in `newstui config`, and in the README's table.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from newstui.files import expand_user, read_regular_file
from newstui.listing import FILTERS, ORDERS
from newstui.terminal import COLOR_MODES, OUTPUT_MODES

CONFIG_ENV = "NEWSTUI_CONFIG"
CONFIG_NAME = "config.toml"
#: The fields of Textual's `Theme` a `[themes.NAME]` table may set (the TUI checks the
#: colours; a test checks this list against Textual's own).
THEME_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent",
                "foreground", "background", "surface", "panel", "boost", "dark",
                "luminosity_spread", "text_alpha", "variables")
_TRUE = ("1", "yes", "on", "true")
_FALSE = ("0", "no", "off", "false")


class ConfigError(ValueError):
    """A config file (or a variable) that cannot be read as given: one line, exit 2."""


def setting(default: Any, key: str | None = None, *, env: str | None = None,
            flag: str | None = None, choices: tuple[str, ...] | None = None,
            help: str = "") -> Any:
    """Declare a setting: a dataclass field carrying where it can be set."""
    return field(default=default, metadata={
        "key": key, "env": env, "flag": flag, "choices": choices, "help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting, resolved. `sources[name]` says where each value came from:
    "default", "file", "environment NAME" or "flag --NAME"."""

    store: str | None = setting(None, env="NEWSTUI_DB", flag="db",
                                help="the store file (default: articles.json in the data folder)")
    color: str = setting("auto", env="NEWSTUI_COLOR", flag="color", choices=COLOR_MODES,
                         help="colours: auto, truecolor, 256, 16 or none")
    low_bandwidth: bool | None = setting(None, env="NEWSTUI_LOW_BANDWIDTH",
                                         flag="low_bandwidth",
                                         help="no animation, no mouse, fewer frames "
                                              "(unset: on over SSH)")
    ascii: bool = setting(False, env="NEWSTUI_ASCII", flag="ascii",
                          help="draw with ASCII only (automatic on a non-UTF-8 locale)")
    output: str = setting("shadow", env="NEWSTUI_OUTPUT", flag="output_mode",
                          choices=OUTPUT_MODES,
                          help="shadow: send only the cells that changed; plain: Textual's "
                               "own output")
    theme: str | None = setting(None, env="NEWSTUI_THEME", flag="theme",
                                help="the theme at start (unset: the last one chosen)")
    order: str = setting("newest", "list.order", env="NEWSTUI_ORDER", choices=ORDERS,
                         help="the article list's order at start")
    filter: str = setting("all", "list.filter", env="NEWSTUI_FILTER", choices=FILTERS,
                          help="the article list's filter at start")
    fetch_every: int | None = setting(None, "feeds.fetch_every_minutes",
                                      env="NEWSTUI_FETCH_EVERY",
                                      help="the reader fetches the feeds every N minutes "
                                           "(0: only on r; unset: `newstui feeds every`)")
    ssh_host: str = setting("127.0.0.1", "serve_ssh.host", flag="host",
                            help="the address serve-ssh listens on")
    ssh_port: int = setting(2222, "serve_ssh.port", flag="port",
                            help="the port serve-ssh listens on")
    ssh_max_sessions: int = setting(20, "serve_ssh.max_sessions", flag="max_sessions",
                                    help="at most this many readers at once")
    ssh_idle_timeout: str = setting("30m", "serve_ssh.idle_timeout", flag="idle_timeout",
                                    help="close a session idle this long (0: never)")
    web_host: str = setting("127.0.0.1", "serve_web.host", flag="host",
                            help="the address serve-web listens on")
    web_port: int = setting(8000, "serve_web.port", flag="port",
                            help="the port serve-web listens on")

    #: `[keymap]`: binding id -> keys ("list.star" = "x", several comma-separated).
    keymap: Mapping[str, str] = field(default_factory=dict)
    #: `[themes.NAME]`: Textual Theme fields for each user theme.
    themes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    #: The config file read (or looked for), and whether it exists.
    path: Path | None = field(default=None, compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    #: Where in the file a key is ("FILE, line L, column C"), for checks made later
    #: (a theme's colours, by the reader, which knows Textual's colour names).
    places: Mapping[str, str] = field(default_factory=dict, compare=False)

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    def place(self, key: str) -> str:
        """Where `key` (dotted) was set: the file's line and column, else its source."""
        return self.places.get(key) or self.source(key)


@dataclass(frozen=True)
class _Spec:
    name: str
    key: str  # dotted TOML key
    kind: type  # str, int, float or bool
    optional: bool
    default: Any
    env: str | None
    flag: str | None
    choices: tuple[str, ...] | None
    help: str


def specs() -> list[_Spec]:
    """The declared settings (not the keymap and themes tables), in order."""
    hints = typing.get_type_hints(Settings)
    out = []
    for f in dataclasses.fields(Settings):
        if "key" not in f.metadata:
            continue
        kind, optional = _kind(hints[f.name])
        meta = f.metadata
        out.append(_Spec(f.name, meta["key"] or f.name, kind, optional, f.default,
                         meta["env"], meta["flag"], meta["choices"], meta["help"]))
    return out


def _kind(hint: Any) -> tuple[type, bool]:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return inner, True
    return hint, False


# -- loading -------------------------------------------------------------------------


def config_path(flag: str | None, env: Mapping[str, str], default: Path) -> tuple[Path, bool]:
    """(path, explicit): --config, else $NEWSTUI_CONFIG, else `default` (the user's
    config folder). An explicit file must exist; the default one need not."""
    chosen = flag or env.get(CONFIG_ENV)
    if chosen:
        return expand_user(chosen), True
    return default, False


def read_file(path: Path, explicit: bool) -> str | None:
    """The config file's text; None when the default file does not exist."""
    try:
        return read_regular_file(path).decode("utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: no such config file") from None
        return None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a config file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None


def load(text: str | None, env: Mapping[str, str], flags: Mapping[str, Any],
         path: Path | None = None) -> Settings:
    """Resolve every setting: flag > environment > file > default.

    `text`: the config file (None: there is none); `flags`: argparse's namespace as a
    dict (None: not given). Raises ConfigError for a file that is not TOML or a value
    of the wrong type (naming file, line and column); unknown keys are warnings."""
    where = str(path) if path is not None else "config"
    table = parse(text, where) if text is not None else {}
    warnings: list[str] = []
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    known_keys = set()
    for spec in specs():
        known_keys.add(spec.key)
        flag_value = flags.get(spec.flag) if spec.flag else None
        if spec.flag and flag_value is not None:
            option = "--" + spec.flag.replace("_", "-")
            values[spec.name] = _check(spec, flag_value, option)
            sources[spec.name] = f"flag {option}"
            continue
        if spec.env and env.get(spec.env, "") != "":
            values[spec.name] = _from_env(spec, env[spec.env])
            sources[spec.name] = f"environment {spec.env}"
            continue
        found, value = _lookup(table, spec.key)
        if found:
            values[spec.name] = _check(spec, value, where, text, spec.key)
            sources[spec.name] = "file"
    keymap = _keymap(table.get("keymap", {}), where, text)
    if keymap:
        values["keymap"], sources["keymap"] = keymap, "file"
    themes = _themes(table.get("themes", {}), where, text, warnings)
    if themes:
        values["themes"], sources["themes"] = themes, "file"
    places = {f"themes.{name}.{key}": _at(where, text, ["themes", name, key])
              for name, theme in themes.items() for key in theme}
    if sources.get("theme") == "file":
        places["theme"] = _at(where, text, "theme")
    for key in _leaf_keys(table):
        if key in known_keys or key.split(".", 1)[0] in ("keymap", "themes"):
            continue
        near = difflib.get_close_matches(key, sorted(known_keys), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        warnings.append(f"{_at(where, text, key)}: unknown setting {key!r}{hint}; ignored")
    return Settings(**values, sources=sources, path=path, warnings=tuple(warnings),
                    places=places)


def parse(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column, message = _position(str(exc), text)
        raise ConfigError(f"{where}, line {line}, column {column}: {message}") from None


def _position(message: str, text: str) -> tuple[int, int, str]:
    """Line, column and the bare message of a TOMLDecodeError (its `lineno`/`colno`
    only exist from Python 3.13; before, they are in the message)."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if found:
        return int(found[1]), int(found[2]), message[:found.start()]
    found = re.search(r"\s*\(at end of document\)$", message)
    if found:
        lines = text.split("\n")
        return len(lines), len(lines[-1]) + 1, message[:found.start()]
    return 1, 1, message


def _lookup(table: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    node: Any = table
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _leaf_keys(table: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and key not in ("keymap", "themes"):
            keys.extend(_leaf_keys(value, key + "."))
        else:
            keys.append(key)
    return keys


def _check(spec: _Spec, value: Any, where: str, text: str | None = None,
           key: str | None = None) -> Any:
    """`value` as the setting's type, or a ConfigError saying where it was given."""
    def fail(reason: str) -> ConfigError:
        place = _at(where, text, key) if key is not None else where
        label = spec.key if key is not None else ""
        return ConfigError(f"{place}: {label + ': ' if label else ''}{reason}")

    if spec.kind is bool and not isinstance(value, bool):
        raise fail(f"expected true or false, not {value!r}")
    if spec.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise fail(f"expected a whole number, not {value!r}")
    if spec.kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise fail(f"expected a number, not {value!r}")
        value = float(value)
    if spec.kind is str and not isinstance(value, str):
        raise fail(f"expected a string, not {value!r}")
    if spec.choices and value not in spec.choices:
        raise fail(f"{value!r} is not one of {', '.join(spec.choices)}")
    return value


def _from_env(spec: _Spec, raw: str) -> Any:
    name = f"${spec.env}"
    if spec.kind is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE or lowered in _FALSE:
            return lowered in _TRUE
        raise ConfigError(f"{name}={raw!r}: expected 1 or 0 (yes/no, on/off, true/false)")
    if spec.kind in (int, float):
        try:
            return _check(spec, spec.kind(raw), name)
        except ValueError:
            raise ConfigError(f"{name}={raw!r}: expected a number") from None
    return _check(spec, raw, name)


def _keymap(table: Any, where: str, text: str | None) -> dict[str, str]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{_at(where, text, 'keymap')}: keymap: expected a table "
                          '([keymap] with lines like "list.star" = "x")')
    keymap = {}
    for binding_id, keys in table.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"{_at(where, text, ['keymap', binding_id])}: keymap: "
                              f"{binding_id!r}: expected keys as a string, e.g. \"x\" or "
                              f"\"x,ctrl+x\", not {keys!r}")
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    return keymap


def _themes(table: Any, where: str, text: str | None,
            warnings: list[str]) -> dict[str, dict[str, Any]]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{_at(where, text, 'themes')}: themes: expected tables "
                          "[themes.NAME]")
    themes = {}
    for name, fields in table.items():
        key = f"themes.{name}"
        if not isinstance(fields, Mapping):
            raise ConfigError(f"{_at(where, text, ['themes', name])}: {key}: expected a table")
        theme = {}
        for field_name, value in fields.items():
            if field_name not in THEME_FIELDS:
                near = difflib.get_close_matches(field_name, THEME_FIELDS, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                warnings.append(f"{_at(where, text, ['themes', name, field_name])}: unknown "
                                f"theme field {key}.{field_name}{hint}; ignored")
                continue
            problem = _theme_value_problem(field_name, value)
            if problem:
                raise ConfigError(f"{_at(where, text, ['themes', name, field_name])}: "
                                  f"{key}.{field_name}: {problem}")
            theme[field_name] = value
        if "primary" not in theme:
            raise ConfigError(f"{_at(where, text, ['themes', name])}: {key}: a theme needs "
                              "at least `primary` (a colour such as \"#88c0d0\")")
        themes[name] = theme
    return themes


#: The Theme fields that are colours (the reader checks that each names one).
THEME_COLOURS = ("primary", "secondary", "warning", "error", "success", "accent",
                 "foreground", "background", "surface", "panel", "boost")


def _theme_value_problem(field_name: str, value: Any) -> str | None:
    """What is wrong with the kind of a theme field's value (colour names are the
    reader's to check), or None."""
    if field_name in THEME_COLOURS and not isinstance(value, str):
        return f"expected a colour as a string, not {value!r}"
    if field_name == "dark" and not isinstance(value, bool):
        return f"expected true or false, not {value!r}"
    if field_name in ("luminosity_spread", "text_alpha") and (
            isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, not {value!r}"
    if field_name == "variables" and not (
            isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values())):
        return "expected a table of CSS variables to strings"
    return None


def _at(where: str, text: str | None, key: str | list[str]) -> str:
    """`where`, with the line of `key` (dotted, or its parts) in the file's text where
    it can be found."""
    parts = key.split(".") if isinstance(key, str) else key
    found = _line_of(text, parts) if text is not None else None
    return f"{where}, line {found[0]}, column {found[1]}" if found else where


def _line_of(text: str, parts: list[str]) -> tuple[int, int] | None:
    """The line and column of the value of a dotted key (or of the header of its
    table). A simple scan, good for the plain files people write: only used to point
    at a mistake."""
    table: list[str] = []
    header = re.compile(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.split("\n"), 1):
        opened = header.match(line)
        if opened:
            table = [_unquote(p) for p in _split_key(opened[1])]
            if table == parts:
                return number, len(line) - len(line.lstrip()) + 1
            continue
        if "=" not in line:
            continue
        left, _, right = line.partition("=")
        left = left.strip()
        if not left or left.startswith("#"):
            continue
        if table + [_unquote(p) for p in _split_key(left)] == parts:
            return number, len(line) - len(right.lstrip()) + 1
    return None


def _split_key(key: str) -> list[str]:
    return [p.strip() for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', key)]


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


# -- writing -------------------------------------------------------------------------


def to_toml(settings: Settings, comments: bool = True) -> str:
    """The effective settings as a config file (a setting with no value is a comment)."""
    lines: list[str] = []
    tables: dict[str, list[str]] = {}
    for spec in specs():
        value = getattr(settings, spec.name)
        table, _, name = spec.key.rpartition(".")
        out = lines if not table else tables.setdefault(table, [])
        note = f"  # {settings.source(spec.name)}" if comments else ""
        if value is None:
            out.append(f"# {_toml_key(name)} is not set: {spec.help}")
        else:
            out.append(f"{_toml_key(name)} = {_toml_value(value)}{note}")
    for table, rows in tables.items():
        lines += ["", f"[{table}]", *rows]
    lines += ["", "[keymap]" + (f"  # {settings.source('keymap')}" if comments else "")]
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in settings.keymap.items()]
    for name, theme in settings.themes.items():
        lines += ["", f"[themes.{_toml_key(name)}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in theme.items()]
    return "\n".join(lines) + "\n"


def to_json(settings: Settings) -> dict[str, Any]:
    """The effective settings with the source of each, for `newstui config --json`."""
    values = {spec.name: {"value": getattr(settings, spec.name), "key": spec.key,
                          "source": settings.source(spec.name)} for spec in specs()}
    values["keymap"] = {"value": dict(settings.keymap), "key": "keymap",
                        "source": settings.source("keymap")}
    values["themes"] = {"value": {k: dict(v) for k, v in settings.themes.items()},
                        "key": "themes", "source": settings.source("themes")}
    return {"path": str(settings.path) if settings.path else None,
            "exists": bool(settings.path and settings.path.exists()),
            "settings": values, "warnings": list(settings.warnings)}


_BARE = re.compile(r"[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE.match(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")
