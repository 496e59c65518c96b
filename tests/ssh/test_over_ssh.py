"""Reading over SSH, for real: OpenSSH's sshd on a loopback port with a throwaway host
key and an authorized key, `ssh -tt` inside a pseudo-terminal, the stream rendered by
pyte. `.ci/run` installs openssh-server and openssh-client; without them these tests
skip, saying so."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pty_terminal import KEYS, PtyTerminal

from newstui.archive import Archive, bundled_samples

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"
# SGR parameters that set a colour (foreground, background, 16/256/truecolor).
COLOUR_SGR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sshd:
    """An sshd for one test session, on 127.0.0.1 only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.user = getpass.getuser()
        host_key, self.client_key = folder / "host_key", folder / "client_key"
        for key in (host_key, self.client_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True, capture_output=True)
        authorized = folder / "authorized_keys"
        authorized.write_text((folder / "client_key.pub").read_text())
        authorized.chmod(0o600)
        config = folder / "sshd_config"
        config.write_text(f"""\
Port {self.port}
ListenAddress 127.0.0.1
HostKey {host_key}
AuthorizedKeysFile {authorized}
PidFile {folder / "sshd.pid"}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
AcceptEnv LANG LC_* NO_COLOR
""")
        Path("/run/sshd").mkdir(exist_ok=True) if os.geteuid() == 0 else None
        self.log = (folder / "sshd.log").open("wb")
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                        stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((folder / "sshd.log").read_text())
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("sshd did not start listening")

    def ssh_argv(self, *remote: str) -> list[str]:
        return ["ssh", "-tt", "-p", str(self.port), "-i", str(self.client_key),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "SendEnv=NO_COLOR LANG LC_ALL",
                f"{self.user}@127.0.0.1", *remote]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.log.close()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    if not (Path(SSHD).exists() and shutil.which("ssh") and shutil.which("ssh-keygen")):
        pytest.skip("OpenSSH (sshd, ssh, ssh-keygen) is not installed: "
                    "apt-get install openssh-server openssh-client")
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
    script = Path(sys.executable).parent / "newstui"
    if not script.exists():
        pytest.skip(f"the installed newstui command is not at {script}")
    return [str(script), "--db", str(store), *options]


def local_env(term: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSTUI", "TEXTUAL", "SSH_"))}
    env.pop("NO_COLOR", None)
    env.update(TERM=term, LANG="C.UTF-8", LC_ALL="C.UTF-8", **extra)
    return env


def test_read_search_resize_and_quit_over_ssh(sshd: Sshd, store: Path) -> None:
    term = PtyTerminal(sshd.ssh_argv(*remote_newstui(store)), local_env("xterm-256color"))
    try:
        term.wait_for(NEWEST)
        term.press(KEYS["enter"])
        term.wait_for("MARROWBY · Updated 1 December 2016")
        term.press("q")
        term.wait_for("20 articles")
        term.press("/")
        term.wait_for("Type to search")
        term.type("harbour")
        term.wait_for("3 matches")
        term.press(KEYS["escape"])
        term.wait_for("20 articles")
        # A resize: the local pty changes size, ssh forwards it (SIGWINCH), the
        # reader draws again at the new width: the long headline is no longer cut.
        term.resize(110, 30)
        screen = term.wait_for("Trawlers Return to Port Avelin Harbour After Storm Season")
        assert len(screen.splitlines()) == 30
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    # Over SSH the reader switches to low bandwidth by itself: no mouse reporting.
    assert b"\x1b[?1000h" not in term.raw
    assert b"Traceback" not in term.raw


def test_linux_console_over_ssh(sshd: Sshd, store: Path) -> None:
    term = PtyTerminal(sshd.ssh_argv(*remote_newstui(store)), local_env("linux"))
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
                       local_env("xterm-256color"))
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
                       local_env("xterm-256color"))
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
