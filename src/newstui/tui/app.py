"""NewsApp: the reader. Builds the reader's model (newstui.model) and hands it to the
screens, which present it; the model's changes are published as Signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from functools import cached_property
from typing import ClassVar

from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import get_current_worker

from newstui.archive import Archive
from newstui.article import ReadingState
from newstui.config import ConfigError, Settings
from newstui.feeds.reader import AUTO_FETCH_SETTING, BackgroundFetch
from newstui.inert import inert
from newstui.model import ReaderModel, ReadStopped
from newstui.store import StoreError
from newstui.summary_table import SummaryTable
from newstui.terminal import TerminalSettings
from newstui.tui.commands import ArticleCommands
from newstui.tui.screens.help_screen import HelpScreen
from newstui.tui.screens.list_screen import ListScreen
from newstui.tui.themes import (
    ANSI_DARK,
    ANSI_LIGHT,
    ANSI_THEMES,
    DARK_THEME,
    LIGHT_THEME,
    initial_theme,
    user_themes,
)
from newstui.tui.typeahead import KeyPassed, TypeAhead, copy_of

DEFAULT_SETTINGS = TerminalSettings(color="truecolor", utf8=True, low_bandwidth=False,
                                    hyperlinks=True)
#: How often (seconds) the reader looks whether another process changed the store.
WATCH_INTERVAL = 2.0
#: Rows shown before the rest of a large archive is read: a screenful and then some.
#: Not in low bandwidth, where drawing the list twice costs more than the wait.
FIRST_SCREENFUL = 100
#: The longest the rest of the archive waits for the first screenful to be drawn.
FIRST_PAINT_WAIT = 1.0


class NewsApp(App[int]):
    """A terminal news browser over one archive."""

    TITLE = "newstui"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = App.COMMANDS | {ArticleCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("r", "fetch", "Fetch feeds", show=False, id="app.fetch"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(self, archive: Archive, theme: str | None = None,
                 settings: TerminalSettings = DEFAULT_SETTINGS,
                 model: ReaderModel | None = None, config: Settings | None = None) -> None:
        super().__init__(driver_class=_driver_for(settings))
        self.settings = settings
        #: The user's settings (config file, variables, flags): keymap, themes, list.
        self.config = config or Settings()
        for user_theme in user_themes(self.config.themes, str(self.config.path or "config"),
                                      self.config.places):
            self.register_theme(user_theme)
        self._ansi = settings.color in ("16", "none")
        self._substituting = False
        if self._ansi:
            self.dark_theme, self.light_theme = ANSI_DARK, ANSI_LIGHT
        else:
            self.dark_theme, self.light_theme = DARK_THEME, LIGHT_THEME
        self.model = model or ReaderModel(archive)
        self.model.listener = self
        #: The model's changes, for the screens (as `theme_changed_signal` is the theme's):
        #: the list was (re)read (the number of new articles), a read/starred mark changed
        #: (the article's id).
        self.articles_signal: Signal[int] = Signal(self, "articles")
        self.state_signal: Signal[str] = Signal(self, "state")
        #: A background fetch's progress for the title bars ("fetching 3/10"; "" when done).
        self.fetch_signal: Signal[str] = Signal(self, "fetch")
        self.fetcher = BackgroundFetch(archive)
        # The theme is remembered by name; on 16 colours or none its ANSI counterpart.
        self._initial_theme = initial_theme(theme, self.available_themes, self._ansi)
        self.exit_signal: int | None = None
        self._typeahead = TypeAhead()
        #: Why the reader could not go on (printed on stderr once the terminal is back).
        self.failure: str | None = None

    @property
    def loaded(self) -> bool:
        return self.model.loaded

    def notify(self, message: str, *, title: str = "",
               severity: SeverityLevel = "information", timeout: float | None = None,
               markup: bool = False) -> None:
        """A notification, never parsed as markup unless asked: what is shown may
        quote an article, a file name or a query (`[link=…` would crash the reader,
        `[@click=…]` would be live)."""
        super().notify(inert(message), title=inert(title), severity=severity,
                       timeout=timeout, markup=markup)

    # -- keys typed ahead (newstui.tui.typeahead): every key counts, in order ------

    def _focus_now(self) -> tuple[Screen[object], object]:
        return self.screen, self.screen.focused

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self._typeahead.hold(event, self.screen.is_mounted):
                # Keys read before it are still on their way up: it goes after them.
                self.set_timer(0.01, self._release_keys)
                return
            await self._hand_on(event)
            return
        await super().on_event(event)

    async def _hand_on(self, key: events.Key) -> None:
        self._typeahead.read(key, self._focus_now())
        target = self.focused or self.screen  # where Textual forwards it
        await super().on_event(key)
        mark = self._typeahead.sent(key, target)
        # The mark follows the key through the same queues: when it reaches the app,
        # the key's way is over (come back, or taken on the way).
        if mark is not None and not target.post_message(mark):
            TypeAhead.taken(key)  # the widget is closing: neither will come back

    async def _release_keys(self) -> None:
        """Hand on the keys held back, in order, as far as nothing is still on its way."""
        while (key := self._typeahead.next_held(self.screen.is_mounted)) is not None:
            await self._hand_on(key)
        if self._typeahead.holding:
            # Looked at again shortly (the new screen mounting; a safety valve).
            self.set_timer(0.01, self._release_keys)

    async def on_key(self, event: events.Key) -> None:
        if self._typeahead.came_back(event, self._focus_now()):
            event.prevent_default()  # not the old focus's bindings now: the new focus's
            event.stop()
            again = copy_of(event)
            # The oldest key on its way: no waiting for others, but for a new screen
            # to be mounted (its box focused) before it is handed on.
            if not self._typeahead.hold_returned(again, self.screen.is_mounted):
                await self._hand_on(again)
        self.call_later(self._release_keys)

    def on_key_passed(self, mark: KeyPassed) -> None:
        TypeAhead.taken(mark.key)  # come back already, or taken on the way
        self.call_later(self._release_keys)

    def _handle_exception(self, error: Exception) -> None:
        """A crash (a bug) in a handler or a background worker. Textual ends the app
        with exit status 1 (and Pilot re-raises the error in tests); on the terminal
        it would print a screenful of traceback. The reader says it in one line
        instead, once the terminal is back; what was read, starred and where the
        reader was are saved on the way out (`on_unmount`, `run_app`) as on a quit."""
        from newstui.tui.crash import crash_line

        super()._handle_exception(error)
        self._exit_renderables.clear()  # Textual's traceback: in the file instead
        if self.failure is None:
            self.failure = crash_line(error)

    def get_default_screen(self) -> Screen[None]:
        return ListScreen(self.model, self.config.filter, self.config.order)

    def on_mount(self) -> None:
        if self.settings.low_bandwidth:
            self.add_class("-low-bandwidth")
        self.theme = self._initial_theme
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        problems = [*self.config.warnings, *self.keymap_problems()]
        if problems:
            self.notify("\n".join(problems), title="Config file", severity="warning",
                        timeout=15, markup=False)
        self.load_archive()
        self.set_interval(WATCH_INTERVAL, self._watch)
        # A database store (PostgreSQL) tells its readers of new articles at once.
        watch = getattr(self.model.archive, "watch", None)
        if watch is not None:
            watch(self._notified)
        # The config file's [feeds] fetch_every_minutes, else `newstui feeds every`.
        minutes: object = self.config.fetch_every
        if minutes is None:
            minutes = self.model.setting(AUTO_FETCH_SETTING, 0)
        if isinstance(minutes, (int, float)) and minutes > 0:
            self.set_interval(float(minutes) * 60, self.action_fetch)
        # A dropped SSH connection sends SIGHUP; a shutdown SIGTERM. Either way: save
        # where the reader is, and leave cleanly.
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(signum, self._on_signal, signum)
        if self.model.read_only:
            self.notify(f"{self.model.path} is read-only: reading state will not be saved",
                        title="Read-only archive", timeout=8)

    def _on_signal(self, signum: int) -> None:
        self.exit_signal = signum
        self.model.save_position()
        self.exit(128 + signum, return_code=128 + signum)

    def action_quit(self) -> None:  # type: ignore[override]
        self.model.save_position()
        self.exit(0)

    # -- other processes --------------------------------------------------------

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
        if self.model.changed_on_disk():
            self.load_archive(reload=True)

    def _notified(self) -> None:
        """Another process wrote articles (called from the listening thread)."""
        with contextlib.suppress(RuntimeError):  # the app is closing
            self.call_from_thread(self.load_archive, reload=True)

    def _terminal_alive(self) -> bool:
        if self.is_headless or self.is_web:
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
        model = self.model
        early = not self.settings.low_bandwidth and not model.loaded
        painted = threading.Event()

        def after_paint() -> None:
            self.screen.call_after_refresh(painted.set)

        def show_first(summaries: SummaryTable, states: dict[str, ReadingState]) -> None:
            if model.show_first(summaries, states):
                after_paint()
            else:
                painted.set()

        def first_rows(summaries: SummaryTable, states: dict[str, ReadingState]) -> None:
            self.call_from_thread(show_first, summaries, states)
            # The rest of a large archive is read once the first screenful is on the
            # terminal: read meanwhile, it would take the interpreter from the thread
            # that draws, every few milliseconds, and the first paint would wait twice
            # as long (one second at most: the rest is never held up for good).
            painted.wait(FIRST_PAINT_WAIT)

        if early and model.first_shown:
            # The first rows were read before the screen started (run_app): the rest
            # waits for them to be drawn, for the same reason.
            early = False
            self.call_from_thread(after_paint)
            painted.wait(FIRST_PAINT_WAIT)

        worker = get_current_worker()
        try:
            snapshot = model.read(reload, first_rows if early else None, FIRST_SCREENFUL,
                                  stop=lambda: worker.is_cancelled)
        except StoreError as exc:
            self.call_from_thread(self._load_failed, str(exc))
            return
        except ReadStopped:
            return  # the reader is leaving, or a newer read took over
        self.call_from_thread(model.apply, snapshot)

    def _load_failed(self, reason: str) -> None:
        """The store (or its state file) cannot be read. At start: nothing to show, so
        say why and leave (exit status 1). Later (another process damaged it): say so
        once and go on with what was read."""
        if not self.model.loaded:
            self.failure = f"cannot read the archive: {inert(reason)}"
            self.exit(1, return_code=1)
            return
        self.notify(reason, title="Cannot read the archive again", severity="error",
                    timeout=30)

    # The model's listener: its changes are published for the screens.

    def articles_changed(self, added: int) -> None:
        if added > 0:
            self.notify(f"{added:,} new article{'s' if added != 1 else ''} in the archive",
                        timeout=4)
        self.articles_signal.publish(added)

    def state_changed(self, article_id: str) -> None:
        self.state_signal.publish(article_id)

    def save_failed(self, reason: str) -> None:
        # Called on the saver's thread.
        self.call_from_thread(self.notify, reason, title="Reading state not saved",
                              severity="error", timeout=10)

    # -- fetching feeds in the background ----------------------------------------

    def action_fetch(self) -> None:
        """Fetch every subscription on a worker: the reader stays usable, the title
        bars show the progress, new articles appear in place when it is done."""
        if getattr(self.model.archive.store, "read_only", False):
            # A reading-room session (`serve-ssh`): the host fetches, not its readers.
            self.notify("This archive is read-only here: its host fetches the feeds",
                        timeout=4, markup=False)
            return
        if self.fetcher.running:
            self.notify("Already fetching", timeout=2)
            return
        self.fetch_signal.publish("fetching…")
        self._fetch_feeds()

    @work(thread=True, exclusive=True, group="fetch")
    def _fetch_feeds(self) -> None:
        def progress(done: int, total: int, label: str) -> None:
            self.call_from_thread(self.fetch_signal.publish, f"fetching {done}/{total}")

        summary = self.fetcher.run(progress)
        self.call_from_thread(self._fetched, summary)

    def _fetched(self, summary: str) -> None:
        self.fetch_signal.publish("")
        failed = "\n" in summary
        self.notify(summary, title="Fetched", severity="warning" if failed else "information",
                    timeout=8 if failed else 4, markup=False)
        self.load_archive(reload=True)

    # -- app actions ----------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def keymap_problems(self) -> list[str]:
        """Keymap ids that name no binding, keys bound twice on one screen."""
        from newstui.tui.keys import keymap_problems

        return keymap_problems(type(self), self._keymap) if self._keymap else []

    def action_toggle_theme(self) -> None:
        self.theme = self.light_theme if self.current_theme.dark else self.dark_theme

    def watch_theme(self, theme: str) -> None:
        if self._substituting:
            return
        chosen = theme
        if self._ansi and theme not in ANSI_THEMES:
            # 16 colours or none: the ANSI theme as dark as the one chosen, which is
            # remembered for a terminal with more colours.
            self._substituting = True
            try:
                self.theme = ANSI_DARK if self.current_theme.dark else ANSI_LIGHT
            finally:
                self._substituting = False
        elif theme in ANSI_THEMES and self._ansi:
            chosen = DARK_THEME if theme == ANSI_DARK else LIGHT_THEME
        # Only a change the reader makes is saved, not the theme applied at start-up.
        if self.model.loaded:
            self.model.save_setting("theme", chosen)

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
        self.model.close()


def _driver_for(settings: TerminalSettings) -> type[Driver] | None:
    if os.name != "posix" or os.environ.get("TEXTUAL_DRIVER"):
        return None  # Textual's own choice: e.g. its web driver under `serve-web`
    from newstui.tui.driver import OwnDescriptor, ShadowDriver
    from newstui.tui.job_control import (
        ContinueRestoresModes,
        LowBandwidthReaderDriver,
        ReaderDriver,
    )

    if settings.output == "shadow":
        # The terminal's capabilities are read when the driver starts (ShadowDriver).
        return type("ShadowDriver", (OwnDescriptor, ContinueRestoresModes, ShadowDriver), {})
    return LowBandwidthReaderDriver if settings.erase_runs else ReaderDriver


def check_themes(config: Settings) -> None:
    """Raise ConfigError for a user theme that is not one, or a `theme` that names none."""
    from textual.theme import BUILTIN_THEMES

    names = {*BUILTIN_THEMES, *(t.name for t in user_themes(
        config.themes, str(config.path or "config"), config.places))}
    if config.theme and config.theme not in names:
        listed = ", ".join(sorted(n for n in names if n not in ANSI_THEMES))
        raise ConfigError(f"{config.place('theme')}: theme {config.theme!r} is not one of "
                          f"{listed}")


def run_app(archive: Archive, settings: TerminalSettings = DEFAULT_SETTINGS,
            config: Settings | None = None) -> int:
    """Run the reader until the user quits; returns the exit status (non-zero when it
    could not go on, or crashed)."""
    if config is not None:
        check_themes(config)  # a mistake in them is one line and exit 2, before anything
    model = ReaderModel(archive)
    if not settings.low_bandwidth:
        # The first screenful read before the screen starts, so that its first frame
        # holds the list (a slow link gets the whole list in one paint instead).
        try:
            model.read_first(FIRST_SCREENFUL)
        except StoreError as exc:
            model.close()
            print(f"newstui: cannot read the archive: {inert(str(exc))}", file=sys.stderr)
            return 1
    # A theme set in the config file (or --theme, $NEWSTUI_THEME) wins; else the one
    # last chosen in the palette.
    theme: object = config.theme if config is not None else None
    if theme is None:
        theme = model.setting("theme")
    app = NewsApp(archive, theme=theme if isinstance(theme, str) else None,
                  settings=settings, model=model, config=config)
    # Mouse reporting sends a report for every move of the pointer: not over a slow link.
    result = app.run(mouse=not settings.low_bandwidth)
    model.close()  # everything queued is on disk before the process ends
    if app.failure:
        print(f"newstui: {app.failure}", file=sys.stderr)
    code = app.return_code
    if code:  # a crash, a failure (each said in one line above), a signal
        return code
    return result if isinstance(result, int) else 0
