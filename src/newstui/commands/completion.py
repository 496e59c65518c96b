"""`newstui completion bash|zsh|fish`: a shell completion script, written from the
argument parser itself, so a new subcommand or option completes without anyone
remembering to add it here.

Completes subcommands, options, the choices of an option (`--color`), and paths: the
store (`--db`: folders and `.json` files), the config file, and import's PATHs.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

SHELLS = ("bash", "zsh", "fish")
#: Options whose value is a file, and the store (offered as folders and .json files).
STORE_OPTIONS = ("--db",)
FILE_OPTIONS = ("--config", "--output", "-o")
#: Any other option whose value is named as a path completes as one.
FILE_METAVARS = ("FILE", "PATH", "DIR")


@dataclass
class Option:
    flags: list[str]
    help: str
    takes_value: bool
    choices: list[str] = field(default_factory=list)
    metavar: str = ""

    @property
    def kind(self) -> str:
        if any(f in STORE_OPTIONS for f in self.flags) or self.metavar == "DB":
            return "store"
        if any(f in FILE_OPTIONS for f in self.flags) or self.metavar in FILE_METAVARS:
            return "file"
        if self.choices:
            return "choice"
        return "value" if self.takes_value else "flag"


@dataclass
class Command:
    name: str
    help: str
    options: list[Option]
    #: What the positional arguments are: "files", a list of words, or "" (free text).
    positional: str | list[str] = ""


def describe(parser: argparse.ArgumentParser) -> tuple[list[Option], list[Command]]:
    """The main parser's options and each subcommand's."""
    commands: list[Command] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            summaries = {c.dest: str(c.help or "") for c in action._choices_actions}
            for name, sub in action.choices.items():
                commands.append(Command(name, summaries.get(name, ""), _options(sub),
                                        _positional(sub)))
    return _options(parser), commands


def _options(parser: argparse.ArgumentParser) -> list[Option]:
    out = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        choices = [str(c) for c in action.choices] if action.choices else []
        out.append(Option(list(action.option_strings), _one_line(action.help or ""),
                          action.nargs != 0, choices, str(action.metavar or "")))
    return out


def _positional(parser: argparse.ArgumentParser) -> str | list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):  # `feeds add|list|...`
            return list(action.choices)
        if action.option_strings:
            continue
        if action.choices:
            return [str(c) for c in action.choices]
        if action.metavar in ("PATH", "FILE"):
            return "files"
    return ""


def _one_line(text: str) -> str:
    """An option's help, short enough for a completion menu: up to its first aside."""
    text = re.sub(r"\s+", " ", text).strip()
    for stop in (": ", " (", "; ", ". "):
        head = text.split(stop)[0]
        if len(head) >= 12:
            text = head
    if len(text) > 70:
        text = text[:70].rsplit(" ", 1)[0] + "…"
    return text


def script(shell: str, parser: argparse.ArgumentParser, prog: str = "newstui") -> str:
    if shell not in SHELLS:
        raise ValueError(f"no completion for {shell!r}: one of {', '.join(SHELLS)}")
    options, commands = describe(parser)
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](prog, options, commands)


# -- bash ----------------------------------------------------------------------------


def _bash(prog: str, options: list[Option], commands: list[Command]) -> str:
    func = "_" + re.sub(r"\W", "_", prog)
    every = options + [o for c in commands for o in c.options]
    valued = sorted({f for o in every if o.takes_value for f in o.flags})
    lines = [
        f"# bash completion for {prog} (`{prog} completion bash`). Load it with",
        f'#   eval "$({prog} completion bash)"     (e.g. in ~/.bashrc), or save it as',
        f"#   ~/.local/share/bash-completion/completions/{prog}",
        f"{func}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "    local i command=''",
        '    for ((i = 1; i < COMP_CWORD; i++)); do',
        '        case "${COMP_WORDS[i]}" in',
        f"            {'|'.join(valued)}) ((i++)) ;;",
        "            -*) ;;",
        '            *) command="${COMP_WORDS[i]}"; break ;;',
        "        esac",
        "    done",
        '    case "$prev" in',
    ]
    seen: set[str] = set()
    for option in every:
        flags = [f for f in option.flags if f not in seen]
        if not option.takes_value or not flags:
            continue
        seen.update(flags)
        pattern = "|".join(flags)
        if option.kind == "store":
            body = ("COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -f -X '!*.json' -- "
                    "\"$cur\")); compopt -o filenames 2>/dev/null; return ;;")
        elif option.kind == "file":
            body = ("COMPREPLY=($(compgen -f -- \"$cur\")); compopt -o filenames "
                    "2>/dev/null; return ;;")
        elif option.kind == "choice":
            body = f"COMPREPLY=($(compgen -W '{' '.join(option.choices)}' -- \"$cur\")); return ;;"
        else:
            body = "return ;;"  # a number or a name: nothing to offer
        lines.append(f"        {pattern}) {body}")
    lines += [
        "    esac",
        '    local words',
        '    case "$command" in',
        "        '')",
        f"            words='{_flags(options)}'",
        '            [[ $cur == -* ]] || words="' + " ".join(c.name for c in commands) + '"',
        "            ;;",
    ]
    for command in commands:
        lines.append(f"        {command.name})")
        lines.append(f"            words='{_flags(command.options)}'")
        if isinstance(command.positional, list):
            lines.append('            [[ $cur == -* ]] || words="'
                         + " ".join(command.positional) + '"')
        elif command.positional == "files":
            lines.append("            if [[ $cur != -* ]]; then COMPREPLY=($(compgen -f -- "
                         "\"$cur\")); compopt -o filenames 2>/dev/null; return; fi")
        lines.append("            ;;")
    lines += [
        "    esac",
        '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        "}",
        f"complete -F {func} {prog}",
        "",
    ]
    return "\n".join(lines)


def _flags(options: list[Option]) -> str:
    return " ".join(f for o in options for f in o.flags)


# -- zsh -----------------------------------------------------------------------------


def _zsh_text(text: str) -> str:
    return (text.replace("\\", "").replace("'", "'\\''").replace("[", "(")
            .replace("]", ")").replace(":", " -"))


def _zsh_specs(options: list[Option]) -> list[str]:
    specs = []
    for option in options:
        action = ""
        if option.takes_value:
            action = {"store": ':store:_files -g "*.json(-.)"',
                      "file": ":file:_files",
                      "choice": f":value:({' '.join(option.choices)})"}.get(
                          option.kind, ":value: ")
        help_text = _zsh_text(option.help)
        if len(option.flags) > 1:
            exclusive = " ".join(option.flags)
            group = ",".join(option.flags)
            specs.append(f"'({exclusive})'{{{group}}}'[{help_text}]{action}'")
        else:
            specs.append(f"'{option.flags[0]}[{help_text}]{action}'")
    return specs


def _zsh(prog: str, options: list[Option], commands: list[Command]) -> str:
    func = "_" + re.sub(r"\W", "_", prog)
    lines = [
        f"#compdef {prog}",
        f"# zsh completion for {prog} (`{prog} completion zsh`). Save it as _{prog} in a",
        f"# folder on $fpath, or load it with: source <({prog} completion zsh)",
        f"{func}() {{",
        "    local curcontext=\"$curcontext\" state line",
        "    typeset -A opt_args",
        "    local -a commands",
        "    commands=(",
        *(f"        '{c.name}:{_zsh_text(c.help)}'" for c in commands),
        "    )",
        "    _arguments -C \\",
        *(f"        {spec} \\" for spec in _zsh_specs(options)),
        "        '1: :->command' \\",
        "        '*:: :->args'",
        "    case $state in",
        "        command) _describe -t commands 'newstui command' commands ;;",
        "        args)",
        "            case $words[1] in",
    ]
    for command in commands:
        specs = _zsh_specs(command.options)
        if isinstance(command.positional, list):
            specs.append(f"'*:value:({' '.join(command.positional)})'")
        elif command.positional == "files":
            specs.append("'*:path:_files'")
        else:
            specs.append("'*: :'")
        lines.append(f"                {command.name}) _arguments " + " ".join(specs) + " ;;")
    lines += [
        "            esac ;;",
        "    esac",
        "}",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        f'    {func} "$@"',
        "else",
        f"    compdef {func} {prog}",
        "fi",
        "",
    ]
    return "\n".join(lines)


# -- fish ----------------------------------------------------------------------------


def _fish_text(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_option(prog: str, option: Option, condition: str) -> str:
    parts = [f"complete -c {prog}"]
    if condition:
        parts.append(f"-n {_fish_text(condition)}")
    for flag in option.flags:
        parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
    if option.kind == "store" or option.kind == "file":
        parts.append("-r -F")
    elif option.kind == "choice":
        parts.append(f"-x -a {_fish_text(' '.join(option.choices))}")
    elif option.takes_value:
        parts.append("-x")
    parts.append(f"-d {_fish_text(option.help)}")
    return " ".join(parts)


def _fish(prog: str, options: list[Option], commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    lines = [
        f"# fish completion for {prog} (`{prog} completion fish`). Save it as",
        f"#   ~/.config/fish/completions/{prog}.fish",
        f"complete -c {prog} -f",
    ]
    shared = {f for c in commands for o in c.options for f in o.flags}
    # Options every subcommand takes complete anywhere; the reader's only before one.
    lines += [_fish_option(prog, o, "" if set(o.flags) & shared else "__fish_use_subcommand")
              for o in options]
    first = _fish_text("not __fish_seen_subcommand_from " + names)
    for command in commands:
        lines.append(f"complete -c {prog} -n {first} -a {command.name} "
                     f"-d {_fish_text(command.help)}")
        seen = f"__fish_seen_subcommand_from {command.name}"
        lines += [_fish_option(prog, o, seen) for o in command.options
                  if not any(f in _flags(options).split() for f in o.flags)]
        if isinstance(command.positional, list):
            lines.append(f"complete -c {prog} -n {_fish_text(seen)} -a "
                         f"{_fish_text(' '.join(command.positional))}")
        elif command.positional == "files":
            lines.append(f"complete -c {prog} -n {_fish_text(seen)} -F")
    return "\n".join(lines) + "\n"
