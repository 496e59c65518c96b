"""A real PostgreSQL server for the tests: initdb in a temporary folder, started with
pg_ctl on a free loopback port (its unix socket in the same folder), stopped at the
end of the session. Run as the `postgres` user when the tests run as root (PostgreSQL
refuses to run as root). No mocks: the PostgreSQL store is tested against the engine.
"""

from __future__ import annotations

import glob
import os
import pwd
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bin() -> Path | None:
    """The folder of initdb/pg_ctl (Debian keeps them out of PATH), newest version."""
    if os.environ.get("NEWSTUI_PG_BIN"):
        return Path(os.environ["NEWSTUI_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str | None:
    """Why a test server cannot be started here, or None when it can."""
    bin_dir = find_bin()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        return ("PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql): "
                "apt-get install postgresql postgresql-contrib")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    contrib = list(Path(bin_dir).parent.parent.glob("../../share/postgresql/*/extension/"
                                                        "unaccent.control"))
    if not contrib and not glob.glob("/usr/share/postgresql/*/extension/unaccent.control"):
        return "postgresql-contrib (the unaccent extension) is not installed"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg (the PostgreSQL driver) is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One running server; `url(db)` names a database on it."""

    def __init__(self, folder: Path, port: int, bin_dir: Path) -> None:
        self.folder, self.port, self.bin_dir = folder, port, bin_dir

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            sql = f'CREATE DATABASE "{name}"'
            if template:
                sql += f' TEMPLATE "{template}"'
            conn.execute(sql)
        return self.url(name)


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def running_server(durable: bool = False,
                   settings: dict[str, str] | None = None) -> Iterator[PgServer]:
    """Start a throwaway server; stop it and remove its folder afterwards. The tests
    run it without fsync (nothing to keep); `durable` keeps PostgreSQL's defaults, as
    a benchmark beside a store that fsyncs must. `settings`: more server settings."""
    bin_dir = find_bin()
    assert bin_dir is not None
    folder, data, port = _new_folder("newstui-pg-")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=100"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    for name, value in (settings or {}).items():
        options += f" -c {name}={value}"
    with _serving(bin_dir, folder, data, port, options, [
            str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]) as server:
        yield server


@contextmanager
def running_replica(primary: PgServer) -> Iterator[PgServer]:
    """A streaming read replica (hot standby) of `primary`: pg_basebackup with -R, started
    on its own port; stopped and removed afterwards."""
    bin_dir = primary.bin_dir
    folder, data, port = _new_folder("newstui-pg-replica-")
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off "
               "-c hot_standby=on")
    with _serving(bin_dir, folder, data, port, options, [
            str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "--no-sync",
            "--checkpoint=fast"]) as server:
        yield server


def _new_folder(prefix: str) -> tuple[Path, Path, int]:
    """(a temporary folder the server's user owns, its data folder, a free port)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    return folder, folder / "data", _free_port()


@contextmanager
def _serving(bin_dir: Path, folder: Path, data: Path, port: int, options: str,
             make_data: list[str]) -> Iterator[PgServer]:
    """Make the data folder (`make_data`: initdb or pg_basebackup), start the server
    with its watchdog, yield it; then stop it and remove `folder`, whatever happened."""
    run = {"check": True, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    watchdog: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(_as_server_user(make_data), **run)  # type: ignore[call-overload]
        watchdog = _start_watchdog(bin_dir, data, folder)
        subprocess.run(_as_server_user([
            str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
            "-o", options, "-w", "-t", "60", "start"]), **run)  # type: ignore[call-overload]
        yield PgServer(folder, port, bin_dir)
    finally:
        _stop_watchdog(watchdog)
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data),
                                            "-m", "immediate", "-w", "stop"]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(folder, ignore_errors=True)


# -- the watchdog: a server never outlives the process that started it ---------------
# The fixture stops its server in a `finally`; a test run killed with SIGKILL (or by a
# CI timeout) never gets there, and its server would run on for ever. So each server
# gets a small sidecar process in its own session (a kill of the test run's process
# group does not reach it) that waits for the starting process to die and then stops
# the server and removes its folder. A normal end stops the sidecar first.


def _start_watchdog(bin_dir: Path, data: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--watch", str(os.getpid()),
         str(bin_dir), str(data), str(folder)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _stop_watchdog(watchdog: subprocess.Popen[bytes] | None) -> None:
    if watchdog is not None and watchdog.poll() is None:
        watchdog.terminate()
        try:
            watchdog.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait()


def _wait_for_exit(pid: int) -> None:
    """Return when process `pid` has ended (a pidfd where Linux has one, else polling)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        try:
            select.select([fd], [], [])
        finally:
            os.close(fd)
        return
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(1)


def _watch(parent: int, bin_dir: str, data: str, folder: str) -> None:
    _wait_for_exit(parent)
    if (Path(data) / "postmaster.pid").exists():
        subprocess.run(_as_server_user([str(Path(bin_dir) / "pg_ctl"), "-D", data, "-m",
                                        "immediate", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__" and sys.argv[1:2] == ["--watch"]:
    _watch(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
