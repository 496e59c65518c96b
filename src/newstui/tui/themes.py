"""Themes: the user's own (`[themes.NAME]` in the config file) and which one the reader
starts with — by name, any of Textual's built-ins or the user's; on a 16-colour or
colourless terminal always the ANSI theme of the same darkness."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from newstui.config import THEME_COLOURS, ConfigError

DARK_THEME, LIGHT_THEME = "textual-dark", "textual-light"
#: With 16 colours (the Linux console) or none, themes built on the 16 ANSI colours:
#: the terminal's own palette, so nothing is drawn in a colour it lacks.
ANSI_DARK, ANSI_LIGHT = "ansi-dark", "ansi-light"
ANSI_THEMES = (ANSI_DARK, ANSI_LIGHT)
#: What "dark" and "light" (remembered by earlier versions) mean now.
LEGACY = {"dark": DARK_THEME, "light": LIGHT_THEME}


def user_themes(tables: Mapping[str, Mapping[str, Any]], where: str = "config",
                places: Mapping[str, str] | None = None) -> list[Theme]:
    """A Theme for each `[themes.NAME]` table (whose kinds config.py has checked); a
    ConfigError names a colour that is not one, with its line and column (`places`:
    Settings.places)."""
    themes = []
    for name, fields in tables.items():
        for field, value in fields.items():
            if field not in THEME_COLOURS:
                continue
            try:
                Color.parse(value)
            except ColorParseError:
                key = f"themes.{name}.{field}"
                place = (places or {}).get(key, where)
                raise ConfigError(f"{place}: {key}: {value!r} is not a colour (try "
                                  "\"#88c0d0\", \"rgb(136,192,208)\" or \"teal\")") from None
        themes.append(Theme(name=name, **fields))
    return themes


def initial_theme(name: str | None, available: Mapping[str, Theme], ansi: bool) -> str:
    """The theme to start with: `name` if there is such a theme (else the default
    dark one); on a terminal of 16 colours or none, the ANSI theme as dark as it."""
    name = LEGACY.get(name or "", name)
    theme = available.get(name or "") or available.get(DARK_THEME) or BUILTIN_THEMES[DARK_THEME]
    if ansi:
        return ANSI_DARK if theme.dark else ANSI_LIGHT
    return theme.name
