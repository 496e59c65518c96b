"""The config file: precedence (flag > environment > file > default), errors with line
and column, unknown keys as warnings, and writing the settings back as TOML."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import tomllib

from newstui.config import (
    THEME_FIELDS,
    ConfigError,
    Settings,
    config_path,
    load,
    read_file,
    specs,
    to_json,
    to_toml,
)

FILE = Path("/home/me/.config/newstui/config.toml")


def test_defaults_without_a_file() -> None:
    settings = load(None, {}, {})
    assert (settings.color, settings.order, settings.filter) == ("auto", "newest", "all")
    assert settings.store is None and settings.low_bandwidth is None and not settings.ascii
    assert settings.source("color") == "default"
    assert settings.keymap == {} and settings.themes == {} and settings.warnings == ()


def test_flag_beats_environment_beats_file_beats_default() -> None:
    text = 'color = "16"\nstore = "/f.json"\ntheme = "nord"\n[list]\norder = "oldest"\n'
    env = {"NEWSTUI_COLOR": "256", "NEWSTUI_DB": "/env.json"}
    flags = {"color": "none", "db": None, "low_bandwidth": None}
    settings = load(text, env, flags, FILE)
    assert (settings.color, settings.source("color")) == ("none", "flag --color")
    assert (settings.store, settings.source("store")) == ("/env.json", "environment NEWSTUI_DB")
    assert (settings.theme, settings.source("theme")) == ("nord", "file")
    assert (settings.order, settings.source("order")) == ("oldest", "file")
    assert (settings.filter, settings.source("filter")) == ("all", "default")
    # Without the flag the environment wins; without both, the file.
    assert load(text, env, {}, FILE).color == "256"
    assert load(text, {}, {}, FILE).color == "16"


def test_a_false_flag_still_counts() -> None:
    # --no-low-bandwidth is False, not "not given".
    settings = load("low_bandwidth = true\n", {}, {"low_bandwidth": False}, FILE)
    assert settings.low_bandwidth is False and settings.source("low_bandwidth").startswith("flag")


def test_environment_values_are_typed() -> None:
    assert load(None, {"NEWSTUI_LOW_BANDWIDTH": "off"}, {}).low_bandwidth is False
    assert load(None, {"NEWSTUI_ASCII": "yes"}, {}).ascii is True
    with pytest.raises(ConfigError, match=r"\$NEWSTUI_LOW_BANDWIDTH='maybe'"):
        load(None, {"NEWSTUI_LOW_BANDWIDTH": "maybe"}, {})
    with pytest.raises(ConfigError, match=r"NEWSTUI_COLOR.*not one of"):
        load(None, {"NEWSTUI_COLOR": "purple"}, {})
    # An empty variable is as good as unset.
    assert load('color = "16"', {"NEWSTUI_COLOR": ""}, {}).color == "16"


@pytest.mark.parametrize(("text", "line", "column"), [
    ('color = "16"\ntheme = \n', 2, 9),
    ('[list\norder = "oldest"\n', 1, 6),
    ('color = "16"\ntheme = "nord', 2, 14),  # unterminated: at the end of the document
    ("color = 16 16\n", 1, 12),
])
def test_a_broken_file_names_line_and_column(text: str, line: int, column: int) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text, {}, {}, FILE)
    message = str(caught.value)
    assert message.startswith(f"{FILE}, line {line}, column {column}: "), message
    assert "\n" not in message


@pytest.mark.parametrize(("text", "expected"), [
    ('color = "blue"\n', f"{FILE}, line 1, column 9: color: 'blue' is not one of auto"),
    ('ascii = "yes"\n', f"{FILE}, line 1, column 9: ascii: expected true or false"),
    ('\n[list]\n  order = 3\n', f"{FILE}, line 3, column 11: list.order: expected a string"),
    ('[keymap]\n"list.star" = 5\n', f"{FILE}, line 2, column 15: keymap: 'list.star'"),
    ('[themes.paper]\ndark = false\n', f"{FILE}, line 1, column 1: themes.paper: a theme "
                                       "needs at least `primary`"),
])
def test_a_wrong_value_names_where_it_is(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(text, {}, {}, FILE)
    assert str(caught.value).startswith(expected), str(caught.value)


def test_unknown_keys_are_warnings_naming_them() -> None:
    text = ('colour = "16"\n[list]\nordre = "oldest"\n[nonsense]\nx = 1\n'
            '[themes.paper]\nprimary = "#004488"\nbackgrond = "#ffffff"\n')
    settings = load(text, {}, {}, FILE)
    warnings = "\n".join(settings.warnings)
    assert f"{FILE}, line 1, column 10: unknown setting 'colour' (did you mean 'color'?)" \
        in warnings
    assert "unknown setting 'list.ordre' (did you mean 'list.order'?)" in warnings
    assert "unknown setting 'nonsense.x'" in warnings
    assert "line 8" in warnings and "themes.paper.backgrond (did you mean 'background'?)" \
        in warnings
    # The rest of the file still applies.
    assert settings.themes == {"paper": {"primary": "#004488"}}
    assert settings.color == "auto"


def test_keymap_and_themes() -> None:
    text = ('[keymap]\n"list.star" = "x"\n"article.next" = " n , right "\n'
            '[themes.paper]\nprimary = "#004488"\ndark = false\n')
    settings = load(text, {}, {}, FILE)
    assert settings.keymap == {"list.star": "x", "article.next": "n,right"}
    assert settings.themes == {"paper": {"primary": "#004488", "dark": False}}
    assert settings.source("keymap") == settings.source("themes") == "file"


def test_config_path_flag_then_environment_then_default(tmp_path: Path) -> None:
    default = tmp_path / "default.toml"
    assert config_path("a.toml", {"NEWSTUI_CONFIG": "b.toml"}, default) == (Path("a.toml"), True)
    assert config_path(None, {"NEWSTUI_CONFIG": "b.toml"}, default) == (Path("b.toml"), True)
    assert config_path(None, {}, default) == (default, False)
    assert read_file(default, explicit=False) is None  # no default file: defaults apply
    with pytest.raises(ConfigError, match="no such config file"):
        read_file(tmp_path / "missing.toml", explicit=True)
    (tmp_path / "latin1.toml").write_bytes(b'theme = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_file(tmp_path / "latin1.toml", explicit=True)


def test_written_toml_reads_back_the_same() -> None:
    text = ('store = "/news/a \\"b\\".json"\ncolor = "16"\nascii = true\ntheme = "paper"\n'
            '[list]\nfilter = "unread"\n[keymap]\n"list.star" = "x,ctrl+s"\n'
            '[themes.paper]\nprimary = "#004488"\ndark = false\nluminosity_spread = 0.2\n'
            '[themes.paper.variables]\n"footer-key-foreground" = "#ff0000"\n')
    settings = load(text, {}, {}, FILE)
    written = to_toml(settings)
    assert load(written, {}, {}, FILE) == settings
    assert tomllib.loads(written)["themes"]["paper"]["variables"] == {
        "footer-key-foreground": "#ff0000"}
    assert 'color = "16"  # file' in written
    document = to_json(settings)
    assert document["settings"]["color"] == {"value": "16", "key": "color", "source": "file"}
    assert document["settings"]["keymap"]["value"] == {"list.star": "x,ctrl+s"}


def test_every_setting_is_documented_and_typed() -> None:
    for spec in specs():
        assert spec.help, spec.name
        assert spec.kind in (str, int, float, bool), spec.name
    assert {s.name for s in specs()} <= {f.name for f in dataclasses.fields(Settings)}


def test_theme_fields_match_textual() -> None:
    from textual.theme import Theme

    fields = {f.name for f in dataclasses.fields(Theme)} - {"name", "ansi"}
    assert set(THEME_FIELDS) == fields
