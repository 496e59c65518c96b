"""Crash-safe file replacement, shared by the store and the index."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path


class FileWriteError(OSError):
    """A file could not be written; the message names it."""


class ReadOnlyError(FileWriteError):
    """The file or its folder is not writable."""


def atomic_write(path: Path, data: bytes, backup: bool = False) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup and path.exists():
            bak_tmp = path.with_name(f".{path.name}.bak.tmp")
            with contextlib.suppress(FileNotFoundError):
                bak_tmp.unlink()
            os.link(path, bak_tmp)  # no copy: the old inode lives on as the backup
            os.replace(bak_tmp, path.with_name(path.name + ".bak"))
        os.replace(tmp, path)
    except PermissionError:
        raise ReadOnlyError(f"{path}: read-only (permission denied)") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise ReadOnlyError(f"{path}: read-only file system") from None
        raise FileWriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX needs the folder itself synced)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
