"""Reading over SSH, for real: OpenSSH's sshd on a loopback port with a throwaway host
key and an authorized key, `ssh -tt` inside a pseudo-terminal, the stream rendered by
pyte. `.ci/run` installs openssh-server and openssh-client; without them these tests
skip, saying so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pty_terminal import KEYS, PtyTerminal
from support.ssh_room import (
    NEWEST,
    Sshd,
    client_env,
    need_openssh,
    newstui_script,
    read_search_resize_and_quit,
)

from newstui.archive import Archive, bundled_samples

# SGR parameters that set a colour (foreground, background, 16/256/truecolor).
COLOUR_SGR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    need_openssh(server=True)
    try:
        server = Sshd(tmp_path_factory.mktemp("sshd"))
    except RuntimeError as exc:
        pytest.skip(f"sshd cannot run here: {str(exc)[-300:]}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "store.json"
    Archive.open(db).import_paths([bundled_samples()])
    return db


def remote_newstui(store: Path, *options: str) -> list[str]:
    return [newstui_script(), "--db", str(store), *options]


def test_read_search_resize_and_quit_over_ssh(sshd: Sshd, store: Path) -> None:
    term = PtyTerminal(sshd.ssh_argv(*remote_newstui(store)), client_env("xterm-256color"))
    try:
        read_search_resize_and_quit(term)
    finally:
        term.close()
    # Over SSH the reader switches to low bandwidth by itself: no mouse reporting.
    assert b"\x1b[?1000h" not in term.raw
    assert b"Traceback" not in term.raw


def test_linux_console_over_ssh(sshd: Sshd, store: Path) -> None:
    term = PtyTerminal(sshd.ssh_argv(*remote_newstui(store)), client_env("linux"))
    try:
        term.wait_for(NEWEST)
        term.press(KEYS["enter"])
        term.wait_for("MARROWBY · Updated 1 December 2016")
        term.press("q")
        term.wait_for("20 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    # 16 colours only: no 256-colour or truecolor sequences for the Linux console.
    assert b"38;5;" not in term.raw and b"38;2;" not in term.raw
    assert b"48;5;" not in term.raw and b"48;2;" not in term.raw


def test_no_color_over_ssh(sshd: Sshd, store: Path) -> None:
    term = PtyTerminal(sshd.ssh_argv("NO_COLOR=1", *remote_newstui(store)),
                       client_env("xterm-256color"))
    try:
        term.wait_for(NEWEST)
        term.press("j", "j")
        term.read(0.5)
        term.press("/")
        term.wait_for("Type to search")
        term.type("harbour")
        term.wait_for("3 matches")
        term.press(KEYS["escape"])
        term.wait_for("20 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert COLOUR_SGR.search(bytes(term.raw)) is None, "a colour escape code was sent"
    # Still usable: the cursor row is drawn in reverse video.
    assert re.search(rb"\x1b\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m", bytes(term.raw))


def test_non_utf8_locale_over_ssh_draws_ascii(sshd: Sshd, store: Path) -> None:
    term = PtyTerminal(sshd.ssh_argv("LANG=C", "LC_ALL=C", *remote_newstui(store)),
                       client_env("xterm-256color"))
    try:
        term.wait_for(NEWEST)
        term.press(KEYS["enter"])
        term.wait_for("MARROWBY - Updated 1 December 2016")
        term.press("q")
        term.wait_for("20 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    body = bytes(term.raw)
    assert all(byte < 128 for byte in body), "a non-ASCII byte reached a C-locale terminal"
