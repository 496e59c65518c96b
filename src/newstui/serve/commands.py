"""The `serve-ssh` and `serve-web` subcommands: their options, and starting them.

Imports neither asyncssh nor textual-serve until a server is started."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from newstui.archive import Archive
from newstui.files import expand_user, read_regular_file

LOOPBACK = "127.0.0.1"


def add_parsers(sub: Any, common: list[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve-ssh", parents=common,
        help="a reading room: serve the reader to SSH clients, each with their own state",
        description="Serve the reader over SSH: readers connect with `ssh -t -p PORT "
                    "NAME@HOST` and get the reader, nothing else (no shell, no "
                    "forwarding). Each key (or, with --anonymous, each user name) keeps "
                    "its own read/starred/position state; the archive is read-only.")
    # Defaults None: the config file's [serve_ssh] fills what is not given (cli.py).
    p.add_argument("--host", default=None,
                   help=f"address to listen on (default {LOOPBACK}; anything else must be "
                        "asked for)")
    p.add_argument("--port", type=_port, default=None, help="port (default 2222)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--authorized-keys", metavar="FILE",
                     help="OpenSSH authorized_keys file of the readers' public keys "
                          "(options such as from= are honoured); read again at each "
                          "connection")
    who.add_argument("--anonymous", action="store_true",
                     help="anyone may read, under any user name, without a password")
    p.add_argument("--host-key", metavar="FILE",
                   help="the server's private host key (default: ssh_host_ed25519_key in "
                        "the data folder, generated the first time)")
    p.add_argument("--state-dir", metavar="DIR",
                   help="where readers' states are kept (default: readers/ in the data "
                        "folder)")
    p.add_argument("--max-sessions", type=_count, default=None, metavar="N",
                   help="at most N readers at once (default 20); the next is told to try "
                        "later")
    p.add_argument("--idle-timeout", default=None, metavar="TIME",
                   help="close a session after TIME without a key press (default 30m; 0: "
                        "never)")
    p.add_argument("--max-session-memory", type=_count, default=200, metavar="MB",
                   help="close a reader whose own memory (not shared with the others) "
                        "passes MB megabytes (default 200)")

    p = sub.add_parser(
        "serve-web", parents=common, help="serve the reader in a web browser (textual-serve)",
        description="Serve the reader to web browsers with textual-serve. It listens on "
                    "loopback; put it behind a reverse proxy with authentication for "
                    "anything else (see the README).")
    p.add_argument("--host", default=None, help=f"address to listen on (default {LOOPBACK})")
    p.add_argument("--port", type=_port, default=None, help="port (default 8000)")
    p.add_argument("--public-url", metavar="URL",
                   help="the address browsers use, when behind a reverse proxy "
                        "(e.g. https://news.example.org)")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def run(archive: Archive, args: argparse.Namespace) -> int:
    from newstui.cli import UsageError

    if args.command == "serve-web":
        return run_web(archive, args)
    from newstui.serve.access import parse_duration

    try:
        idle = parse_duration(args.idle_timeout)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    keys = expand_user(args.authorized_keys) if args.authorized_keys else None
    if keys is not None and not keys.is_file():
        raise UsageError(f"{keys}: no such authorized keys file")
    # A PostgreSQL archive (newstui.pg) is served by its URL; a file must exist.
    database = getattr(archive.store, "url", None)
    if database is None and not archive.path.exists():
        raise UsageError(f"{archive.path}: no archive there to serve")
    from newstui.folders import data_folder

    folder = data_folder()
    host_key = (expand_user(args.host_key) if args.host_key
                else folder / "ssh_host_ed25519_key")
    _check_host_key(host_key)  # before the forker starts: a mistake costs nothing
    from newstui.serve.forker import Forker, ForkerError

    forker = Forker(database or archive.path)
    try:
        forker.start()  # before asyncssh is imported or any thread starts
    except ForkerError as exc:
        raise UsageError(str(exc)) from None
    # Make the index current now, as the host: the readers cannot write it.
    archive.index()
    from newstui.serve import ssh

    options = ssh.Options(
        host=args.host, port=args.port, authorized_keys=keys, anonymous=args.anonymous,
        host_key=host_key,
        state_folder=expand_user(args.state_dir) if args.state_dir
        else folder / "readers",
        max_sessions=args.max_sessions, idle_timeout=idle,
        max_session_memory=args.max_session_memory * 1024 * 1024,
    )
    try:
        return ssh.serve(options, forker)
    except ssh.HostKeyError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None


def _check_host_key(path: Path) -> None:
    """What can be told of --host-key without asyncssh (which may not be imported
    before the forker starts): a missing file is made; anything else there must be a
    readable regular file holding a private key, not a folder, a FIFO (whose read
    would hang) or the public half."""
    from newstui.cli import UsageError

    if not path.exists():
        return
    try:
        data = read_regular_file(path)
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder, not a host key file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the host key: {exc.strerror or exc}") from None
    if data.lstrip().startswith((b"ssh-", b"ecdsa-", b"sk-")):
        raise UsageError(f"{path}: a public key; --host-key takes the private key "
                         "(the file without .pub)")
    if b"PRIVATE KEY" not in data[:100]:
        raise UsageError(f"{path}: not an SSH private key")


def run_web(archive: Archive, args: argparse.Namespace) -> int:
    from textual_serve.server import Server

    database = getattr(archive.store, "url", None) or str(archive.path)  # newstui.pg: its URL
    command = shlex.join([sys.executable, "-m", "newstui", "--db", database])
    server = Server(command, host=args.host, port=args.port, title="newstui",
                    public_url=args.public_url)
    server.serve()
    return 0
