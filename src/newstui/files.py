"""Crash-safe file replacement and the writers' lock, shared by the store and the index.

`atomic_write` writes a temporary file beside the target, fsyncs it, renames it over
the target and fsyncs the folder, so a crash or power loss leaves the old file or the
new one, never a mixture. It also keeps what the file *is*:

- a symbolic link stays a link: the write goes to the file it points to (a store kept
  in a synced folder keeps receiving imports), and the backup is a real file;
- the permission bits stay (a store made `chmod 600` is not rewritten world-readable);
- a temporary file left by a write that was killed is removed by the next write, so
  a store-sized hidden file cannot pile up;
- a full disk is one clear error, and the partial temporary file is removed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO


class FileWriteError(OSError):
    """A file could not be written; the message names it."""


class ReadOnlyError(FileWriteError):
    """The file or its folder is not writable."""


class DiskFullError(FileWriteError):
    """The file system is full (or the user's quota is used up)."""


def _temporary_name(name: str) -> str:
    # The pid says whose it is (so a dead writer's file can be recognised); the random
    # part keeps two threads of one process from sharing a name.
    return f".{name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"


def _temporary_pattern(name: str) -> re.Pattern[str]:
    # Also the names of earlier releases: ".NAME.<pid>.tmp" and ".NAME.bak.tmp".
    return re.compile(rf"^\.{re.escape(name)}\.(?:(\d+)(?:-[0-9a-f]+)?|bak)\.tmp$")


def write_target(path: Path) -> Path:
    """The file a write of `path` really replaces: the end of its chain of symbolic
    links (which need not exist yet), else `path` itself."""
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))
class UnknownUserError(ValueError):
    """A path began `~name/` and the system has no user of that name."""


def expand_user(text: str | os.PathLike[str]) -> Path:
    """`Path(text).expanduser()`, with one clear error for `~nosuchuser/...` (the
    standard library raises a bare RuntimeError that would reach the user as a
    traceback)."""
    path = Path(text)
    try:
        return path.expanduser()
    except RuntimeError:
        user = str(text).split("/", 1)[0]
        raise UnknownUserError(f"{text}: no user named {user[1:]!r}") from None


class NotARegularFileError(OSError):
    """A FIFO, device or socket where a file was expected: reading it could block
    forever (a FIFO with no writer) or never end (/dev/zero)."""


def open_regular_file(path: Path) -> int:
    """A read-only descriptor for `path`, which must be a regular file (else
    NotARegularFileError; IsADirectoryError for a folder). Opened without blocking, so
    a FIFO is refused instead of hanging until something writes to it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return fd
    os.close(fd)
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
    raise NotARegularFileError(
        errno.EINVAL, "not a regular file (a FIFO, socket or device)", str(path))


def read_regular_file(path: Path) -> bytes:
    """The bytes of `path`, a regular file (see `open_regular_file`)."""
    with os.fdopen(open_regular_file(path), "rb") as handle:
        return handle.read()


#: A file's (inode, size, modification time): a change means some process replaced it.
FileIdentity = tuple[int, int, int]


def file_identity(path: Path) -> FileIdentity | None:
    """The identity of the file at `path` as it is now (None when it cannot be looked
    at)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


class LockTimeoutError(FileWriteError):
    """Another process kept a write lock for longer than we would wait."""


def atomic_write(path: Path, data: bytes, backup: bool = False) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file.

    With `backup`, the file being replaced is kept as `path.bak` (beside `path`, a
    real file even when `path` is a link). Raises ReadOnlyError, DiskFullError or
    FileWriteError, each naming the file, and leaves nothing of the attempt behind.
    """
    with atomic_writer(path, backup) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path, backup: bool = False) -> Iterator[BinaryIO]:
    """`atomic_write` for data written a piece at a time (an export): the file
    appears whole when the block ends without an error, and not at all otherwise."""
    target = write_target(path)
    remove_stale_temporaries(target)
    tmp = target.with_name(_temporary_name(target.name))
    try:
        old = _stat_of(target)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with open(fd, "wb") as handle:
            if old is not None:
                # Before the data is written: the new file is never more readable
                # than the one it replaces.
                _keep_mode_and_owner(handle.fileno(), old)
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if backup and old is not None:
            keep_copy(target, path.with_name(path.name + ".bak"))
        os.replace(tmp, target)
    except PermissionError:
        raise ReadOnlyError(f"{path}: read-only (permission denied)") from None
    except OSError as exc:
        raise _write_error(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(target.parent)
    if backup and path.parent != target.parent:
        fsync_dir(path.parent)  # the backup beside the link


def is_special_file(path: Path) -> bool:
    """Whether `path` is (or links to) something other than a regular file or a
    folder: a FIFO, a device, a socket. Such a thing is written straight, never
    replaced by a rename (`--output /dev/stdout` must reach the terminal, and a
    rename over /dev/null would take the device away)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_error(path: Path, exc: OSError) -> FileWriteError:
    if isinstance(exc, FileWriteError):
        return exc
    if exc.errno == errno.EROFS:
        return ReadOnlyError(f"{path}: read-only file system")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(f"{path}: cannot write: no space left on the disk")
    return FileWriteError(f"{path}: cannot write: {exc.strerror or exc}")


def keep_copy(target: Path, backup: Path) -> None:
    """Keep the file about to be replaced as `backup`, a real file: a hard link (no
    copy: the old inode lives on as the backup) where it can be, else a copy."""
    bak_tmp = backup.with_name(_temporary_name(backup.name))
    try:
        try:
            os.link(target, bak_tmp)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            # The link's target is on another file system (or it has no hard links).
            shutil.copy2(target, bak_tmp, follow_symlinks=True)
            with open(bak_tmp, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(bak_tmp, backup)
    finally:
        with contextlib.suppress(FileNotFoundError):
            bak_tmp.unlink()


def _stat_of(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _keep_mode_and_owner(fd: int, old: os.stat_result) -> None:
    os.fchmod(fd, stat.S_IMODE(old.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0 and old.st_uid != 0:
        # root (a cron job, say) rewriting a user's store must not take it from them.
        with contextlib.suppress(OSError):
            os.fchown(fd, old.st_uid, old.st_gid)


def stale_temporaries(path: Path) -> list[Path]:
    """Temporary files of `path` left by writes that were killed: their process is
    gone (a live writer's file, or one whose owner cannot be told, is left alone)."""
    pattern = _temporary_pattern(path.name)
    found = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return []
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None:
            continue
        pid = match.group(1)
        if pid is None or not _alive(int(pid)):
            found.append(Path(entry.path))
    return found


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove what `stale_temporaries` finds; returns what was removed."""
    removed = []
    for leftover in stale_temporaries(path):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing it right now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process: leave its file alone
    return True


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX needs the folder itself synced)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: Told when a writer has to wait for another: receives the lock file's path.
OnWait = Callable[[Path], None]


class WriteLock:
    """An exclusive lock for writing (flock on a lock file beside what it guards).

    A second writer waits, saying so once through `on_wait`, and gives up with
    LockTimeoutError after `timeout` seconds. The lock goes with the process: a writer
    killed with SIGKILL releases it.
    """

    def __init__(self, path: Path, timeout: float = 120.0, on_wait: OnWait | None = None) -> None:
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK, 0o644)
        except PermissionError:
            raise ReadOnlyError(f"{self.path.parent}: folder is read-only") from None
        except OSError as exc:
            if exc.errno == errno.EROFS:
                raise ReadOnlyError(f"{self.path.parent}: read-only file system") from None
            if isinstance(exc, FileNotFoundError):
                raise FileWriteError(f"{self.path.parent}: no such folder") from None
            raise FileWriteError(f"{self.path}: cannot lock: {exc.strerror or exc}") from None
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if not told and self.on_wait is not None:
                    self.on_wait(self.path)
                    told = True
                if time.monotonic() > deadline:
                    os.close(self._fd)
                    self._fd = None
                    raise LockTimeoutError(
                        f"{self.path}: another newstui process is still writing this store "
                        f"after {self.timeout:.0f} s; try again later"
                    ) from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
