"""NewsApp: the reader. Holds the archive and the reader's state; screens present them."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property
from typing import ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.filter import LineFilter
from textual.screen import Screen

from newstui.archive import Archive
from newstui.article import Article, ReadingState
from newstui.layout import Summary
from newstui.store import StoreError
from newstui.terminal import TerminalSettings
from newstui.tui.commands import ArticleCommands
from newstui.tui.messages import ArchiveLoaded, LoadFailed, StateChanged
from newstui.tui.screens.help_screen import HelpScreen
from newstui.tui.screens.list_screen import ListScreen
from newstui.tui.state_saver import StateSaver

DARK_THEME, LIGHT_THEME = "textual-dark", "textual-light"
#: With 16 colours (the Linux console) or none, themes built on the 16 ANSI colours:
#: the terminal's own palette, so nothing is drawn in a colour it lacks.
ANSI_DARK, ANSI_LIGHT = "ansi-dark", "ansi-light"
DEFAULT_SETTINGS = TerminalSettings(color="truecolor", utf8=True, low_bandwidth=False,
                                    hyperlinks=True)
#: How often (seconds) the reader looks whether another process changed the store.
WATCH_INTERVAL = 2.0
#: Rows shown before the rest of a large archive is read: a screenful and then some.
#: Not in low bandwidth, where drawing the list twice costs more than the wait.
FIRST_SCREENFUL = 100


class NewsApp(App[int]):
    """A terminal news browser over one archive."""

    TITLE = "newstui"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {ArticleCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(self, archive: Archive, theme: str | None = None,
                 settings: TerminalSettings = DEFAULT_SETTINGS) -> None:
        super().__init__(driver_class=_driver_for(settings))
        self.settings = settings
        if settings.color in ("16", "none"):
            self.dark_theme, self.light_theme = ANSI_DARK, ANSI_LIGHT
        else:
            self.dark_theme, self.light_theme = DARK_THEME, LIGHT_THEME
        self.archive = archive
        self.articles: list[Summary] = []
        self._count = 0
        self.states: dict[str, ReadingState] = {}
        self.loaded = False
        self.saver = StateSaver(archive.store, self._report_save_error)
        # The remembered choice is "light" or "dark"; which theme that is depends on
        # the colours this terminal has.
        self._initial_theme = (self.light_theme if theme in ("light", LIGHT_THEME)
                               else self.dark_theme)
        self.read_only = not archive.store.writable
        self._store_identity: tuple[int, int, int] | None = None
        self.exit_signal: int | None = None

    # -- keys typed ahead -------------------------------------------------------
    #
    # Over SSH, "/" and the query often arrive in one packet. Textual hands each key
    # to the focused widget as it reads it, so the keys after "/" are queued on the
    # list; by the time they bubble back to the app, the search screen is up and
    # nothing there takes them: they would be lost. Each key is stamped with the
    # screen it was read on, and a printable key that reaches the app from a screen
    # that is no longer current is typed into the query box now focused.

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            event.newstui_screen = self.screen  # type: ignore[attr-defined]
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        read_on = getattr(event, "newstui_screen", None)
        if read_on is None or read_on is self.screen:
            return
        from textual.widgets import Input

        focused = self.screen.focused
        if isinstance(focused, Input) and event.is_printable and event.character:
            focused.insert_text_at_cursor(event.character)

    def get_default_screen(self) -> Screen[None]:
        return ListScreen()

    def on_mount(self) -> None:
        if self.settings.low_bandwidth:
            self.add_class("-low-bandwidth")
        self.theme = self._initial_theme
        self.load_archive()
        self.set_interval(WATCH_INTERVAL, self._watch)
        # A dropped SSH connection sends SIGHUP; a shutdown SIGTERM. Either way: save
        # where the reader is, and leave cleanly.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(signum, self._on_signal, signum)
        if self.read_only:
            self.notify(f"{self.archive.path} is read-only: reading state will not be saved",
                        title="Read-only archive", timeout=8, markup=False)

    def _on_signal(self, signum: int) -> None:
        self.exit_signal = signum
        self.save_position()
        self.exit(128 + signum)

    def action_quit(self) -> None:  # type: ignore[override]
        self.save_position()
        self.exit(0)

    def save_position(self) -> None:
        """Record where the reader is in the open article (if one is open)."""
        from newstui.tui.screens.article_screen import ArticleScreen

        for screen in self.screen_stack:
            if isinstance(screen, ArticleScreen):
                screen.save_position()

    # -- other processes --------------------------------------------------------

    def _identity(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.archive.path)
        except OSError:
            return None
        return (stat.st_ino, stat.st_size, stat.st_mtime_ns)

    def _watch(self) -> None:
        """Every few seconds: is the terminal still there, did the store change?"""
        if not self._terminal_alive():
            # The terminal went away without a SIGHUP (its emulator closed, a session
            # without a controlling terminal). Textual's input thread would spin on
            # the dead descriptor for ever: leave as if hung up.
            self._on_signal(signal.SIGHUP)
            return
        # Another process (an import) replaced the store: read it again, so the reader
        # sees the new articles — and never works from an older copy.
        if self.loaded and self._identity() != self._store_identity:
            self.load_archive(reload=True)

    def _terminal_alive(self) -> bool:
        if self.is_headless:
            return True
        try:
            return os.isatty(sys.__stdin__.fileno()) if sys.__stdin__ else True
        except (OSError, ValueError):
            return False

    # -- loading --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load_archive(self, reload: bool = False) -> None:
        """Read the list off the event loop. The newest articles are shown as soon as
        they are read (the store keeps them first); the rest follow."""
        identity = self._identity()  # before reading: a change during the read is seen
        try:
            store = self.archive.store
            if reload:
                store.reload()
            states = store.states()
            summaries: list[Summary] = []
            early = not self.settings.low_bandwidth
            for summary in store.iter_summaries():
                summaries.append(summary)
                if early and len(summaries) == FIRST_SCREENFUL and not self.loaded:
                    self.call_from_thread(self._first_rows, list(summaries), states)
        except StoreError as exc:
            self.post_message(LoadFailed(str(exc)))
            return
        self.call_from_thread(self._loaded, summaries, states, identity)

    def _first_rows(self, summaries: list[Summary], states: dict[str, ReadingState]) -> None:
        if not self.loaded:
            self.articles, self.states = summaries, states
            self.screen.post_message(ArchiveLoaded(summaries))

    def fetch(self, entry: Article | Summary) -> Article:
        """The whole article for a list entry (a summary): read from the store."""
        if isinstance(entry, Article):
            return entry
        try:
            article = self.archive.store.get(entry.id)
        except StoreError as exc:
            article = None
            self.notify(str(exc), title="Cannot read the article", severity="error",
                        markup=False)
        if article is None:
            return Article(headline=entry.headline, body=("(This article is no longer in "
                                                          "the archive.)",), id=entry.id)
        return article

    def _loaded(self, articles: list[Summary], states: dict[str, ReadingState],
                identity: tuple[int, int, int] | None) -> None:
        added = len(articles) - self._count if self.loaded else 0
        self._count = len(articles)
        self._store_identity = identity
        self.articles = articles
        # Reading state changed here since the last save is kept: ours is newer.
        merged = {**states, **self.states}
        if merged != self.states:  # the same object when nothing changed: no redraw
            self.states = merged
        if added > 0:
            self.notify(f"{added:,} new article{'s' if added != 1 else ''} in the archive",
                        timeout=4)
        self.loaded = True
        self.screen.post_message(ArchiveLoaded(articles))
        for screen in self.screen_stack:
            if screen is not self.screen:
                screen.post_message(ArchiveLoaded(articles))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.notify(message.reason, title="Cannot read the archive", severity="error",
                    timeout=30, markup=False)
        for screen in self.screen_stack:
            screen.post_message(LoadFailed(message.reason))

    # -- reading state --------------------------------------------------------

    def state_of(self, article: Article | Summary) -> ReadingState:
        return self.states.get(article.id, ReadingState())

    def update_state(self, article: Article | Summary, **changes: object) -> ReadingState:
        """Change an article's reading state: shown at once, saved at once (in order,
        off the event loop)."""
        old = self.state_of(article)
        new = replace(old, **changes)  # type: ignore[arg-type]
        if new == old:
            return new
        self.states[article.id] = new
        if not self.read_only:
            self.saver.save(article.id, new)
        if (new.read, new.starred) != (old.read, old.starred):
            for screen in self.screen_stack:
                screen.post_message(StateChanged(article.id))
        return new

    def toggle_star(self, article: Article | Summary) -> None:
        starred = not self.state_of(article).starred
        self.update_state(article, starred=starred)
        self.notify("Starred" if starred else "Unstarred", timeout=1.5)

    def _report_save_error(self, reason: str) -> None:
        # Called on the saver's thread.
        self.call_from_thread(self.notify, reason, title="Reading state not saved",
                              severity="error", timeout=10, markup=False)

    # -- app actions ----------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = self.light_theme if self.theme == self.dark_theme else self.dark_theme

    def watch_theme(self, theme: str) -> None:
        # Only a change the reader makes is saved, not the theme applied at start-up.
        if self.loaded and not self.read_only:
            choice = "light" if theme == self.light_theme else "dark"
            store = self.archive.store
            self.saver.call(lambda: store.set_setting("theme", choice))

    # -- the terminal -------------------------------------------------------------

    def get_line_filters(self) -> Sequence[LineFilter]:
        return self._filters_for_terminal

    @cached_property
    def _filters_for_terminal(self) -> list[LineFilter]:
        from newstui.tui.terminal_filters import AsciiFilter, MergeSegments, NoColorFilter

        filters = list(super().get_line_filters())
        if self.settings.color == "none":
            filters.append(NoColorFilter())
        if not self.settings.utf8:
            filters.append(AsciiFilter())
        filters.append(MergeSegments())  # last: the others make more pieces alike
        return filters

    def get_key_display(self, binding: Binding) -> str:
        if not self.settings.utf8 and binding.key == "enter":
            return "Enter"
        return super().get_key_display(binding)

    def on_unmount(self) -> None:
        self.saver.close()


def _driver_for(settings: TerminalSettings) -> type[Driver] | None:
    if os.name != "posix":
        return None
    from newstui.tui.driver import LowBandwidthDriver, QuietDriver

    return LowBandwidthDriver if settings.erase_runs else QuietDriver


def run_app(archive: Archive, settings: TerminalSettings = DEFAULT_SETTINGS) -> int:
    """Run the reader until the user quits; returns the exit status."""
    try:
        theme = archive.store.setting("theme")
    except StoreError:
        theme = None  # the list screen reports the problem
    app = NewsApp(archive, theme=theme, settings=settings)
    # Mouse reporting sends a report for every move of the pointer: not over a slow link.
    result = app.run(mouse=not settings.low_bandwidth)
    app.saver.close()  # everything queued is on disk before the process ends
    return result if isinstance(result, int) else 0
