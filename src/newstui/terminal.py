"""What the reader's terminal can do: colours, character set, bandwidth.

Decided from the command line and the environment before Textual is imported (Textual
reads its settings from the environment when it loads). Pure: environment in,
settings out, so every rule here is tested without a terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

COLOR_MODES = ("auto", "truecolor", "256", "16", "none")
#: How the reader writes to the terminal: "shadow" (the default) sends only the cells
#: that changed (tui/shadow.py); "plain" sends Textual's output as it is — the way out
#: for a terminal that draws the other wrongly.
OUTPUT_MODES = ("shadow", "plain")
#: Terminals that cannot draw the reader at all.
DUMB_TERMS = ("dumb", "unknown", "")


@dataclass(frozen=True, slots=True)
class TerminalSettings:
    color: str  # truecolor, 256, 16 or none (never auto: resolved)
    utf8: bool  # False: draw with ASCII (non-UTF-8 locale)
    low_bandwidth: bool  # no animation, no mouse, fewer frames
    hyperlinks: bool  # OSC 8 links for URLs
    #: The terminal fills erased cells with the current background (terminfo `bce`),
    #: so runs of spaces can be sent as "erase N" whatever the theme's background.
    bce: bool = False
    #: "shadow" (only what changed) or "plain" (Textual's own output), see OUTPUT_MODES.
    output: str = "shadow"

    @property
    def erase_runs(self) -> bool:
        """Whether the driver may send runs of spaces as erase + move: where the
        terminal says erasing keeps the background, or where the background is the
        terminal's own (the ANSI themes of low bandwidth)."""
        return self.bce or (self.low_bandwidth and self.color in ("16", "none"))

    def textual_environment(self) -> dict[str, str]:
        """Variables that set Textual up; they must be in os.environ before it loads."""
        env = {"TEXTUAL_COLOR_SYSTEM": {"truecolor": "truecolor", "256": "256",
                                        "16": "standard", "none": "standard"}[self.color]}
        if self.color == "none":
            env["NO_COLOR"] = "1"
        if self.low_bandwidth:
            env.update(TEXTUAL_ANIMATIONS="none", TEXTUAL_SMOOTH_SCROLL="0", TEXTUAL_FPS="20")
        return env


#: A browser (Textual's web driver): every colour, UTF-8, no network to spare bytes for.
BROWSER = TerminalSettings(color="truecolor", utf8=True, low_bandwidth=False, hyperlinks=True)


class TerminalError(ValueError):
    """A --color or NEWSTUI_COLOR value that is not a colour mode."""


def resolve(env: Mapping[str, str], color: str | None = None,
            low_bandwidth: bool | None = None, ascii_only: bool = False,
            locale_env: Mapping[str, str] | None = None,
            bce: bool = False) -> TerminalSettings:
    """Settings for the reader. `color`, `low_bandwidth`: from the command line (None:
    not given); then NEWSTUI_COLOR / NEWSTUI_LOW_BANDWIDTH; then what the environment
    says about the terminal. `locale_env`: the environment the process started with,
    for the locale (see `initial_environment`)."""
    term = env.get("TERM", "")
    chosen = color or env.get("NEWSTUI_COLOR") or "auto"
    if chosen not in COLOR_MODES:
        raise TerminalError(f"colour mode {chosen!r} is not one of {', '.join(COLOR_MODES)}")
    if low_bandwidth is None:
        setting = env.get("NEWSTUI_LOW_BANDWIDTH")
        # On by default over SSH, where every byte crosses a network.
        low_bandwidth = (setting not in ("0", "no", "off", "false") if setting is not None
                         else bool(env.get("SSH_CONNECTION")))
    if chosen == "auto":
        chosen = detect_color(env)
        # Low bandwidth draws with the terminal's own 16 colours unless told otherwise:
        # their codes are a third the length, and the default background lets runs
        # of spaces be erased instead of sent.
        if low_bandwidth and chosen in ("truecolor", "256"):
            chosen = "16"
    utf8 = locale_is_utf8(locale_env if locale_env is not None else env) and not ascii_only
    hyperlinks = term not in ("linux", "vt100", "vt220", *DUMB_TERMS) and not low_bandwidth
    return TerminalSettings(chosen, utf8, low_bandwidth, hyperlinks, bce)


def detect_color(env: Mapping[str, str]) -> str:
    """The colour depth the environment claims. NO_COLOR wins; COLORTERM names
    truecolor (OpenSSH does not forward it, so over SSH TERM decides); TERM says 256
    colours or not; the Linux console and unknown terminals get the 16 ANSI colours."""
    if env.get("NO_COLOR"):  # no-color.org: set AND not empty; NO_COLOR= is not a request
        return "none"
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    term = env.get("TERM", "")
    if "256color" in term or term in ("xterm-kitty", "alacritty", "wezterm", "xterm-ghostty"):
        return "256"
    return "16"


def locale_is_utf8(env: Mapping[str, str]) -> bool:
    """Whether the terminal's locale is UTF-8 (LC_ALL, then LC_CTYPE, then LANG; no
    locale at all is the C locale: ASCII)."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name)
        if value:
            lowered = value.lower().replace("-", "")
            return "utf8" in lowered
    return False


def initial_environment() -> Mapping[str, str]:
    """The environment as this process was started with it.

    Under the C locale Python switches itself to UTF-8 and sets LC_CTYPE=C.UTF-8 in
    os.environ (PEP 538), hiding that the terminal is not UTF-8. Linux keeps the
    original environment in /proc/self/environ; elsewhere os.environ is the best guess.
    """
    import os

    try:
        raw = open("/proc/self/environ", "rb").read()
    except OSError:
        return dict(os.environ)
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


#: The terminfo strings anyone here asks about (tui/shadow.py's Capabilities).
_TERMINFO_STRINGS = ("cuf", "cub", "cud", "cuu", "hpa", "vpa", "ech", "el", "il", "dl", "csr")
#: The TERM whose entry curses has read in this process (curses reads one per process).
_terminfo_read_for: str | None = None


def read_terminfo(term: str) -> dict[str, bool] | None:
    """Which of a few terminfo capabilities `term` has ("bce" and _TERMINFO_STRINGS),
    or None where that cannot be known.

    Python's curses reads one terminfo entry per process: a later `setupterm` for
    another TERM silently changes nothing. So a process that read one TERM answers None
    for any other — never another terminal's capabilities (a reading-room session
    forked from a server that had read its own TERM got the server's terminal's)."""
    global _terminfo_read_for
    term = term or "dumb"
    if _terminfo_read_for not in (None, term):
        return None
    import curses
    import os

    try:
        if _terminfo_read_for is None:
            fd = os.open(os.devnull, os.O_WRONLY)
            try:
                curses.setupterm(term, fd)
            finally:
                os.close(fd)
            _terminfo_read_for = term
        found = {name: bool(curses.tigetstr(name)) for name in _TERMINFO_STRINGS}
        found["bce"] = curses.tigetflag("bce") == 1
        return found
    except (curses.error, OSError):
        return None


def terminal_has_bce(term: str) -> bool:
    """terminfo's `bce` flag for `term` (False when unknown)."""
    return bool((read_terminfo(term) or {}).get("bce"))


def web_driver(env: Mapping[str, str]) -> bool:
    """Whether Textual is told to draw in a browser (textual-serve sets TEXTUAL_DRIVER
    to its web driver): no terminal, full colour, UTF-8."""
    return "web_driver" in env.get("TEXTUAL_DRIVER", "")


def is_dumb(env: Mapping[str, str]) -> bool:
    return env.get("TERM", "") in DUMB_TERMS


# -- drawing in ASCII ------------------------------------------------------------------
#
# Each replacement is one character for one, so nothing moves on screen: Textual has
# laid the line out in cells already.

_ASCII = {
    # marks, punctuation and symbols the reader and Textual draw
    "●": "N", "★": "*", "…": ".", "·": "-", "—": "-", "–": "-", "“": '"', "”": '"',
    "‘": "'", "’": "'", "«": "<", "»": ">", "£": "L", "€": "E", "•": "*", "⏎": "<",
    "→": ">", "←": "<", "↑": "^", "↓": "v", "▌": "|",
    # box drawing and block elements (borders, scroll bars, the input box)
    "─": "-", "━": "-", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+",
    "├": "+", "┤": "+", "┬": "+", "┴": "+", "┼": "+", "╭": "+", "╮": "+", "╰": "+",
    "╯": "+", "═": "=", "║": "|", "▔": "-", "▁": "_", "▂": "_", "▃": "_", "▄": "_",
    "▅": "#", "▆": "#", "▇": "#", "█": "#", "▉": "|", "▊": "|", "▋": "|", "▍": "|",
    "▎": "|", "▏": "|", "▐": "|", "▕": "|", "░": " ", "▒": ":", "▓": "#", "\u00a0": " ",
}


def to_ascii(text: str) -> str:
    """`text` in printable ASCII, one character for each (two for a wide one), so that
    a line keeps its width: known symbols by look-alike, letters without their accents,
    anything else `?`."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        mapped = _ASCII.get(ch)
        if mapped is None and unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            mapped = ""  # combining marks and joiners take no cell
        if mapped is None:
            base = unicodedata.normalize("NFKD", ch)[:1]
            mapped = base if base.isascii() and base.isprintable() and base else "?"
            if unicodedata.east_asian_width(ch) in "WF":
                mapped = "??"
        out.append(mapped)
    return "".join(out)
