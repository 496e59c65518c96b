"""The reader's structure: screens and widgets are handed the model and never reach
through the app for the archive, the saver or each other."""

from __future__ import annotations

import re
from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "src" / "newstui" / "tui"

# `self.app.archive.store…`, `self.app.saver…`, `self.app.articles` and friends: the
# service-locator chains the model replaced; and hand-written loops over the screens.
FORBIDDEN = re.compile(r"self\.app\.(archive|saver|articles|states|fetch|update_state|"
                       r"state_of|toggle_star|model)\b|screen_stack")


def test_screens_and_widgets_do_not_reach_through_the_app() -> None:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                found.append(f"{path.relative_to(TUI)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
