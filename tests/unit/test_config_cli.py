"""`newstui config`, the config file as the real command reads it, `newstui completion`
(checked by a real bash), and every subcommand's --help."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from support.core import SAMPLES, CliRunner

from newstui.cli import build_parser
from newstui.commands.completion import script


def write_config(isolated_env: dict[str, str], text: str) -> Path:
    """The config file in the user's config folder ($XDG_CONFIG_HOME/newstui)."""
    path = Path(isolated_env["XDG_CONFIG_HOME"]) / "newstui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_shows_the_file_and_where_each_value_came_from(
        cli: CliRunner, isolated_env: dict[str, str], tmp_path: Path) -> None:
    path = write_config(isolated_env, 'color = "16"\ntheme = "nord"\n[list]\norder = "oldest"\n'
                                      '[keymap]\n"list.star" = "x"\n'
                                      '[themes.paper]\nprimary = "#004488"\ndark = false\n')
    result = cli("config", env={"NEWSTUI_COLOR": "256"})
    assert result.status == 0, result.stderr
    assert result.stdout.startswith(f"# config file: {path}\n")
    assert 'color = "256"  # environment NEWSTUI_COLOR' in result.stdout
    assert 'theme = "nord"  # file' in result.stdout
    assert '"list.star" = "x"' in result.stdout and "[themes.paper]" in result.stdout
    # The output is itself a config file.
    import tomllib

    assert tomllib.loads(result.stdout)["list"]["order"] == "oldest"

    document = json.loads(cli("--color", "none", "config", "--json").stdout)
    assert document["path"] == str(path) and document["exists"] is True
    settings = document["settings"]
    assert settings["color"] == {"value": "none", "key": "color", "source": "flag --color"}
    assert settings["order"]["source"] == "file"
    assert settings["filter"]["source"] == "default"
    assert settings["store"]["value"].endswith("articles.json")


def test_config_file_from_the_flag_or_the_variable(cli: CliRunner, tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('[list]\nfilter = "starred"\n')
    for args, env in ((["--config", str(mine), "config"], {}),
                      (["config", "--config", str(mine)], {}),
                      (["config"], {"NEWSTUI_CONFIG": str(mine)})):
        document = json.loads(cli(*args, "--json", env=env).stdout)
        assert document["settings"]["filter"]["value"] == "starred", args


def test_store_from_the_config_file(cli: CliRunner, isolated_env: dict[str, str],
                                     tmp_path: Path) -> None:
    store = tmp_path / "from-config.json"
    write_config(isolated_env, f'store = "{store}"\n')
    assert cli("import", str(Path(__file__).parents[2] / "data" / "samples")).status == 0
    assert store.is_file()
    assert len(cli("list").stdout.splitlines()) == 20


def test_a_broken_file_is_one_line_with_line_and_column(
        cli: CliRunner, isolated_env: dict[str, str]) -> None:
    path = write_config(isolated_env, 'color = "16"\ntheme = \n')
    for args in (["list"], ["config"], []):
        result = cli(*args)
        assert result.status == 2, args
        assert result.stderr.strip().splitlines() == [
            f"newstui: {path}, line 2, column 9: Invalid value"], args
    write_config(isolated_env, '[list]\norder = "random"\n')
    result = cli("list")
    assert (result.status, result.stderr.strip()) == (
        2, f"newstui: {path}, line 2, column 9: list.order: 'random' is not one of "
           "newest, oldest, headline")


@pytest.mark.parametrize(("text", "where", "message"), [
    ('[themes.x]\nprimary = "#88c0d0"\nluminosity_spread = "a"\n', "line 3, column 21",
     "themes.x.luminosity_spread: expected a number, not 'a'"),
    ('[themes.x]\nprimary = "#88c0d0"\ndark = "no"\n', "line 3, column 8",
     "themes.x.dark: expected true or false, not 'no'"),
    ('[themes.x]\nprimary = "notacolour"\n', "line 2, column 11",
     "themes.x.primary: 'notacolour' is not a colour"),
    ('theme = "[red]x"\n', "line 1, column 9", "theme '[red]x' is not one of"),
])
def test_a_theme_the_reader_refuses_is_refused_by_every_command_with_its_place(
        cli: CliRunner, isolated_env: dict[str, str], text: str, where: str,
        message: str) -> None:
    """Red team F27: these errors had no line or column, and `newstui config` printed
    as effective settings what the reader then refused to start with."""
    path = write_config(isolated_env, text)
    for args in (["config"], ["config", "--json"]):
        result = cli(*args)
        assert result.status == 2, (args, result.stdout)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"newstui: {path}, {where}: {message}"), line


def test_a_missing_explicit_file_is_an_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("--config", str(tmp_path / "nope.toml"), "list")
    assert result.status == 2
    assert result.stderr.strip() == f"newstui: {tmp_path / 'nope.toml'}: no such config file"


def test_an_unknown_key_is_a_warning_and_the_rest_applies(
        cli: CliRunner, isolated_env: dict[str, str]) -> None:
    path = write_config(isolated_env, 'colour = "16"\n[list]\norder = "oldest"\n')
    result = cli("config", "--json")
    assert result.status == 0
    assert (f"newstui: warning: {path}, line 1, column 10: unknown setting 'colour' "
            "(did you mean 'color'?); ignored") in result.stderr
    assert json.loads(result.stdout)["settings"]["order"]["value"] == "oldest"


def test_config_checks_the_keymap_against_the_bindings(
        cli: CliRunner, isolated_env: dict[str, str]) -> None:
    write_config(isolated_env, '[keymap]\n"list.stat" = "x"\n"list.filter" = "s"\n')
    result = cli("config")
    assert result.status == 0
    assert "keymap: no binding 'list.stat' (did you mean 'list.star'?)" in result.stderr
    assert "keymap: 's' is bound to both list.filter and list.star" in result.stderr
    assert len(json.loads(cli("config", "--json").stdout)["warnings"]) == 2


def test_serve_options_come_from_the_config_file(
        cli: CliRunner, isolated_env: dict[str, str], tmp_path: Path) -> None:
    store = tmp_path / "s.json"
    assert cli("--db", str(store), "import", str(SAMPLES)).status == 0
    path = write_config(isolated_env, "[serve_ssh]\nport = 70000\n[serve_web]\nport = -1\n")
    result = cli("--db", str(store), "serve-ssh", "--anonymous")
    assert (result.status, result.stderr.strip()) == (
        2, "newstui: port 70000 is not a port number (0 to 65535)")
    assert cli("--db", str(store), "serve-web").stderr.strip().endswith(
        "port -1 is not a port number (0 to 65535)")
    document = json.loads(cli("config", "--json").stdout)["settings"]
    assert document["ssh_port"] == {"value": 70000, "key": "serve_ssh.port", "source": "file"}
    assert document["ssh_max_sessions"]["value"] == 20
    assert path.exists()


def test_every_subcommand_help_has_a_description_and_an_example(cli: CliRunner) -> None:
    import argparse

    parser = build_parser()
    subparsers = next(a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction))
    names = list(subparsers.choices)
    assert {"config", "completion", "import", "list"} <= set(names)
    for name in names:
        sub = subparsers.choices[name]
        text = sub.format_help()
        assert sub.description and sub.description.strip(), name
        assert "example:\n  newstui " in text, f"`newstui {name} --help` has no example"


# -- completion ------------------------------------------------------------------------

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


def complete(line: str, cwd: Path) -> list[str]:
    """What bash completes for the last word of `line`, with the script loaded."""
    program = (script("bash", build_parser()) + "\n"
               'read -ra COMP_WORDS <<< "$LINE"\n'
               '[[ "$LINE" == *" " ]] && COMP_WORDS+=("")\n'
               "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
               "_newstui\n"
               'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], cwd=cwd,
                          env={"LINE": line, "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return sorted(word for word in done.stdout.splitlines() if word)


@needs_bash
def test_bash_accepts_the_script(tmp_path: Path) -> None:
    path = tmp_path / "newstui.bash"
    path.write_text(script("bash", build_parser()))
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@needs_bash
def test_bash_completes_subcommands_options_and_paths(tmp_path: Path) -> None:
    (tmp_path / "news.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "nested").mkdir()
    assert complete("newstui sea", tmp_path) == ["search"]
    assert complete("newstui se", tmp_path) == ["search", "serve-ssh", "serve-web"]
    assert complete("newstui con", tmp_path) == ["config"]
    assert "completion" in complete("newstui c", tmp_path)
    assert "import" in complete("newstui ", tmp_path)
    assert complete("newstui --db x.json sh", tmp_path) == ["show"]
    assert complete("newstui --col", tmp_path) == ["--color"]
    assert complete("newstui --color 2", tmp_path) == ["256"]
    assert complete("newstui search --li", tmp_path) == ["--limit"]
    assert complete("newstui completion ", tmp_path) == ["bash", "fish", "zsh"]
    assert "add" in complete("newstui feeds ", tmp_path)
    # The store: folders and .json files, not other files.
    assert complete("newstui --db n", tmp_path) == ["nested", "news.json"]
    assert complete("newstui list --db n", tmp_path) == ["nested", "news.json"]
    # import's PATHs: any file.
    assert complete("newstui import no", tmp_path) == ["notes.txt"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_subcommand(shell: str) -> None:
    text = script(shell, build_parser())
    for name in ("import", "list", "search", "config", "completion", "--db", "--color"):
        assert name.lstrip("-") in text
    checker = shutil.which(shell)
    if checker is None:
        pytest.skip(f"{shell} is not installed: only the script's content is checked")
    flag = "-n" if shell == "zsh" else "--no-execute"
    done = subprocess.run([checker, flag], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_subcommands_and_choices(tmp_path: Path) -> None:
    path = tmp_path / "newstui.fish"
    path.write_text(script("fish", build_parser()))

    def complete(line: str) -> list[str]:
        done = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C '{line}'"],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        return sorted(row.split("\t")[0] for row in done.stdout.splitlines())

    assert complete("newstui sea") == ["search"]
    assert complete("newstui --color n") == ["none"]
    assert complete("newstui search --l") == ["--limit"]
    assert complete("newstui completion ") == ["bash", "fish", "zsh"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_registers_the_completion(tmp_path: Path) -> None:
    path = tmp_path / "_newstui"
    path.write_text(script("zsh", build_parser()))
    done = subprocess.run(["zsh", "-f", "-c", "autoload -U compinit; compinit -u -D; "
                           f"source {path}; print -r -- ${{_comps[newstui]}}"],
                          capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert done.stdout.strip() == "_newstui", done.stderr


def test_completion_command_prints_the_script(cli: CliRunner) -> None:
    result = cli("completion", "bash")
    assert result.status == 0 and "complete -F _newstui newstui" in result.stdout
    assert cli("completion", "tcsh").status == 2
