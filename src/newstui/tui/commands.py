"""Command palette (Ctrl+P): the main actions, and any article by its headline."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from newstui.inert import inert

if TYPE_CHECKING:
    from newstui.article import Summary
    from newstui.tui.app import NewsApp

MAX_ARTICLE_HITS = 20


class ArticleCommands(Provider):
    """Search, star, switch theme, and "Open: <headline>"."""

    @property
    def news_app(self) -> NewsApp:
        return self.app  # type: ignore[return-value]

    def _actions(self) -> list[tuple[str, str, object]]:
        app = self.news_app

        def key(binding_id: str) -> str:
            # The key as bound now (the user's keymap applied), as the footer shows it.
            from newstui.tui.keys import key_for

            shown = key_for(app, binding_id)
            return f" (key: {shown})" if shown else ""

        return [
            ("Search articles", "Open the search screen" + key("list.search"),
             partial(app.run_action, "screen.search")),
            ("Star or unstar the current article", "Toggle the star" + key(
                "article.star" if type(self.screen).__name__ == "ArticleScreen" else "list.star"),
             partial(app.run_action, "screen.star")),
            ("Switch theme (dark / light)", "Remembered for next time", app.action_toggle_theme),
            ("Help: keys and query syntax", "Every binding" + key("app.help"), app.action_help),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._actions():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
        # Open by headline: a plain substring test keeps this fast at 100,000 articles;
        # the fuzzy matcher only ranks the few that pass it.
        needle = query.casefold().strip()
        if len(needle) < 2:
            return
        found = 0
        summaries = self.news_app.model.summaries
        for row, headline in enumerate(summaries.headlines()):
            if needle in headline.casefold():
                article = summaries[row]
                title = f"Open: {inert(article.headline[:500])}"
                # Content, never a str: the palette parses a str prompt or help as
                # markup, and a headline's "[link=…", "[PDF]" or "[@click=app.quit]"
                # would crash it, vanish or become live.
                date: Any = Content(inert(article.date or ""))
                yield Hit(matcher.match(title) or 0.5, plain_highlight(matcher, title),
                          partial(self._open, article), text=title, help=date)
                found += 1
                if found >= MAX_ARTICLE_HITS:
                    break

    def _open(self, article: Summary) -> None:
        from newstui.tui.screens.article_screen import ArticleScreen

        self.news_app.push_screen(ArticleScreen(self.news_app.model, [article], 0))


def plain_highlight(matcher: Matcher, text: str) -> Content:
    """`text` as plain Content (never parsed as markup) with the letters the fuzzy
    matcher matched in its match style — what `Matcher.highlight` does for markup."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
