"""Every key of every screen, and the query syntax, in one scrollable page."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from newstui import query

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Article list", [
        ("↑ ↓  j k", "move"), ("PgUp PgDn", "page"), ("Home End  g G", "first / last"),
        ("Enter", "open the article"), ("/", "search"), ("s", "star / unstar"),
        ("u", "mark read / unread"), ("f", "filter: all, unread, starred"),
        ("o", "order: newest, oldest, headline"), ("q", "quit"),
    ]),
    ("Article", [
        ("↑ ↓  j k", "scroll a line"), ("Space b  PgDn PgUp", "scroll a page"),
        ("g G  Home End", "top / bottom"), ("n p", "next / previous article"),
        ("s", "star / unstar"), ("y", "copy the citation (headline, dateline, date, source)"),
        ("Y", "copy the whole article"), ("q  Backspace  Esc", "back"),
    ]),
    ("Search", [
        ("type", "search as you type"), ("↑ (in the box)", "earlier queries"),
        ("↓  Enter", "into the results"), ("Enter (on a result)", "open it; n p walk the results"),
        ("Esc", "back"),
    ]),
    ("Everywhere", [
        ("?", "this help"), ("Ctrl+P", "command palette: search, open by headline, star, theme"),
        ("Ctrl+C", "quit"),
    ]),
]


def help_text() -> Text:
    text = Text()
    for section, keys in KEYS:
        text.append(f"{section}\n", style="bold underline")
        for key, what in keys:
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
            yield Static(help_text(), markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
