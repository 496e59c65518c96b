"""How the reader decides what the terminal can do (before Textual loads)."""

from __future__ import annotations

import pytest

from newstui.terminal import TerminalError, detect_color, locale_is_utf8, resolve, to_ascii


@pytest.mark.parametrize(("env", "expected"), [
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor"}, "truecolor"),
    ({"TERM": "xterm-256color", "COLORTERM": "24bit"}, "truecolor"),
    ({"TERM": "xterm-256color"}, "256"),  # OpenSSH does not forward COLORTERM
    ({"TERM": "tmux-256color"}, "256"),
    ({"TERM": "screen"}, "16"),
    ({"TERM": "linux"}, "16"),
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"}, "none"),
    # no-color.org: an empty NO_COLOR is not a request for no colour.
    ({"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": ""}, "truecolor"),
])
def test_auto_colour_follows_the_environment(env: dict[str, str], expected: str) -> None:
    assert detect_color(env) == expected


def test_explicit_colour_beats_environment_and_bad_values_are_refused() -> None:
    env = {"TERM": "xterm-256color", "NEWSTUI_COLOR": "16", "LANG": "C.UTF-8"}
    assert resolve(env).color == "16"
    assert resolve(env, color="truecolor").color == "truecolor"
    with pytest.raises(TerminalError, match="purple"):
        resolve({"NEWSTUI_COLOR": "purple"})


def test_low_bandwidth_defaults_on_over_ssh_and_can_be_turned_off() -> None:
    local = {"TERM": "xterm-256color", "LANG": "en_GB.UTF-8"}
    remote = {**local, "SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"}
    assert not resolve(local).low_bandwidth
    assert resolve(remote).low_bandwidth
    assert not resolve(remote, low_bandwidth=False).low_bandwidth
    assert not resolve({**remote, "NEWSTUI_LOW_BANDWIDTH": "0"}).low_bandwidth
    # Low bandwidth draws with the 16 colours unless a colour mode is asked for.
    assert resolve(remote).color == "16"
    assert resolve(remote, color="256").color == "256"
    assert not resolve(remote).hyperlinks


@pytest.mark.parametrize(("env", "utf8"), [
    ({"LANG": "en_US.UTF-8"}, True),
    ({"LANG": "C.utf8"}, True),
    ({"LANG": "C"}, False),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "C"}, False),  # LC_ALL wins
    ({"LANG": "C", "LC_CTYPE": "de_DE.UTF-8"}, True),
    ({}, False),  # no locale at all is the C locale
])
def test_utf8_locale(env: dict[str, str], utf8: bool) -> None:
    assert locale_is_utf8(env) is utf8


def test_ascii_keeps_every_line_the_same_width() -> None:
    line = "●★ “Zoë’s” café — £12 … ▌│╭─╮ 東京"
    ascii_line = to_ascii(line)
    assert ascii_line.isascii()
    assert ascii_line == 'N* "Zoe\'s" cafe - L12 . ||+-+ ????'
    assert to_ascii("plain text") == "plain text"
    assert to_ascii("e\u0301") == "e"  # a combining accent takes no cell
