"""A reading room (`newstui serve-ssh`) for a test, and OpenSSH clients for it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def need_openssh() -> None:
    if not (shutil.which("ssh") and shutil.which("ssh-keygen")):
        pytest.skip("the OpenSSH client (ssh, ssh-keygen) is not installed: "
                    "apt-get install openssh-client")


def make_key(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)],
                   check=True, capture_output=True)
    return path


def newstui_script() -> str:
    script = Path(sys.executable).parent / "newstui"
    if not script.exists():
        pytest.skip(f"the installed newstui command is not at {script}")
    return str(script)


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
        argv = ["ssh", "-p", str(self.port), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                "-o", "SendEnv=LANG LC_ALL NO_COLOR", "-F", "/dev/null"]
        if tty:
            argv.append("-tt")
        if key is not None:
            argv += ["-i", str(key)]
        else:
            argv += ["-o", "PubkeyAuthentication=no"]
        return [*argv, *options, f"{user}@127.0.0.1"]

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
