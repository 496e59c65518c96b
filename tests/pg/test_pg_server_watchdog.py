"""The test server's watchdog: a PostgreSQL server started by a process that is then
killed (SIGKILL: no `finally` runs) is stopped and its folder removed by the sidecar."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import pg_server as pgserver

STARTER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from support import pg_server
with pg_server.running_server() as server:
    print(server.folder, server.port, flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_server_dies_with_the_process_that_started_it() -> None:
    reason = pgserver.unavailable_reason()
    if reason:
        pytest.skip(reason)
    tests = str(Path(__file__).resolve().parents[1])
    starter = subprocess.Popen([sys.executable, "-c", STARTER, tests],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert starter.stdout is not None
        line = starter.stdout.readline().split()
        assert line, "the starter printed nothing"
        folder = Path(line[0])
        pid_file = folder / "data" / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        assert _alive(postmaster)
    finally:
        starter.send_signal(signal.SIGKILL)
        starter.wait()
    deadline = time.monotonic() + 120
    while (_alive(postmaster) or folder.exists()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(postmaster), "the server outlived the process that started it"
    assert not folder.exists()
