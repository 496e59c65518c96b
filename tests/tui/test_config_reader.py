"""The config file in the reader: a remapped key works (and the old one does not), the
footer, help and palette show it, a keymap's clashes are reported, themes are kept by
name, a user theme is applied, the list starts in the configured order and filter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.pty_terminal import PtyTerminal, newstui_command, terminal_env
from support.reader import loaded, screen_text, settle

from newstui.archive import Archive
from newstui.config import ConfigError, Settings, load
from newstui.store import ArticleStore
from newstui.terminal import TerminalSettings
from newstui.tui.app import NewsApp
from newstui.tui.screens.help_screen import HelpScreen
from newstui.tui.widgets.article_list import ArticleList

SIZE = (80, 24)
PAPER = ('[themes.paper]\nprimary = "#004488"\nbackground = "#fdf6e3"\n'
         'foreground = "#222222"\ndark = false\n')


def settings(text: str) -> Settings:
    return load(text, {}, {}, Path("config.toml"))


def starred(app: NewsApp) -> bool:
    current = app.screen.query_one(ArticleList).current
    assert current is not None
    return app.model.state_of(current).starred


async def test_a_remapped_key_works_and_the_old_one_does_not(archive: Archive) -> None:
    app = NewsApp(archive, config=settings('[keymap]\n"list.star" = "x"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert not starred(app)
        await pilot.press("x")
        await settle(pilot)
        assert starred(app)
        # The footer shows the key that works.
        footer = screen_text(pilot).splitlines()[-1]
        assert "x Star" in footer and "s Star" not in footer
        assert app.keymap_problems() == []


async def test_help_and_palette_show_the_remapped_key(archive: Archive) -> None:
    app = NewsApp(archive, config=settings('[keymap]\n"list.search" = "ctrl+f,F"\n'
                                           '"article.next" = "N"\n'))
    async with app.run_test(size=(80, 60)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot, 0.2)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(pilot)
        lines = text.splitlines()
        search = next(line for line in lines if "Search" in line and "^f" in line)
        assert "^f F" in search and "/" not in search.split("Search")[0]
        assert re.search(r"\sN\s+next article", text)
        assert not re.search(r"\sn\s+next article", text)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, 0.2)
        await pilot.press(*"search art")
        await settle(pilot, 0.5)
        assert "(key: ^f F)" in screen_text(pilot)


async def test_keymap_clashes_and_unknown_ids_are_reported(archive: Archive) -> None:
    app = NewsApp(archive, config=settings('[keymap]\n"list.star" = "u"\n'
                                           '"list.stra" = "z"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        problems = app.keymap_problems()
        assert "keymap: 'u' is bound to both list.star and list.toggle_read on the " \
               "article list screen" in problems
        assert "keymap: no binding 'list.stra' (did you mean 'list.star'?)" in problems
        shown = [n.message for n in app._notifications]
        assert any("list.star and list.toggle_read" in m for m in shown)


async def test_theme_is_saved_by_name_and_restored(archive: Archive) -> None:
    app = NewsApp(archive)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.theme = "nord"
        await settle(pilot)
        app.model.flush()
    assert ArticleStore(archive.path).setting("theme") == "nord"
    # After a restart, as run_app starts the reader: the remembered name.
    again = NewsApp(Archive.open(archive.path), theme="nord")
    async with again.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert again.theme == "nord"


@pytest.mark.parametrize("name", ["gruvbox", "catppuccin-latte", "textual-light", "dracula"])
async def test_every_builtin_theme_comes_back(archive: Archive, name: str) -> None:
    app = NewsApp(archive, theme=name)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == name


async def test_a_user_theme_is_applied_and_offered_in_the_palette(archive: Archive) -> None:
    app = NewsApp(archive, theme="paper", config=settings('theme = "paper"\n' + PAPER))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "paper"
        assert app.current_theme.primary == "#004488"
        assert not app.current_theme.dark
        assert app.screen.styles.background.hex.lower() == "#fdf6e3"
        # The palette's theme picker lists it.
        app.action_change_theme()
        await settle(pilot, 0.3)
        await pilot.press(*"pap")
        await settle(pilot, 0.5)
        assert "paper" in screen_text(pilot)


async def test_sixteen_colours_keep_the_ansi_theme(archive: Archive) -> None:
    sixteen = TerminalSettings(color="16", utf8=True, low_bandwidth=False, hyperlinks=False)
    app = NewsApp(archive, theme="paper", settings=sixteen, config=settings(PAPER))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "ansi-light"  # paper is a light theme
        app.theme = "nord"  # chosen in the palette
        await settle(pilot)
        assert app.theme == "ansi-dark"
        app.model.flush()
    # The choice is remembered for a terminal with more colours.
    assert ArticleStore(archive.path).setting("theme") == "nord"


def test_a_bad_user_theme_is_a_config_error() -> None:
    from newstui.tui.themes import user_themes

    with pytest.raises(ConfigError, match=r"themes.paper.primary: 'blu' is not a colour"):
        user_themes({"paper": {"primary": "blu"}}, "config.toml")


async def test_the_list_starts_in_the_configured_order(archive: Archive) -> None:
    app = NewsApp(archive, config=settings('[list]\norder = "oldest"\nfilter = "unread"\n'))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        title = screen_text(pilot).splitlines()[0]
        assert "unread" in title and "oldest first" in title


def test_remapped_key_in_a_real_terminal(archive: Archive, tmp_path: Path) -> None:
    """The installed command, a config file with a keymap, in a pty: the new key stars,
    the old one does nothing, the footer shows the new one."""
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"list.star" = "x"\n"list.toggle_read" = "m"\n')
    term = PtyTerminal([newstui_command(), "--db", str(archive.path)],
                       terminal_env(tmp_path, NEWSTUI_CONFIG=str(config)))
    try:
        term.wait_for("Ancient Mosaic")
        term.wait_for("x Star")
        assert "s Star" not in term.text
        term.press("s")
        term.read(0.5)
        first = next(line for line in term.text.splitlines() if "Ancient Mosaic" in line)
        assert "★" not in first
        term.press("x")
        term.wait_for("Starred")
        first = next(line for line in term.text.splitlines() if "Ancient Mosaic" in line)
        assert "★" in first
        term.press("q")
        assert term.process.wait(timeout=20) == 0
    finally:
        if term.process.poll() is None:
            term.process.kill()
            term.process.wait()


README = Path(__file__).resolve().parents[2] / "README.md"


def readme_config() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):]
    return section[section.index("```toml\n") + 8:section.index("```\n", section.index(
        "```toml\n") + 8)]


def test_the_readme_example_is_a_complete_working_config() -> None:
    from newstui.config import specs
    from newstui.tui.themes import user_themes

    example = readme_config()
    config = settings(example)
    assert config.warnings == ()
    assert {s.name for s in specs()} <= {n for n, source in config.sources.items()
                                         if source == "file"}
    assert [t.name for t in user_themes(config.themes)] == ["paper"]
    from newstui.tui.keys import keymap_problems

    assert keymap_problems(NewsApp, NewsApp._normalize_keymap(config.keymap)) == []


def test_the_readme_names_every_binding_id() -> None:
    from newstui.tui.keys import known_ids

    text = README.read_text(encoding="utf-8")
    missing = sorted(i for i in known_ids(NewsApp) if f"`{i}`" not in text)
    assert missing == [], f"binding ids the README's Configuration section lacks: {missing}"


def test_an_unknown_theme_in_the_config_stops_the_reader(archive: Archive) -> None:
    from newstui.tui.app import run_app

    with pytest.raises(ConfigError, match=r"line 1, column 9: theme 'nrod' is not one of .*nord"):
        run_app(archive, config=settings('theme = "nrod"\n'))
    with pytest.raises(ConfigError, match=r"themes.paper.background: 'beige-ish' is not"):
        run_app(archive, config=settings('[themes.paper]\nprimary = "#004488"\n'
                                         'background = "beige-ish"\n'))


@pytest.mark.parametrize(("text", "every"), [
    ("[feeds]\nfetch_every_minutes = 2\n", 120.0),
    ("[feeds]\nfetch_every_minutes = 0\n", None),  # 0 in the file wins over the store's
])
async def test_fetch_every_from_the_config(archive: Archive, text: str,
                                           every: float | None) -> None:
    ArticleStore(archive.path).set_setting("fetch_every_minutes", 5)  # `feeds every 5`
    app = NewsApp(Archive.open(archive.path), config=settings(text))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        intervals = {t._interval for t in app._timers}
        assert 300.0 not in intervals
        assert every is None or every in intervals
