"""The reader's keys as they are bound: the default bindings with the user's keymap
applied, screen by screen — for the help screen, the command palette, and the warnings
about a keymap that binds one key twice or names a binding that does not exist.

Drawn from the bindings themselves (each class's BINDINGS, through Textual's own
`BindingsMap.apply_keymap`), so the help cannot drift from the keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

if TYPE_CHECKING:
    from textual.app import App

#: Our binding ids start with these; Textual's own (in Input, say) are left out of the
#: help, but still count when a remapped key clashes with one.
OUR_PREFIXES = ("app.", "list.", "article.", "search.", "feeds.", "help.")


@dataclass
class Entry:
    """One binding and every key that triggers it."""

    binding: Binding
    keys: list[str] = field(default_factory=list)

    @property
    def ident(self) -> str:
        return self.binding.id or self.binding.action

    @property
    def description(self) -> str:
        return self.binding.tooltip or self.binding.description or self.binding.action


def screens() -> list[tuple[str, list[list[type[DOMNode]]]]]:
    """Each screen of the reader (as the help names it) and its binding chains: the
    nodes a key passes through, from the focused widget to the screen. A screen with
    two places to focus (the query box, the results) has two chains."""
    from textual.widgets import DataTable

    from newstui.tui.screens.article_screen import ArticleScreen
    from newstui.tui.screens.feeds_screen import FeedsScreen
    from newstui.tui.screens.help_screen import HelpScreen
    from newstui.tui.screens.list_screen import ListScreen
    from newstui.tui.screens.search_screen import QueryInput, SearchScreen
    from newstui.tui.widgets.article_list import ArticleList
    from newstui.tui.widgets.article_view import ArticleView
    from newstui.tui.widgets.result_list import ResultList

    return [
        ("Article list", [[ArticleList, ListScreen]]),
        ("Article", [[ArticleView, ArticleScreen]]),
        ("Search", [[QueryInput, SearchScreen], [ResultList, SearchScreen]]),
        ("Feeds", [[DataTable, FeedsScreen]]),
        ("Help", [[HelpScreen]]),
    ]


def _bindings_of(node: type[DOMNode] | DOMNode) -> BindingsMap:
    if isinstance(node, DOMNode):
        return node._bindings.copy()  # an instance: the app, with its palette key
    return node._merge_bindings()


def entries(nodes: list[type[DOMNode] | DOMNode], keymap: Mapping[str, str],
            ours_only: bool = True) -> list[Entry]:
    """The bindings of `nodes` with the keymap applied, one entry per binding with all
    its keys, in the order declared (the focused widget's, then its screen's)."""
    found: dict[str, Entry] = {}
    order: dict[str, int] = {}
    for node in nodes:  # the focused widget's first: moving about comes first
        bindings = _bindings_of(node)
        for _key, binding in bindings:
            order.setdefault(binding.id or binding.action, len(order))
        if keymap:
            bindings.apply_keymap(keymap)
        for key, key_bindings in bindings.key_to_bindings.items():
            for binding in key_bindings:
                palette = isinstance(node, DOMNode) and binding.action == "command_palette"
                if ours_only and not palette and not (binding.id or "").startswith(
                        OUR_PREFIXES):
                    continue
                entry = found.setdefault(binding.id or binding.action, Entry(binding))
                if key not in entry.keys:
                    entry.keys.append(key)
    return sorted(found.values(), key=lambda e: order.get(e.ident, len(order)))


def screen_entries(chains: list[list[type[DOMNode]]], keymap: Mapping[str, str]) -> list[Entry]:
    """The entries of a screen's chains, each binding once."""
    merged: dict[str, Entry] = {}
    for chain in chains:
        for entry in entries(list(chain), keymap):
            merged.setdefault(entry.ident, entry)
    return list(merged.values())


def app_entries(app: App[Any]) -> list[Entry]:
    """The keys that work everywhere (the app's, and the command palette's)."""
    return entries([app], app._keymap)


def key_display(app: App[Any], entry: Entry) -> str:
    return " ".join(app.get_key_display(entry.binding.with_key(key, key_display=None))
                    for key in entry.keys)


def key_for(app: App[Any], binding_id: str) -> str:
    """How the key(s) of a binding are shown, after the keymap ("" when unbound)."""
    for _title, chains in screens():
        for chain in chains:
            for entry in entries(list(chain), app._keymap):
                if entry.ident == binding_id:
                    return key_display(app, entry)
    for entry in app_entries(app):
        if entry.ident == binding_id:
            return key_display(app, entry)
    return ""


def known_ids(app_class: type[DOMNode]) -> set[str]:
    ids = {b.id for _k, b in app_class._merge_bindings() if b.id}
    for _title, chains in screens():
        for chain in chains:
            for node in chain:
                ids.update(b.id for _k, b in node._merge_bindings() if b.id)
    return ids


def keymap_problems(app_class: type[DOMNode], keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with a keymap (normalised, as `App._keymap`): ids that name no
    binding, and a key bound to two things on one screen."""
    problems = []
    ids = known_ids(app_class)
    for binding_id in keymap:
        if binding_id not in ids:
            near = difflib.get_close_matches(binding_id, sorted(ids), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(f"keymap: no binding {binding_id!r}{hint}")
    seen: set[tuple[str, frozenset[str]]] = set()
    for title, chains in screens():
        for chain in chains:
            for key, idents in _clashes([*chain, app_class], keymap).items():
                if (key, idents) in seen:
                    continue
                seen.add((key, idents))
                names = " and ".join(sorted(idents))
                problems.append(f"keymap: {key!r} is bound to both {names} "
                                f"on the {title.lower()} screen")
    return problems


def _clashes(chain: list[type[DOMNode]], keymap: Mapping[str, str]) -> dict[
        str, frozenset[str]]:
    """Keys that trigger two bindings in one chain once the keymap is applied, where
    the keymap is to blame (a default layering, say ↑ in the query box, is not)."""
    bound: dict[str, set[str]] = {}
    added: set[str] = set()  # keys the keymap gave a binding that it did not have
    defaults: dict[str, set[str]] = {}
    for node in chain:
        for key, binding in node._merge_bindings():
            defaults.setdefault(binding.id or "", set()).add(key)
    for node in chain:
        for key, binding in node._merge_bindings():
            ident = binding.id or f"{node.__name__}:{binding.action}"
            remapped = keymap.get(binding.id) if binding.id else None
            keys = remapped.split(",") if remapped else [key]
            for each in keys:
                bound.setdefault(each, set()).add(ident)
                if remapped and each not in defaults.get(binding.id or "", set()):
                    added.add(each)
    return {key: frozenset(idents) for key, idents in bound.items()
            if len(idents) > 1 and key in added}
