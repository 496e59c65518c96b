"""Options shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import pg_server as pgserver
from support.pg_server import PgServer

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


# -- a real PostgreSQL server (tests/pgserver.py) ---------------------------------------
# Started once per session, only when a test asks for it; every test gets its own
# database, copied from a template the schema is already in.


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    reason = pgserver.unavailable_reason()
    if reason:
        pytest.skip(reason)
    with pgserver.running_server() as server:
        from newstui.pg.store import PgStore

        template = PgStore(server.create_database("newstui_template"))
        assert template.schema_version  # connecting creates the schema
        template.close()
        yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh database (schema in place) on the session's server: its URL."""
    return pg_server.create_database(template="newstui_template")


@pytest.fixture(params=["tinydb", "postgresql"])
def db_value(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A --db value for each store: a TinyDB file path, then a postgresql:// URL. A test
    that takes it runs against both (the PostgreSQL run skips where it is missing)."""
    if request.param == "tinydb":
        return str(tmp_path / "store.json")
    return str(request.getfixturevalue("pg_url"))


# -- the user's config file ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the config file of the person running the tests: the config folder
    is an empty one (tests that want a config file write one, or pass --config)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-config"))
    monkeypatch.delenv("NEWSTUI_CONFIG", raising=False)
