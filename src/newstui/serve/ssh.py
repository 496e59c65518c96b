"""`newstui serve-ssh`: a reading room. Readers connect with any SSH client and get the
reader — no account, no shell — each with their own reading state.

Built on asyncssh. One connection is one session is one reader process, forked from a
process that has the reader loaded already (forker.py), on a pty this server bridges
to the SSH channel. Everything else an SSH client may ask for — a shell or a command,
a subsystem (sftp), port, agent or X11 forwarding, a second channel — is refused with
a message and a log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import pty
import signal
import struct
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from newstui.files import read_regular_file
from newstui.serve import access
from newstui.serve.forker import Forker, ForkerError

log = logging.getLogger("newstui.serve")

#: The environment a client may send (OpenSSH: SendEnv) that reaches the reader.
PASSED_ENV = ("LANG", "NO_COLOR", "COLORTERM")
#: Commands that are the reader itself (`ssh -t host newstui`); any other is refused.
READER_COMMANDS = ("", "newstui")
#: How often limits (idle time, memory) are checked, seconds.
CHECK_INTERVAL = 5.0


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 2222
    authorized_keys: Path | None = None  # None with anonymous
    anonymous: bool = False
    host_key: Path = Path("ssh_host_ed25519_key")
    state_folder: Path = Path("readers")
    max_sessions: int = 20
    idle_timeout: float = 1800.0  # seconds; 0: none
    max_session_memory: int = 200 * 1024 * 1024  # bytes of a reader's own memory; 0: none
    reader_env: dict[str, str] = field(default_factory=dict)


class HostKeyError(ValueError):
    """The --host-key file is not a private key asyncssh can read."""


def load_host_key(path: Path) -> asyncssh.SSHKey:
    """The server's host key: generated (ed25519) the first time, then reused."""
    if path.exists():
        try:
            return asyncssh.import_private_key(read_regular_file(path))
        except (asyncssh.KeyImportError, ValueError) as exc:
            raise HostKeyError(f"{path}: not an SSH private key ({exc})") from None
    key = asyncssh.generate_private_key("ssh-ed25519", comment="newstui serve-ssh")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    return key


def private_memory(pid: int) -> int:
    """Bytes of memory only this process holds (not shared with the forker or other
    readers), from /proc/PID/smaps_rollup; 0 when it cannot be read."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    total = 0
    for line in text.splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1]) * 1024
    return total


class ReadingRoom:
    """The server: listens, authenticates, counts sessions, enforces limits."""

    def __init__(self, options: Options, forker: Forker) -> None:
        self.options = options
        self.forker = forker
        self.failures = access.FailureLimiter()
        self.sessions: set[ReaderSession] = set()
        self._acceptor: asyncssh.SSHAcceptor | None = None

    async def start(self, host_key: asyncssh.SSHKey) -> None:
        self.forker.attach(asyncio.get_running_loop())
        self._acceptor = await asyncssh.create_server(
            lambda: Connection(self), self.options.host, self.options.port,
            server_host_keys=[host_key], encoding=None, line_editor=False,
            allow_pty=True, x11_forwarding=False, agent_forwarding=False,
            password_auth=False, kbdint_auth=False, gss_host=None,
            login_timeout=60, keepalive_interval=30, keepalive_count_max=4,
            server_version="newstui",
        )
        asyncio.get_running_loop().create_task(self._check_limits())

    @property
    def port(self) -> int:
        assert self._acceptor is not None
        return int(self._acceptor.get_port())

    async def close(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
        await asyncio.gather(*(s.hang_up("the server is shutting down")
                               for s in list(self.sessions)), return_exceptions=True)

    def authorized(self) -> asyncssh.SSHAuthorizedKeys | None:
        """The authorized keys, read again for every connection: an edit of the file
        takes effect for the next one, without a restart."""
        path = self.options.authorized_keys
        if path is None:
            return None
        try:
            data = read_regular_file(path)
        except OSError as exc:
            log.error("cannot read the authorized keys %s: %s", path, exc.strerror or exc)
            return None
        return read_authorized_keys(data, str(path))

    async def _check_limits(self) -> None:
        idle = self.options.idle_timeout
        interval = min(CHECK_INTERVAL, idle / 2) if idle else CHECK_INTERVAL
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            for session in list(self.sessions):
                if session.pid == 0:
                    continue
                if idle and now - session.last_input > idle:
                    await session.hang_up(f"closed after {_minutes(idle)} without a key "
                                          "press")
                    continue
                cap = self.options.max_session_memory
                if cap and (used := private_memory(session.pid)) > cap:
                    log.warning("reader %d of %s uses %.0f MB of its own (cap %.0f MB): "
                                "closed", session.pid, session.who, used / 2**20, cap / 2**20)
                    await session.hang_up("this session used too much memory and was "
                                          "closed; connect again")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"


class Connection(asyncssh.SSHServer):
    """One client connection: authentication, and refusals of everything but a reader."""

    def __init__(self, room: ReadingRoom) -> None:
        self.room = room
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "?"
        self.peer = ("?", 0)
        self.local = ("?", 0)
        self.user = ""
        self.fingerprint: str | None = None
        self.session: ReaderSession | None = None
        self.started = time.monotonic()
        self._keys: asyncssh.SSHAuthorizedKeys | None = None

    @property
    def who(self) -> str:
        key = f" key {self.fingerprint}" if self.fingerprint else ""
        return f"{self.user or '?'}{key} from {self.peer[0]}:{self.peer[1]}"

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.peer = conn.get_extra_info("peername")[:2]
        self.local = conn.get_extra_info("sockname")[:2]
        self.address = str(self.peer[0])
        if self.room.failures.blocked(self.address):
            log.warning("refused %s:%s: too many failed authentications", *self.peer)
            conn.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.session is None:
            reason = f" ({exc})" if exc else ""
            log.info("connection %s closed without a reader after %.1f s%s",
                     self.who, time.monotonic() - self.started, reason)

    # -- authentication ---------------------------------------------------------

    def begin_auth(self, username: str) -> bool:
        self.user = username
        if self.room.options.anonymous:
            return False  # no authentication: anyone may read
        self._keys = self.room.authorized()
        return True

    def public_key_auth_supported(self) -> bool:
        return not self.room.options.anonymous

    def password_auth_supported(self) -> bool:
        return False  # never: keys or anonymous

    def kbdint_auth_supported(self) -> bool:
        return False

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        fingerprint = key.get_fingerprint("sha256")
        options = None
        if self._keys is not None and not self.room.failures.blocked(self.address):
            host = str(self.peer[0])
            options = self._keys.validate(key, host, host)
        if options is None:
            self.room.failures.failed(self.address)
            log.warning("authentication refused: user %r key %s from %s:%s", username,
                        fingerprint, *self.peer)
            return False
        self.fingerprint = fingerprint
        return True

    def auth_completed(self) -> None:
        log.info("authenticated %s", self.who)

    # -- channels -----------------------------------------------------------------

    def session_requested(self) -> ReaderSession:
        if self.session is not None:
            log.warning("refused a second channel from %s", self.who)
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                            "one reader per connection")
        self.session = ReaderSession(self)
        return self.session

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> bool:
        log.warning("refused port forwarding to %s:%s from %s", dest_host, dest_port, self.who)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                        "port forwarding is not allowed here")

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        log.warning("refused remote port forwarding of %s:%s from %s", listen_host,
                    listen_port, self.who)
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        log.warning("refused socket forwarding to %s from %s", dest_path, self.who)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED,
                                        "socket forwarding is not allowed here")

    def unix_server_requested(self, listen_path: str) -> bool:
        log.warning("refused remote socket forwarding of %s from %s", listen_path, self.who)
        return False


class ReaderSession(asyncssh.SSHServerSession[bytes]):
    """The one channel of a connection: a reader on a pty, bridged to the client."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.room = connection.room
        self.chan: asyncssh.SSHServerChannel[bytes] | None = None
        self.term: str | None = None
        self.size = (80, 24)
        self.refusal = ""
        self.pid = 0
        self.master = -1
        self.last_input = time.monotonic()
        self.started = time.monotonic()
        self.bytes_in = self.bytes_out = 0
        self._pending = b""
        self._paused = False
        self._closing = False
        self._ended = False
        self.outcome = "the reader left"

    @property
    def who(self) -> str:
        return self.connection.who

    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Any) -> bool:
        self.term = term_type
        if term_size[0] and term_size[1]:
            self.size = (term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        if command.strip() not in READER_COMMANDS:
            log.warning("refused command %r from %s", command, self.who)
            self.refusal = (f"newstui: this server only runs the news reader; "
                            f"{command!r} was not run")
        return True  # accepted only to say why nothing runs (see session_started)

    def subsystem_requested(self, subsystem: str) -> bool:
        log.warning("refused subsystem %r from %s", subsystem, self.who)
        self.refusal = f"newstui: this server only runs the news reader; no {subsystem}"
        return True

    def session_started(self) -> None:
        asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        if self.refusal:
            return self._refuse(self.refusal)
        if self.term is None:
            log.warning("refused %s: no terminal asked for", self.who)
            return self._refuse("newstui: the reader needs a terminal: connect with "
                                "`ssh -t`")
        running = sum(1 for s in self.room.sessions if not s._ended)
        if running >= self.room.options.max_sessions:
            log.warning("refused %s: full (%d readers)", self.who, running)
            return self._refuse(f"newstui: this reading room is full "
                                f"({running} readers); try again later")
        self.room.sessions.add(self)
        master, slave = pty.openpty()
        self.master = master
        self._set_size(*self.size)
        os.set_blocking(master, False)
        try:
            folder = self.room.options.state_folder
            folder.mkdir(parents=True, exist_ok=True)
            state = access.state_path(folder, self.connection.user, self.connection.fingerprint)
            self.pid = await self.room.forker.spawn(slave, self._environment(), state)
        except (ForkerError, OSError, asyncio.TimeoutError) as exc:
            log.error("could not start a reader for %s: %s", self.who, exc)
            self.room.sessions.discard(self)
            self._close_master()
            return self._refuse("newstui: the reader could not start; try again later")
        finally:
            with contextlib.suppress(OSError):
                os.close(slave)
        log.info("reader %d started for %s (TERM=%s, %dx%d)", self.pid, self.who,
                 self.term, *self.size)
        asyncio.get_running_loop().add_reader(master, self._from_reader)
        if self._closing:  # the client left while the reader was starting
            await self.hang_up("")

    def _refuse(self, text: str) -> None:
        self._ended = True
        log.info("session of %s ended (refused) after %.1f s", self.who,
                 time.monotonic() - self.started)
        if self.chan is not None:
            self.chan.write_stderr((text + "\r\n").encode())
            self.chan.exit(1)

    def _environment(self) -> dict[str, str]:
        sent = self.chan.get_environment() if self.chan is not None else {}
        env = {k: v for k, v in os.environ.items()
               if k in ("PATH", "HOME", "TZ", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE")}
        env.setdefault("LANG", "C.UTF-8")
        for name, value in sent.items():
            if isinstance(name, bytes) or isinstance(value, bytes):
                continue
            if name in PASSED_ENV or name.startswith("LC_"):
                env[name] = value
        if "LANG" in sent and "LC_ALL" not in sent:
            env.pop("LC_ALL", None)  # the client's LANG, not the host's LC_ALL, decides
        peer, local = self.connection.peer, self.connection.local
        env.update(self.room.options.reader_env)
        env.update(TERM=self.term or "dumb",
                   SSH_CONNECTION=f"{peer[0]} {peer[1]} {local[0]} {local[1]}",
                   SSH_CLIENT=f"{peer[0]} {peer[1]} {local[1]}",
                   USER=self.connection.user, LOGNAME=self.connection.user)
        return env

    def _set_size(self, cols: int, rows: int) -> None:
        if self.master >= 0:
            with contextlib.suppress(OSError):
                fcntl.ioctl(self.master, termios.TIOCSWINSZ,
                            struct.pack("HHHH", rows, cols, 0, 0))

    # -- the bridge -----------------------------------------------------------------

    def _from_reader(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno not in (errno.EIO, errno.EBADF):
                log.error("reading the reader's terminal for %s: %s", self.who, exc)
            data = b""
        if not data:  # the reader has closed its terminal: it is leaving
            self._stop_reading()
            asyncio.get_running_loop().create_task(self._finish())
            return
        self.bytes_out += len(data)
        if self.chan is not None and not self._closing:
            try:
                self.chan.write(data)
            except BrokenPipeError:  # the client has gone; connection_lost follows
                self._closing = True

    def _stop_reading(self) -> None:
        if self.master >= 0:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self.master)

    def pause_writing(self) -> None:
        # The client is slower than the reader draws: stop reading the pty, so the
        # reader blocks on its own output instead of our buffering it without end.
        if self.master >= 0 and not self._paused:
            self._paused = True
            self._stop_reading()

    def resume_writing(self) -> None:
        if self.master >= 0 and self._paused:
            self._paused = False
            asyncio.get_running_loop().add_reader(self.master, self._from_reader)

    def data_received(self, data: bytes, datatype: Any) -> None:
        self.last_input = time.monotonic()
        self.bytes_in += len(data)
        if self.master < 0:
            return
        self._pending += data
        self._write_pending()

    def _write_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending and self.master >= 0:
            try:
                written = os.write(self.master, self._pending)
            except BlockingIOError:
                loop.add_writer(self.master, self._write_pending)
                return
            except OSError:
                self._pending = b""
                break
            self._pending = self._pending[written:]
        with contextlib.suppress(ValueError, RuntimeError):
            if self.master >= 0:
                loop.remove_writer(self.master)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        # The kernel sends the reader SIGWINCH when its terminal's size changes.
        if width and height:
            self.size = (width, height)
            self._set_size(width, height)

    def eof_received(self) -> bool:
        return True  # keep the channel open: the reader decides when it ends

    def break_received(self, msec: int) -> bool:
        return False

    def signal_received(self, signal_name: str) -> None:
        pass  # a client may not signal the reader

    def connection_lost(self, exc: Exception | None) -> None:
        self._closing = True
        if self.pid and not self._ended:
            self.outcome = "client left"
            asyncio.get_running_loop().create_task(self.hang_up(""))
        elif not self.pid and not self._ended:
            self.room.sessions.discard(self)

    async def hang_up(self, message: str) -> None:
        """End the session from the server's side: the reader gets SIGHUP (it saves
        its place and leaves), as it would from sshd when a connection drops."""
        if self._ended or not self.pid:
            return
        if message:
            self.outcome = message
            if self.chan is not None:
                with contextlib.suppress(Exception):
                    self.chan.write(f"\x1b[?1049l\r\nnewstui: {message}\r\n".encode())
        with contextlib.suppress(ProcessLookupError):
            if not self.room.forker.exited(self.pid):
                os.kill(self.pid, signal.SIGHUP)
        status = await self.room.forker.wait(self.pid, 10)
        if status is None and not self.room.forker.exited(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        await self._finish()

    async def _finish(self) -> None:
        if self._ended:
            return
        self._ended = True
        status = await self.room.forker.wait(self.pid, 10)
        self._stop_reading()
        self._close_master()
        self.room.sessions.discard(self)
        self.room.forker.forget(self.pid)
        code = 1 if status is None else (status if status >= 0 else 128 - status)
        log.info("session of %s ended (%s): reader %d exit %s, %.1f s, %d bytes in, "
                 "%d bytes out", self.who, self.outcome, self.pid, code,
                 time.monotonic() - self.started, self.bytes_in, self.bytes_out)
        if self.chan is not None and not self._closing:
            with contextlib.suppress(Exception):
                self.chan.exit(code)

    def _close_master(self) -> None:
        if self.master >= 0:
            loop = asyncio.get_running_loop()
            with contextlib.suppress(ValueError, RuntimeError):
                loop.remove_writer(self.master)
            with contextlib.suppress(OSError):
                os.close(self.master)
            self.master = -1


class _DeniedFilter(logging.Filter):
    """asyncssh says itself when it denies X11 or agent forwarding: only those lines
    reach our log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True  # and whatever goes wrong
        message = record.getMessage()
        return "denied" in message or "not permitted" in message


def _asyncssh_refusals_to_log() -> None:
    asyncssh_log = logging.getLogger("asyncssh")
    asyncssh_log.setLevel(logging.INFO)
    asyncssh_log.propagate = False
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s newstui serve-ssh: refused: "
                                           "%(message)s", "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_DeniedFilter())
    asyncssh_log.addHandler(handler)


def serve(options: Options, forker: Forker) -> int:
    """Run the reading room until SIGINT or SIGTERM. `forker` is started already."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s newstui serve-ssh: "
                        "%(message)s", datefmt="%Y-%m-%dT%H:%M:%S")
    _asyncssh_refusals_to_log()
    host_key = load_host_key(options.host_key)

    failed = False

    async def main() -> None:
        room = ReadingRoom(options, forker)
        stop = asyncio.Event()

        def forker_lost() -> None:
            nonlocal failed
            failed = True
            log.error("the process readers are forked from has stopped: shutting down")
            stop.set()

        forker.on_lost = forker_lost
        await room.start(host_key)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        access_mode = ("anonymous (any user name, read-only)" if options.anonymous
                       else f"keys in {options.authorized_keys}")
        print(f"newstui serve-ssh: listening on {options.host}:{room.port}; host key "
              f"{host_key.get_fingerprint('sha256')} ({options.host_key}); {access_mode}; "
              f"at most {options.max_sessions} readers", flush=True)
        await stop.wait()
        log.info("shutting down: %d readers", len(room.sessions))
        await room.close()

    try:
        asyncio.run(main())
    finally:
        forker.stop()
    return 1 if failed else 0


def read_authorized_keys(data: bytes, name: str) -> asyncssh.SSHAuthorizedKeys | None:
    """The usable lines of an authorized_keys file. As OpenSSH's sshd does, a line it
    cannot read (an unbalanced quote, a stray byte, a typo made while adding a reader)
    is logged with its number and skipped: one bad line must not lock every reader
    out, and the file is read again for each connection, so a typo would otherwise
    shut the whole room."""
    good: list[str] = []
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            asyncssh.import_authorized_keys(text)
        except (ValueError, asyncssh.KeyImportError) as exc:
            log.warning("authorized keys %s line %d skipped: %s", name, number, exc)
            continue
        good.append(text)
    if not good:
        log.error("authorized keys %s: no usable key", name)
        return None
    return asyncssh.import_authorized_keys("\n".join(good))

