"""SSH for the tests and the serve-ssh benchmark (bench/case_serve.py), in one place:
a reading room (`newstui serve-ssh`), OpenSSH's own sshd, both on a loopback port,
and OpenSSH clients for them."""

from __future__ import annotations

import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from support.pty_terminal import PtyTerminal

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    """Wait until something listens on `port`; fail if `process` (the server) exits
    first. `timeout` is a safety net for a server that hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def need_openssh(server: bool = False) -> None:
    """Skip the test, saying what to install, without the OpenSSH client (and sshd)."""
    import pytest

    if not (shutil.which("ssh") and shutil.which("ssh-keygen")):
        pytest.skip("the OpenSSH client (ssh, ssh-keygen) is not installed: "
                    "apt-get install openssh-client")
    if server and not Path(SSHD).exists():
        pytest.skip("OpenSSH's sshd is not installed: apt-get install openssh-server")


def make_key(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
                   check=True, capture_output=True)
    return path


def newstui_script() -> str:
    script = Path(sys.executable).parent / "newstui"
    if not script.exists():
        import pytest

        pytest.skip(f"the installed newstui command is not at {script}")
    return str(script)


def ssh_client_argv(port: int, key: Path | None, login: str, tty: bool = True,
                    options: Sequence[str] = ()) -> list[str]:
    """OpenSSH's client for a server on 127.0.0.1:`port`, up to `login@127.0.0.1`: no
    config file, no known hosts, the key alone, no questions."""
    argv = ["ssh", "-p", str(port), "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "SendEnv=LANG LC_ALL NO_COLOR"]
    if tty:
        argv.append("-tt")
    if key is not None:
        argv += ["-i", str(key)]
    else:
        argv += ["-o", "PubkeyAuthentication=no"]
    return [*argv, *options, f"{login}@127.0.0.1"]


def client_env(term: str = "xterm-256color", **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSTUI", "TEXTUAL", "SSH_"))}
    env.pop("NO_COLOR", None)
    env.pop("DISPLAY", None)
    env.update({"TERM": term, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **extra})
    return env


class Room:
    """`newstui serve-ssh` on a loopback port, its log in a file."""

    def __init__(self, folder: Path, store: Path, *options: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.log_path = folder / "serve.log"
        self.state_dir = folder / "readers"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSTUI", "TEXTUAL"))}
        env["XDG_DATA_HOME"] = str(folder / "data")  # the host key is generated there
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [newstui_script(), "--db", str(store), "serve-ssh", "--port", str(self.port),
             "--state-dir", str(self.state_dir), *options],
            stdout=self._log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while "listening on" not in self.log:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"serve-ssh did not start:\n{self.log}")
            time.sleep(0.05)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, pattern: str, timeout: float = 90) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.log)
            if match:
                return match
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} never appeared in the log:\n{self.log}")

    def ssh_argv(self, key: Path | None, user: str = "reader", tty: bool = True,
                 options: tuple[str, ...] = ()) -> list[str]:
        """The OpenSSH client's command line up to and including `user@127.0.0.1`."""
        return ssh_client_argv(self.port, key, user, tty, options)

    def ssh(self, key: Path | None, *remote: str, user: str = "reader", tty: bool = False,
            options: tuple[str, ...] = (), timeout: float = 90,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        argv = self.ssh_argv(key, user, tty=tty, options=options)
        return subprocess.run([*argv, *remote], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL,
                              env=env or client_env())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()
        assert "Traceback" not in self.log, self.log


class Sshd:
    """OpenSSH's sshd on a loopback port, with a throwaway host key, accepting one
    client key for the user running it (to compare with serve-ssh, or to reach the
    reader as a login shell would)."""

    def __init__(self, folder: Path, client_key: Path | None = None,
                 extra_config: str = "") -> None:
        self.folder = folder
        self.port = free_port()
        self.user = getpass.getuser()
        host_key = make_key(folder / "host_key")
        self.client_key = client_key or make_key(folder / "client_key")
        authorized = folder / "authorized_keys"
        authorized.write_text(self.client_key.with_suffix(".pub").read_text())
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
{extra_config}""")
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation
        self.log_path = folder / "sshd.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)],
                                        stdout=self._log, stderr=self._log,
                                        start_new_session=True)
        try:
            wait_listening(self.port, self.process)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc}: {self.log_path.read_text(errors='replace')}") from None

    def ssh_argv(self, *remote: str, options: Sequence[str] = ()) -> list[str]:
        """`ssh -tt` as this user with the client key, then the remote command."""
        return [*ssh_client_argv(self.port, self.client_key, self.user, options=options),
                *remote]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log.close()


NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"


def read_search_resize_and_quit(term: PtyTerminal) -> None:
    """The session every SSH server is tried with, on the bundled samples: open the
    newest article and back, search "harbour" and back; then the client's window
    changes size (ssh sends it, the server resizes the pty) and the reader draws
    again at the new width, the long headline no longer cut; `q` leaves, status 0."""
    term.wait_for(NEWEST)
    term.press(b"\r")
    term.wait_for("MARROWBY · Updated 1 December 2016")
    term.press("q")
    term.wait_for("20 articles")
    term.press("/")
    term.wait_for("Type to search")
    term.type("harbour")
    term.wait_for("3 matches")
    term.press(b"\x1b")
    term.wait_for("20 articles")
    term.resize(110, 30)
    screen = term.wait_for("Trawlers Return to Port Avelin Harbour After Storm Season")
    assert len(screen.splitlines()) == 30
    term.press("q")
    assert term.wait_exit() == 0
