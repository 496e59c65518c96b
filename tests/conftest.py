"""Options shared by the whole suite."""

from __future__ import annotations

import pytest

# -- long-form reliability runs ------------------------------------------------------
# The suite runs a short form of each reliability test (CI); `pytest --long` runs the
# counts docs/reliability.md reports (200 crash trials, 100,000 fuzz inputs, ...).


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", default=False,
                     help="run the long form of the reliability tests (minutes, not seconds)")


@pytest.fixture(scope="session")
def long_form(request: pytest.FixtureRequest) -> bool:
    """True under `pytest --long`: reliability tests use their full counts."""
    return bool(request.config.getoption("--long"))
