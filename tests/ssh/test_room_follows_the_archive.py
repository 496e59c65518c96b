"""A reading room shows the archive as it is now, not as it was when `serve-ssh`
started (red team F25): sessions are forked from a server that read the list once, and
a session took that old list for the current one, so it never saw articles imported
later, and kept showing (and opening) articles deleted since — a takedown reached no
reader until the server was restarted."""

from __future__ import annotations

from pathlib import Path

from support.pty_terminal import PtyTerminal
from support.ssh_room import Room, client_env, need_openssh
from support.store_helpers import run_newstui

from newstui.archive import Archive, bundled_samples
from newstui.store import ArticleStore

TAKEN_DOWN = "Ancient Mosaic Goes on Display in Marrowby Museum"  # the newest sample
ARRIVED = "Zanzibar Ferry Returns After Long Refit"


def test_a_new_session_sees_imports_and_deletions_made_after_the_server_started(
        tmp_path: Path) -> None:
    need_openssh()
    db = tmp_path / "room.json"
    Archive.open(db).import_paths([bundled_samples()])
    server = Room(tmp_path, db, "--anonymous")
    try:
        first = PtyTerminal(server.ssh_argv(None, "early"), client_env(), 80, 24)
        try:
            first.wait_for(TAKEN_DOWN, timeout=40)
        finally:
            first.close()
        story = tmp_path / "new.txt"
        story.write_text(f"{ARRIVED}\n\nPublished: 2030-01-01\n\nZANZIBAR — The ferry "
                         "came back into service today after a long refit.\n")
        assert run_newstui("--db", str(db), "import", str(story)).returncode == 0
        gone = next(s.id for s in ArticleStore(db).summaries() if s.headline == TAKEN_DOWN)
        assert run_newstui("--db", str(db), "delete", gone).returncode == 0
        later = PtyTerminal(server.ssh_argv(None, "late"), client_env(), 80, 24)
        try:
            screen = later.wait_for(ARRIVED, timeout=40)
            assert TAKEN_DOWN not in screen
            assert "20 articles" in screen, screen
        finally:
            later.close()
    finally:
        server.stop()
