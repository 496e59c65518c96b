"""The reading room for real: `newstui serve-ssh` on a loopback port, OpenSSH's own
client (`ssh -tt`) in a pseudo-terminal, the screen read by pyte. Without the OpenSSH
client these tests skip, saying so (`.ci/run` installs it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pty_terminal import KEYS, PtyTerminal
from support.ssh_room import (
    NEWEST,
    Room,
    client_env,
    free_port,
    make_key,
    need_openssh,
    read_search_resize_and_quit,
)

from newstui.archive import Archive, bundled_samples


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "store.json"
    Archive.open(db).import_paths([bundled_samples()])
    Archive.open(db).index()
    return db


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    need_openssh()
    folder = tmp_path_factory.mktemp("keys")
    found = {name: make_key(folder / name) for name in ("alice", "bob", "stranger")}
    authorized = folder / "authorized_keys"
    authorized.write_text((folder / "alice.pub").read_text() + (folder / "bob.pub").read_text())
    found["authorized"] = authorized
    return found


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, store: Path,
         keys: dict[str, Path]) -> Iterator[Room]:
    server = Room(tmp_path_factory.mktemp("room"), store,
                  "--authorized-keys", str(keys["authorized"]))
    yield server
    server.stop()


def reader(room: Room, key: Path | None, user: str = "reader", cols: int = 80,
           rows: int = 24, **env: str) -> PtyTerminal:
    return PtyTerminal(room.ssh_argv(key, user), client_env(**env), cols, rows)


def test_read_search_resize_and_quit(room: Room, keys: dict[str, Path], store: Path) -> None:
    before = store.stat().st_mtime_ns
    term = reader(room, keys["alice"])
    try:
        read_search_resize_and_quit(term)
    finally:
        term.close()
    # SSH_CONNECTION is set for the reader: low bandwidth, so no mouse reporting.
    assert b"\x1b[?1000h" not in term.raw
    assert b"Traceback" not in term.raw
    line = room.wait_log(r"session of reader key (SHA256:\S+) from 127\.0\.0\.1:\d+ ended "
                         r"\(the reader left\): reader \d+ exit 0, [\d.]+ s, "
                         r"(\d+) bytes in, (\d+) bytes out")
    assert int(line.group(2)) > 10 and int(line.group(3)) > 1000
    assert store.stat().st_mtime_ns == before, "a session wrote the archive"


def test_two_readers_keep_separate_stars(room: Room, keys: dict[str, Path]) -> None:
    # Alice stars the newest article; Bob, reading at the same time, does not see it.
    alice, bob = reader(room, keys["alice"]), reader(room, keys["bob"])
    try:
        alice.wait_for(NEWEST)
        bob.wait_for(NEWEST)
        alice.press("s")
        alice.wait_for(f"★ 2016-12-01  MARROWBY        {NEWEST[:20]}")
        bob.press("j")
        bob.read(1.0)
        assert "★" not in bob.text
        for term in (alice, bob):
            term.press("q")
            assert term.wait_exit() == 0
    finally:
        alice.close()
        bob.close()
    # Each key has its own state file; the star is Alice's alone, and kept.
    states = list(room.state_dir.glob("*.state.json"))
    assert states and all(p.name.startswith("key-") for p in states)
    for key, starred in (("alice", True), ("bob", False)):
        again = reader(room, keys[key])
        try:
            if starred:
                again.wait_for("★ 2016-12-01")
            else:
                again.wait_for(NEWEST)
                again.read(0.5)
                assert "★ 2016-12-01" not in again.text, again.text
            again.press("q")
            again.wait_exit()
        finally:
            again.close()


def test_unknown_key_and_passwords_are_refused(room: Room, keys: dict[str, Path]) -> None:
    done = room.ssh(keys["stranger"])
    assert done.returncode == 255 and "Permission denied" in done.stderr
    room.wait_log(r"authentication refused: user 'reader' key SHA256:\S+ from 127\.0\.0\.1")
    done = room.ssh(None, options=("-o", "PreferredAuthentications=password,"
                                         "keyboard-interactive"))
    assert done.returncode == 255 and "Permission denied" in done.stderr


def test_commands_and_subsystems_are_refused(room: Room, keys: dict[str, Path]) -> None:
    done = room.ssh(keys["alice"], "cat", "/etc/passwd")
    assert done.returncode == 1
    assert "root:" not in done.stdout
    assert "only runs the news reader" in done.stderr
    room.wait_log(r"refused command 'cat /etc/passwd' from reader key SHA256:")
    done = room.ssh(keys["alice"], "sftp", options=("-s",))
    assert done.returncode != 0 and "no sftp" in done.stderr
    room.wait_log(r"refused subsystem 'sftp'")
    # A session without a terminal cannot hold the reader: it is told how to connect.
    done = room.ssh(keys["alice"])
    assert done.returncode == 1 and "ssh -t" in done.stderr


def test_forwarding_is_refused(room: Room, keys: dict[str, Path]) -> None:
    # ssh -N -L: the client listens locally; a connection to it asks the server to
    # open a channel onward, which is refused (the local connection just closes).
    tunnel, local = _local_forward(room, keys["alice"])
    try:
        with socket.create_connection(("127.0.0.1", local), timeout=90) as sock:
            sock.settimeout(90)  # a safety net: the server's refusal closes it
            assert sock.recv(100) == b""  # closed: nothing was forwarded
        room.wait_log(r"refused port forwarding to 127\.0\.0\.1:\d+ from reader key")
    finally:
        tunnel.terminate()
        tunnel.communicate(timeout=30)
    # -R: the server will not listen for the client.
    done = room.ssh(keys["alice"], options=("-N", "-o", "ExitOnForwardFailure=yes",
                                            "-R", f"{free_port()}:127.0.0.1:22"))
    assert done.returncode == 255 and "forwarding failed" in done.stderr
    room.wait_log(r"refused remote port forwarding")


def test_x11_and_agent_forwarding_are_refused(room: Room, keys: dict[str, Path],
                                              tmp_path: Path) -> None:
    agent = subprocess.run(["ssh-agent", "-s", "-a", str(tmp_path / "agent")],
                           capture_output=True, text=True)
    env = client_env(DISPLAY=":93", SSH_AUTH_SOCK=str(tmp_path / "agent"))
    term = PtyTerminal(room.ssh_argv(keys["alice"], options=("-X", "-A")), env)
    try:
        term.wait_for(NEWEST)
        room.wait_log(r"refused: \[conn=\d+\] X11 forwarding request denied")
        if agent.returncode == 0:
            room.wait_log(r"refused: \[conn=\d+\] Agent forwarding request denied")
        term.press("q")
        term.wait_exit()
    finally:
        term.close()
        if agent.returncode == 0:
            pid = [w for w in agent.stdout.split(";") if "SSH_AGENT_PID=" in w]
            if pid:
                os.kill(int(pid[0].split("=")[1]), signal.SIGTERM)


def test_a_second_channel_on_one_connection_is_refused(room: Room, keys: dict[str, Path],
                                                       tmp_path: Path) -> None:
    # OpenSSH's connection sharing opens each new session as a channel of the first
    # connection: the first gets the reader, the second is refused.
    control = str(tmp_path / "control")
    shared = ("-o", "ControlMaster=yes", "-o", f"ControlPath={control}", "-N")
    master = subprocess.Popen(room.ssh_argv(keys["alice"], tty=False, options=shared),
                              stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=client_env())
    try:
        deadline = time.monotonic() + 20
        while not os.path.exists(control) and time.monotonic() < deadline:
            time.sleep(0.05)
        via = ("-o", "ControlMaster=no", "-o", f"ControlPath={control}")
        first = PtyTerminal(room.ssh_argv(keys["alice"], options=via), client_env())
        try:
            first.wait_for(NEWEST)
            # (Refused, OpenSSH falls back to a connection of its own: without a
            # terminal, that one is turned away too.)
            second = room.ssh(keys["alice"], options=via)
            assert "Session open refused by peer" in second.stderr
            assert second.returncode == 1
            room.wait_log(r"refused a second channel from reader")
            first.press("q")
            first.wait_exit()
        finally:
            first.close()
    finally:
        master.terminate()
        master.wait(10)


def test_a_killed_client_leaves_the_others_reading(room: Room, keys: dict[str, Path]) -> None:
    alice, bob = reader(room, keys["alice"]), reader(room, keys["bob"])
    try:
        alice.wait_for(NEWEST)
        bob.wait_for(NEWEST)
        os.killpg(alice.process.pid, signal.SIGKILL)  # the client vanishes mid-session
        match = room.wait_log(r"session of reader key \S+ from \S+ ended \(client left\): "
                              r"reader (\d+) exit")
        with pytest.raises(ProcessLookupError):
            os.kill(int(match.group(1)), 0)  # its reader is gone
        bob.press(KEYS["enter"])
        bob.wait_for("MARROWBY · Updated 1 December 2016")
        bob.press("q")
        bob.wait_for("20 articles")
        # A reader that crashes is one process: the server and the others go on.
        bob_reader = int(room.wait_log(r"reader (\d+) started for reader key \S+ from "
                                       r"127\.0\.0\.1:\d+ \(TERM").group(1))
        assert bob_reader > 0
        bob.press("q")
        assert bob.wait_exit() == 0
    finally:
        alice.close()
        bob.close()
    late = reader(room, keys["alice"])
    try:
        late.wait_for(NEWEST)
        pid = _reader_pid(room, late)
        os.kill(pid, signal.SIGKILL)  # the reader itself crashes
        assert late.wait_exit() != 0
        room.wait_log(rf"reader {pid} exit 137")
    finally:
        late.close()
    after = reader(room, keys["bob"])
    try:
        after.wait_for(NEWEST)
        after.press("q")
        assert after.wait_exit() == 0
    finally:
        after.close()


def test_max_sessions_refuses_the_next(store: Path, keys: dict[str, Path],
                                       tmp_path: Path) -> None:
    server = Room(tmp_path, store, "--anonymous", "--max-sessions", "2")
    first, second = reader(server, None, "ann"), reader(server, None, "ben")
    try:
        first.wait_for(NEWEST)
        second.wait_for(NEWEST)
        first.press("s")
        first.wait_for("Starred")
        third = server.ssh(None, user="cy", tty=True)
        assert third.returncode == 1
        assert "full (2 readers); try again later" in third.stderr
        server.wait_log(r"refused cy from 127\.0\.0\.1:\d+: full \(2 readers\)")
        for term in (first, second):
            term.press("q")
            assert term.wait_exit() == 0
        # Anonymous readers keep their state under their (sanitised) user names.
        names = sorted(p.name for p in server.state_dir.glob("*.state.json"))
        assert names == ["user-ann.state.json"]
    finally:
        first.close()
        second.close()
        server.stop()


def test_idle_sessions_are_closed(store: Path, tmp_path: Path) -> None:
    need_openssh()
    server = Room(tmp_path, store, "--anonymous", "--idle-timeout", "2s")
    term = reader(server, None, "idler")
    try:
        term.wait_for(NEWEST)
        assert term.wait_exit() != 0
        assert "without a key press" in term.raw.decode(errors="replace")
        server.wait_log(r"ended \(closed after 2 seconds without a key press\)")
    finally:
        term.close()
        server.stop()


def _reader_pid(room: Room, term: PtyTerminal) -> int:
    matches = room.wait_log(r"(?s).*reader (\d+) started for")
    return int(matches.group(1))


def _local_forward(room: Room, key: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`ssh -N -L PORT:…` to the room, once the client listens on PORT. The port is
    free when chosen but another process may take it first: then ssh says so and
    exits (ExitOnForwardFailure), and another port is tried."""
    for _ in range(5):
        local = free_port()
        argv = room.ssh_argv(key, tty=False, options=(
            "-N", "-o", "ExitOnForwardFailure=yes", "-L", f"{local}:127.0.0.1:{room.port}"))
        tunnel = subprocess.Popen(argv, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  env=client_env())
        if _wait_listening(local, tunnel):
            return tunnel, local
        _out, err = tunnel.communicate(timeout=30)
        if b"Address already in use" not in err:
            raise AssertionError(f"ssh -L exited {tunnel.returncode}: {err.decode()}")
    raise AssertionError("no free local port for ssh -L")


def _wait_listening(port: int, client: subprocess.Popen[bytes]) -> bool:
    """Wait until something listens on `port` (True) or the client exits (False)."""
    deadline = time.monotonic() + 90  # a safety net for a client that hangs
    while time.monotonic() < deadline:
        if client.poll() is not None:
            return False
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def test_the_server_stops_if_its_forker_dies(store: Path, tmp_path: Path) -> None:
    need_openssh()
    server = Room(tmp_path, store, "--anonymous")
    try:
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
        forker = int(children.read_text().split()[0])
        os.kill(forker, signal.SIGKILL)
        assert server.process.wait(30) == 1  # so that systemd's Restart=on-failure acts
        server.wait_log(r"the process readers are forked from has stopped")
    finally:
        server.stop()


def test_a_non_utf8_client_gets_ascii(room: Room, keys: dict[str, Path]) -> None:
    # LANG/LC_ALL are sent by the client (SendEnv) and reach the reader.
    term = reader(room, keys["alice"], LANG="C", LC_ALL="C")
    try:
        term.wait_for(NEWEST)
        term.press(KEYS["enter"])
        term.wait_for("MARROWBY - Updated 1 December 2016")
        term.press("q")
        term.wait_for("20 articles")
        term.press("q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert all(byte < 128 for byte in bytes(term.raw)), "a non-ASCII byte reached a C locale"


def test_a_reader_over_its_memory_cap_is_closed(store: Path, tmp_path: Path) -> None:
    need_openssh()
    server = Room(tmp_path, store, "--anonymous", "--max-session-memory", "1")
    term = reader(server, None, "hungry")
    try:
        term.wait_for(NEWEST)
        assert term.wait_exit() != 0
        assert "used too much memory" in term.raw.decode(errors="replace")
        server.wait_log(r"reader \d+ of hungry from \S+ uses \d+ MB of its own \(cap 1 MB\)")
    finally:
        term.close()
        server.stop()


def test_an_address_that_keeps_failing_is_turned_away(store: Path, keys: dict[str, Path],
                                                      tmp_path: Path) -> None:
    server = Room(tmp_path, store, "--authorized-keys", str(keys["authorized"]))
    try:
        for _ in range(10):
            assert server.ssh(keys["stranger"]).returncode == 255
        # Now even a good key from that address is refused, before authentication.
        done = server.ssh(keys["alice"], tty=True)
        assert done.returncode == 255
        server.wait_log(r"refused 127\.0\.0\.1:\d+: too many failed authentications")
    finally:
        server.stop()
