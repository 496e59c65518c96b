"""Readers forked from one process that has Textual and the archive loaded already.

Starting a reader costs a Python interpreter, Textual's imports and a read of the
archive: tens of megabytes and most of a second. The reading room pays that once. At
start the server forks a *forker*: a single-threaded process that imports the reader
and reads the archive's list, then waits. For each session the server opens a pty and
hands the forker its terminal end (over a Unix socket, SCM_RIGHTS); the forker forks a
reader onto it. The reader shares every page it does not write with the forker and
with the other readers (copy-on-write), so a session costs what that reader changes,
not a whole process. A reader is still a process of its own: a crash of one never
touches the others, and the kernel keeps their memory apart.

The forker is forked before the server imports asyncssh or starts a thread, so a
reader never inherits a lock some other thread held at the moment of the fork.

Messages are JSON, one per datagram (SOCK_SEQPACKET):
    server -> forker  {"op": "spawn", "id": N, "env": {...}, "state": PATH} + the pty's fd
    forker -> server  {"op": "started", "id": N, "pid": P} | {"op": "failed", "id": N, ...}
    forker -> server  {"op": "exited", "pid": P, "status": S}
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import gc
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import sys
import termios
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newstui.archive import Archive
from newstui.store import ArticleStore, StoreError

_MAX_MESSAGE = 1 << 16


# -- the forker process ----------------------------------------------------------------


def preload(db_path: Path | str) -> Any:
    """Import everything a reader needs and read the archive's list, once."""
    import textual.constants
    import textual.drivers.linux_driver  # noqa: F401

    import newstui.search
    import newstui.tui.app  # noqa: F401
    from newstui.tui import screens, widgets

    for package in (screens, widgets):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")
    from newstui.pg import is_database_url

    if is_database_url(str(db_path)):
        # A PostgreSQL archive: its driver loaded once, but no connection opened here
        # (a connection must not cross a fork): each session connects for itself.
        from newstui.pg.store import PgArchive, PgStore  # noqa: F401

        gc.collect()
        gc.freeze()
        return PgStore(str(db_path), read_only=True)
    from newstui.model import preload_list

    store = ArticleStore(Path(db_path), read_only=True)
    try:
        # The list as the reader holds it (compact columns), read once and shared by
        # every reader while the archive is unchanged; not the store's own list of
        # Summary objects, which would cost 370 MB at half a million articles.
        preload_list(Archive(store))
        store.meta  # noqa: B018 - read now, shared by every reader
    except StoreError as exc:
        print(f"newstui serve-ssh: {exc}", file=sys.stderr)
    else:
        warm_up(store)
    # The search index is not opened here: tantivy's reader starts threads, and a
    # fork copies only the thread that forks. Each reader opens it (memory-mapped
    # files: their pages are shared through the page cache all the same).
    gc.collect()
    gc.freeze()  # the collector never touches what is loaded: those pages stay shared
    return store


def warm_up(store: ArticleStore) -> None:
    """Run the reader once, headless, through what a session does (the list, an
    article, a search), so that what Textual loads and caches at first use (lazily
    imported modules, parsed selectors, rendered glyph widths) is loaded here, once,
    and shared, instead of in every reader."""
    import tempfile
    import threading

    from textual.pilot import Pilot

    from newstui.terminal import TerminalSettings
    from newstui.tui.app import NewsApp

    async def walk(pilot: Pilot[object]) -> None:
        app = pilot.app
        for _ in range(100):
            if getattr(app, "loaded", True):
                break
            await pilot.pause(0.05)
        await pilot.press("enter")
        await pilot.pause(0.1)
        await pilot.press("q", "slash", *"news")
        await pilot.pause(0.3)
        app.exit(0)

    settings = TerminalSettings(color="16", utf8=True, low_bandwidth=True, hyperlinks=False)
    with tempfile.TemporaryDirectory(prefix="newstui-warm-") as folder:
        archive = Archive(store.for_reader(Path(folder) / "state.json"))
        app = NewsApp(archive, settings=settings)
        try:
            app.run(headless=True, size=(80, 24), auto_pilot=walk)
        except Exception as exc:  # only a warm-up: readers work without it
            print(f"newstui serve-ssh: warm-up skipped ({exc})", file=sys.stderr)
        app.model.close()
    if threading.active_count() > 1:
        print("newstui serve-ssh: a thread outlived the warm-up", file=sys.stderr)


def forker_main(sock: socket.socket, db_path: Path | str) -> int:
    """The forker's loop: spawn readers on request, report their exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C at the server's terminal: the
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # server shuts down, then so do we
    log_fd = os.dup(2)
    template = preload(db_path)
    children: set[int] = set()
    send(sock, {"op": "ready"})
    while True:
        ready, _, _ = select.select([sock], [], [], 0.1)
        for pid, status in _reap():
            children.discard(pid)
            with contextlib.suppress(OSError):
                send(sock, {"op": "exited", "pid": pid, "status": status})
        if not ready:
            continue
        try:
            data, fds, _flags, _addr = socket.recv_fds(sock, _MAX_MESSAGE, 4)
        except OSError:
            data, fds = b"", []
        if not data:  # the server is gone: so are its readers
            _hang_up(children)
            return 0
        message = json.loads(data)
        if message.get("op") != "spawn" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            sock.close()
            os._exit(_reader(fds[0], message, template, log_fd))
        os.close(fds[0])
        children.add(pid)
        send(sock, {"op": "started", "id": message["id"], "pid": pid})


def _reap() -> list[tuple[int, int]]:
    done: list[tuple[int, int]] = []
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return done
        if pid == 0:
            return done
        done.append((pid, os.waitstatus_to_exitcode(status)))


def _hang_up(children: set[int]) -> None:
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGHUP)
    deadline = 100  # ten seconds to save and leave, then no more waiting
    while children and deadline:
        for pid, _status in _reap():
            children.discard(pid)
        select.select([], [], [], 0.1)
        deadline -= 1
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _reader(tty: int, message: dict[str, Any], template: Any, log_fd: int) -> int:
    """In the forked reader: make `tty` its terminal and run the reader on it."""
    try:
        os.setsid()
        fcntl.ioctl(tty, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(tty, fd)
        if tty > 2:
            os.close(tty)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        # What the forker loaded stays frozen (gc.freeze): a full collection in the
        # reader would otherwise write to every object's header, and so copy every
        # page it shares with the forker.
        return run_session(template, message["env"], Path(message["state"]))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        os.write(log_fd, f"newstui serve-ssh: reader {os.getpid()} failed:\n"
                         f"{traceback.format_exc()}".encode(errors="replace"))
        with contextlib.suppress(OSError):
            os.write(2, b"\r\nnewstui: the reader stopped unexpectedly (the server logged why)\r\n")
        return 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()


def run_session(template: Any, env: dict[str, str], state_path: Path) -> int:
    """Run the reader for one session, in a process forked for it."""
    from newstui import terminal

    os.environ.clear()
    os.environ.update(env)
    if terminal.is_dumb(env):
        os.write(2, f"newstui: TERM={env.get('TERM', '')!r} cannot draw the reader\r\n".encode())
        return 2
    settings = terminal.resolve(env, locale_env=env,
                                bce=terminal.terminal_has_bce(env.get("TERM", "")))
    os.environ.update(settings.textual_environment())
    # Textual read its settings from the environment when the forker imported it:
    # read them again from this session's.
    import textual.constants

    importlib.reload(textual.constants)
    from newstui.tui.app import run_app

    store = template.for_reader(state_path)
    if isinstance(store, ArticleStore):
        archive: Any = Archive(store)
    else:  # a PostgreSQL archive (newstui.pg): the reader is named by the state file
        from newstui.pg.store import PgArchive

        archive = PgArchive(store)
    return run_app(archive, settings)


# -- the server's side -----------------------------------------------------------------


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.send(data)


class ForkerError(Exception):
    """The forker could not start or start a reader."""


class Forker:
    """The server's handle on the forker process."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = db_path
        self.pid = 0
        self._sock: socket.socket | None = None
        self._started: dict[int, asyncio.Future[int]] = {}
        self._exits: dict[int, asyncio.Future[int]] = {}
        self._next_id = 0
        #: Called if the forker stops while the server runs (no more readers can start).
        self.on_lost: Callable[[], None] | None = None

    def start(self) -> None:
        """Fork the forker and wait until it has loaded everything (blocking: call it
        before the event loop starts, and before any thread)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            ours.close()
            code = 1
            try:
                code = forker_main(theirs, self.db_path)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        theirs.close()
        self.pid, self._sock = pid, ours
        data = ours.recv(_MAX_MESSAGE)
        if not data or json.loads(data).get("op") != "ready":
            raise ForkerError("the reader process could not load the archive")

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self._sock is not None
        self._sock.setblocking(False)
        loop.add_reader(self._sock.fileno(), self._receive)

    def _receive(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(_MAX_MESSAGE)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                data = b""
            if not data:
                asyncio.get_running_loop().remove_reader(self._sock.fileno())
                for future in [*self._started.values(), *self._exits.values()]:
                    if not future.done():
                        future.set_exception(ForkerError("the reader process has stopped"))
                if self.on_lost is not None:
                    self.on_lost()
                return
            message = json.loads(data)
            if message["op"] == "started":
                started = self._started.pop(message["id"], None)
                if started is not None and not started.done():
                    started.set_result(message["pid"])
            elif message["op"] == "exited":
                exited = self._exits.setdefault(message["pid"],
                                                asyncio.get_running_loop().create_future())
                if not exited.done():
                    exited.set_result(message["status"])

    async def spawn(self, tty: int, env: dict[str, str], state_path: Path) -> int:
        """Start a reader on `tty` (the pty's terminal end); returns its pid."""
        if self._sock is None:
            raise ForkerError("the reader process is not running")
        self._next_id += 1
        request = self._next_id
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._started[request] = future
        try:
            send(self._sock, {"op": "spawn", "id": request, "env": env,
                              "state": str(state_path)}, [tty])
        except OSError as exc:
            self._started.pop(request, None)
            raise ForkerError(f"the reader process is not answering ({exc})") from None
        pid = await asyncio.wait_for(future, 30)
        self._exits.setdefault(pid, loop.create_future())
        return pid

    async def wait(self, pid: int, timeout: float | None = None) -> int | None:
        """The reader's exit status (None if it has not exited within `timeout`)."""
        future = self._exits.get(pid)
        if future is None:
            return None
        try:
            status = await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            return None
        except ForkerError:  # no one to report it: watch the process itself
            deadline = asyncio.get_running_loop().time() + (timeout or 0)
            while asyncio.get_running_loop().time() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                await asyncio.sleep(0.1)
            return None
        return status

    def forget(self, pid: int) -> None:
        """The session of `pid` is over: its exit status is no longer needed."""
        future = self._exits.get(pid)
        if future is not None and future.done():
            del self._exits[pid]

    def exited(self, pid: int) -> bool:
        future = self._exits.get(pid)
        return future is None or (future.done() and future.exception() is None)

    def stop(self) -> None:
        """Close the socket: the forker hangs up on its readers and leaves."""
        if self._sock is not None:
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                asyncio.get_event_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        if self.pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0
