"""The reading room over a PostgreSQL archive: `newstui serve-ssh --db postgresql://…`,
OpenSSH's client in a pseudo-terminal; two front ends on one database show a reader
the same marks, and a reader sees an article imported while it reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pty_terminal import PtyTerminal
from support.ssh_room import Room, client_env, make_key, need_openssh

from newstui.archive import bundled_samples
from newstui.pg.store import PgArchive

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"


@pytest.fixture
def rooms(pg_url: str, tmp_path: Path) -> Iterator[tuple[Room, Room, Path]]:
    need_openssh()
    archive = PgArchive.open(pg_url)
    archive.import_paths([bundled_samples()])
    archive.close()
    key = make_key(tmp_path / "alice")
    authorized = tmp_path / "authorized_keys"
    authorized.write_text((tmp_path / "alice.pub").read_text())
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
    first = Room(tmp_path / "one", pg_url, "--authorized-keys", str(authorized))  # type: ignore[arg-type]
    try:
        second = Room(tmp_path / "two", pg_url, "--authorized-keys", str(authorized))  # type: ignore[arg-type]
    except BaseException:
        first.stop()
        raise
    yield first, second, key
    first.stop()
    second.stop()


def test_two_front_ends_one_database(rooms: tuple[Room, Room, Path], pg_url: str,
                                     tmp_path: Path) -> None:
    first, second, key = rooms
    term = PtyTerminal(first.ssh_argv(key, "alice"), client_env(), 80, 24)
    try:
        term.wait_for(NEWEST, timeout=60)
        term.press("s")  # star the newest, on the first front end
        term.wait_for("★ 2016-12-01")
        term.press("/")
        term.wait_for("Type to search")
        term.type("harbour")
        term.wait_for("3 matches", timeout=30)
        term.press("\x1b")
        term.wait_for("20 articles")
        # An import while she reads: the list grows without a restart.
        folder = tmp_path / "late"
        folder.mkdir()
        (folder / "late.txt").write_text("Lighthouse Keeper Retires\n\nAfter forty years.\n")
        writer = PgArchive.open(pg_url)
        writer.import_paths([folder])
        writer.close()
        term.wait_for("21 articles", timeout=30)
        term.press("q")
        assert term.wait_exit(timeout=20) == 0
    finally:
        term.close()
    # The same reader through the other front end sees her star.
    again = PtyTerminal(second.ssh_argv(key, "alice"), client_env(), 80, 24)
    try:
        again.wait_for(NEWEST, timeout=60)
        again.read(0.5)
        assert "★ 2016-12-01" in again.text, again.text
        again.press("q")
        assert again.wait_exit(timeout=20) == 0
    finally:
        again.close()
    assert b"Traceback" not in term.raw + again.raw
