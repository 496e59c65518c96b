"""Every key of every screen, and the query syntax, in one scrollable page.

Drawn from the bindings as they are bound (the user's keymap applied, see
newstui/tui/keys.py), so it always shows the keys that work."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from newstui import query
from newstui.tui import keys

#: What is not a binding: typing into the query box.
NOT_BINDINGS = {"Search": [("type", "search as you type")]}


def help_text(app: App[Any]) -> Text:
    """The help page for `app`: its screens' keys, then the keys that work everywhere."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for title, chains in keys.screens():
        if title == "Help":
            continue
        rows = list(NOT_BINDINGS.get(title, []))
        rows += [(keys.key_display(app, e), e.description)
                 for e in keys.screen_entries(chains, app._keymap)]
        sections.append((title, rows))
    sections.append(("Everywhere", [(keys.key_display(app, e), e.description)
                                    for e in keys.app_entries(app)]))
    text = Text()
    for section, rows in sections:
        text.append(f"{section}\n", style="bold underline")
        for key, what in rows:
            text.append(f"  {key:<22}", style="bold")
            text.append(f"{what}\n")
        text.append("\n")
    text.append("Query syntax\n", style="bold underline")
    text.append((query.__doc__ or "").split("\n\n")[1] + "\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(help_text(self.app), markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
