"""`serve-ssh --host-key` given something that is not a private key (red team F22):
one line and exit 2, before anything starts — never a traceback, and never a hang on a
FIFO. The file given is left as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newstui.archive import Archive, bundled_samples


def _public_key(folder: Path) -> Path:
    import asyncssh

    path = folder / "id_ed25519.pub"
    path.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_public_key())
    return path


CASES = {
    "notes": (lambda f: _write(f / "notes.txt", b"my notes\n"), "not an SSH private key"),
    "public": (_public_key, "a public key; --host-key takes the private key"),
    "damaged": (lambda f: _write(f / "key", b"-----BEGIN OPENSSH PRIVATE KEY-----\nxx\n"
                                 b"-----END OPENSSH PRIVATE KEY-----\n"),
                "not an SSH private key"),
    "folder": (lambda f: _folder(f / "keys"), "is a folder, not a host key file"),
    "fifo": (lambda f: _fifo(f / "key"), "not a regular file"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("case", CASES)
def test_a_host_key_that_is_not_one_is_one_line(tmp_path: Path, case: str) -> None:
    make, message = CASES[case]
    key = make(tmp_path)
    before = key.read_bytes() if key.is_file() else None
    db = tmp_path / "s.json"
    Archive.open(db).import_paths([bundled_samples()])
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "newstui", "--db", str(db), "serve-ssh", "--anonymous",
         "--port", "0", "--host-key", str(key)],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    if before is not None:
        assert key.read_bytes() == before
