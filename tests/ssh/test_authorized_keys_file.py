"""One bad line in --authorized-keys (an unbalanced quote, a stray byte, garbage typed
while adding a reader) is skipped and logged with its number, as OpenSSH's sshd does;
every other reader still gets in. The file is read again for each connection, so a
single typo used to lock the whole room out."""

from __future__ import annotations

import logging

import asyncssh
import pytest

from newstui.serve.ssh import read_authorized_keys

BAD_LINES = [
    b'from="10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJunk',  # unbalanced quote
    b"\xff\xfe not text at all",
    b"ssh-ed25519 not-base64!!",
    b'command="x",no-such-option ssh-ed25519 AAAA',
    b"garbage",
]


def _key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.mark.parametrize("bad", BAD_LINES)
def test_a_bad_line_is_skipped_and_the_good_keys_still_work(
        bad: bytes, caplog: pytest.LogCaptureFixture) -> None:
    alice, bob, mallory = _key(), _key(), _key()
    data = b"\n".join([alice.export_public_key().strip(), bad,
                       b"# a comment", bob.export_public_key().strip()])
    with caplog.at_level(logging.WARNING):
        keys = read_authorized_keys(data, "keys.txt")
    assert keys is not None
    for reader in (alice, bob):
        assert keys.validate(reader.convert_to_public(), "client", "127.0.0.1") is not None
    assert keys.validate(mallory.convert_to_public(), "client", "127.0.0.1") is None
    assert any("keys.txt line 2 skipped" in r.getMessage() for r in caplog.records)


def test_from_options_still_hold_beside_a_bad_line() -> None:
    alice = _key()
    line = b'from="127.0.0.2" ' + alice.export_public_key().strip()
    keys = read_authorized_keys(BAD_LINES[0] + b"\n" + line, "keys.txt")
    assert keys is not None
    public = alice.convert_to_public()
    assert keys.validate(public, "client", "127.0.0.2") is not None
    assert keys.validate(public, "client", "127.0.0.1") is None


def test_a_file_of_nothing_usable_lets_no_one_in(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        assert read_authorized_keys(b"\n".join(BAD_LINES), "keys.txt") is None
    assert any("no usable key" in r.getMessage() for r in caplog.records)
