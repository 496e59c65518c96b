"""Fixtures for the store tests."""

from __future__ import annotations

import pytest

from newstui import manifest, migrate, store


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> int:
    """Segments of 5 articles, so a few dozen articles make several."""
    for module in (manifest, store, migrate):
        monkeypatch.setattr(module, "SEGMENT_ARTICLES", 5)
    return 5
