"""A shadow-screen output layer: send the terminal only what changed.

Textual writes each update as absolute cursor moves and styled runs, every run with a
full SGR code and a reset. This module reads that stream into cells (a character and
its attributes) on a shadow of the screen Textual intends, keeps a second shadow of
what the terminal shows, and writes only the difference — as curses does:

- only cells that differ, a run of unchanged cells rewritten only where that is
  shorter than moving over it;
- the shortest SGR transition from the terminal's current attributes to the next;
- the cheapest cursor motion (CUP, CUF/CUB, CHA/VPA, CR LF, ...) among those terminfo
  says the terminal has;
- erase to end of line (EL) / erase characters (ECH) for runs of blanks, where erasing
  keeps the background (terminfo `bce`, or the terminal's default background);
- the terminal's own scrolling (a DECSTBM region with DL/IL, or DL+IL) when rows of the
  screen moved up or down, detected by comparing rows.

Frames are delimited by Textual's synchronized-output markers (mode 2026, kept in the
output) or by the driver's flush(), never by single writes. Anything this parser does
not understand, and every resize, turns it "blind": Textual's own bytes are passed
through unchanged (exactly what `--output plain` sends) until a complete picture has
been seen again. No Textual import: the driver (`tui/driver.py`) feeds it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import get_character_cell_size

SYNC_START = "\x1b[?2026h"
SYNC_END = "\x1b[?2026l"

#: A style: (foreground SGR parameters or None, background or None, attribute codes,
#: OSC 8 hyperlink parameters or None). Foreground "31", "38;5;12", "38;2;1;2;3".
Style = tuple[str | None, str | None, frozenset[int], str | None]
Cell = tuple[str, Style]

DEFAULT_STYLE: Style = (None, None, frozenset(), None)
#: A cell whose content is not known: equal to nothing the parser makes.
UNKNOWN: Cell = ("\x00?", DEFAULT_STYLE)
#: The second cell of a wide character.
CONTINUATION = ""

# Attribute codes and the code that switches each off.
_OFF = {1: 22, 2: 22, 3: 23, 4: 24, 21: 24, 5: 25, 6: 25, 7: 27, 8: 28, 9: 29,
        51: 54, 52: 54, 53: 55}
_OFF_CLEARS = {22: (1, 2), 23: (3,), 24: (4, 21), 25: (5, 6), 27: (7,), 28: (8,),
               29: (9,), 54: (51, 52), 55: (53,)}
#: Attributes that show on a blank cell: a run of such blanks is never erased.
_VISIBLE_ON_BLANK = frozenset({4, 21, 5, 6, 7, 8, 9, 51, 52, 53})

_TOKEN = re.compile(
    r"(?P<csi>\x1b\[(?P<p>[0-9;:<=>?]*)(?P<i>[ -/]*)(?P<f>[@-~]))"
    r"|(?P<osc>\x1b\](?P<body>[^\x07\x1b]*)(?:\x07|\x1b\\))"
    r"|(?P<esc>\x1b[ -/]*[0-~])"
    r"|(?P<text>[^\x00-\x1f\x7f]+)"
    r"|(?P<ctl>[\x00-\x1a\x1c-\x1f\x7f])"
    r"|(?P<bad>\x1b)"
)
#: An escape sequence cut off at the end of a write: kept for the next.
_PARTIAL = re.compile(r"\x1b(?:\[[0-9;:<=>?]*[ -/]*|\][^\x07\x1b]*(?:\x1b)?|[ -/]*)?\Z")
#: CSI finals with a private marker or intermediates that change nothing on screen.
_QUERY_FINALS = frozenset("cnqtp")


@dataclass(frozen=True)
class Capabilities:
    """What the terminal can do, from terminfo (all True: an xterm-like terminal)."""

    bce: bool = True  # erased cells take the current background
    cuf: bool = True  # CUF, CUB, CUD, CUU: relative moves
    hpa: bool = True  # CHA: column absolute
    vpa: bool = True  # VPA: row absolute
    ech: bool = True  # erase characters
    el: bool = True  # erase to end of line
    il_dl: bool = True  # insert / delete lines
    csr: bool = True  # DECSTBM scroll region
    #: The tty turns LF into CR LF (termios OPOST|ONLCR, the default): LF is a new line.
    onlcr: bool = False

    @classmethod
    def from_terminfo(cls, term: str) -> Capabilities:
        """`term`'s capabilities from terminfo (terminal.read_terminfo); everything off
        where they cannot be known, so only CUP and text are used."""
        from newstui.terminal import read_terminfo

        found = read_terminfo(term)
        if found is None:
            return cls(False, False, False, False, False, False, False, False)

        def has(*names: str) -> bool:
            return all(found[name] for name in names)

        return cls(bce=found["bce"], cuf=has("cuf", "cub", "cud", "cuu"), hpa=has("hpa"),
                   vpa=has("vpa"), ech=has("ech"), el=has("el"), il_dl=has("il", "dl"),
                   csr=has("csr"))


def _csi(n: int, final: str) -> str:
    return f"\x1b[{final}" if n == 1 else f"\x1b[{n}{final}"


def _sgr_params(style: Style) -> list[str]:
    fg, bg, flags, _link = style
    params = [str(code) for code in sorted(flags)]
    if fg is not None:
        params.append(fg)
    if bg is not None:
        params.append(bg)
    return params


def sgr_transition(old: Style | None, new: Style) -> str:
    """The shortest SGR (and OSC 8) sequence that turns `old` attributes into `new`
    (`old` None: unknown)."""
    link = ""
    if old is None or old[3] != new[3]:
        link = f"\x1b]8;{new[3]}\x1b\\" if new[3] is not None else "\x1b]8;;\x1b\\"
    if old is not None and old[:3] == new[:3]:
        return link
    full_params = _sgr_params(new)
    full = "\x1b[0;" + ";".join(full_params) + "m" if full_params else "\x1b[m"
    if old is None:
        return link + full
    params: list[str] = []
    old_flags, new_flags = old[2], new[2]
    gone = old_flags - new_flags
    offs = sorted({_OFF[code] for code in gone})
    restore = {code for off in offs for code in _OFF_CLEARS[off]} & new_flags
    params += [str(off) for off in offs]
    params += [str(code) for code in sorted((new_flags - old_flags) | restore)]
    if old[0] != new[0]:
        params.append(new[0] if new[0] is not None else "39")
    if old[1] != new[1]:
        params.append(new[1] if new[1] is not None else "49")
    step = "\x1b[" + ";".join(params) + "m"
    return link + (step if len(step) < len(full) else full)


def _erasable(cell: Cell, bce: bool) -> bool:
    """Whether erasing (EL/ECH) with this cell's style draws this very cell."""
    text, (_fg, bg, flags, link) = cell
    return (text == " " and link is None and not (flags & _VISIBLE_ON_BLANK)
            and (bce or bg is None))


class ShadowScreen:
    """Feed it what Textual writes (`write`, `flush`); it returns what to send."""

    def __init__(self, width: int, height: int, caps: Capabilities | None = None,
                 on_lost: Callable[[], None] | None = None, scroll: bool = True) -> None:
        self.caps = caps or Capabilities()
        self.on_lost = on_lost
        self.scroll = scroll and (self.caps.il_dl)
        self._pending = ""  # an escape sequence cut off at the end of a write
        self._frame_raw: list[str] = []  # Textual's bytes since the last output
        self._dirty = False  # cells drawn since the last output
        self._in_sync = False  # between SYNC_START and SYNC_END
        self._synced = False  # the terminal answered the 2026 query (Textual uses it)
        self._tainted = False  # a sequence not understood went out since the last frame
        self._hold = False  # pass this frame through as it is (see forget_terminal)
        self.cursor_visible = True
        self.frames = 0  # frames sent as a difference
        self.blind_frames = 0  # frames passed through unchanged
        self.scrolls = 0  # frames that scrolled part of the terminal
        self.lost_on: list[str] = []  # what made it lose track (for diagnostics)
        self._resize(width, height)

    # -- shadows ---------------------------------------------------------------------

    def _resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.want: list[list[Cell]] = [[UNKNOWN] * width for _ in range(height)]
        self.have: list[list[Cell]] = [[UNKNOWN] * width for _ in range(height)]
        self.blind = True
        self._x = self._y = 0  # Textual's cursor
        self._pen: Style = DEFAULT_STYLE  # Textual's attributes
        self._last: tuple[int, int] | None = None  # the cell last drawn (for combining)
        self.cx: int | None = None  # the terminal's cursor (None: unknown)
        self.cy = 0
        self.tpen: Style | None = None  # the terminal's attributes (None: unknown)

    def resize(self, width: int, height: int) -> None:
        """The screen changed size: nothing on it is known until it is drawn again."""
        if (width, height) != (self.width, self.height):
            self._resize(width, height)

    def lose(self, repaint: bool = True) -> None:
        """Forget both shadows: every cell is drawn again as Textual draws it
        (`repaint`: ask Textual for that at once)."""
        self._lose(repaint)

    def forget_terminal(self, passthrough: bool = False) -> None:
        """The terminal changed size, so what it shows is not known any more (it may
        have cut or reflowed its rows): this frame goes out as Textual wrote it, and
        from then on the layer draws the cells Textual draws, as `--output plain` would,
        until every cell is known again. `passthrough`: the terminal's size is not the
        one Textual draws for — nothing drawn is known until the sizes agree again.

        Both shadows are forgotten: a wanted cell left unknown must never be compared
        with a terminal cell thought known (it would be drawn as unknown: the '?'
        footer), nor a cell Textual drew before the change be drawn again from memory
        where `plain` would not draw it."""
        if passthrough:
            self._hold = True
        else:
            self._tainted = True  # cells of this frame written before now: in its bytes
        self._lose(repaint=False)

    def _lose(self, repaint: bool = True) -> None:
        """Something happened that the shadows cannot follow: pass Textual's bytes
        through until every cell has been drawn again, and ask for a full repaint."""
        was_blind = self.blind
        for row in self.want:
            row[:] = [UNKNOWN] * self.width
        for row in self.have:
            row[:] = [UNKNOWN] * self.width
        self.blind = True
        self.cx, self.tpen = None, None
        if repaint and not was_blind and self.on_lost is not None:
            self.on_lost()

    # -- input -----------------------------------------------------------------------

    def write(self, data: str) -> str:
        """Take what Textual wrote; return what to send now (often nothing yet)."""
        data = self._pending + data
        self._pending = ""
        cut = _PARTIAL.search(data)
        if cut is not None and cut.start() < len(data):
            self._pending = data[cut.start():]
            data = data[:cut.start()]
        out: list[str] = []
        for match in _TOKEN.finditer(data):
            self._token(match, out)
        return "".join(out)

    def flush(self) -> str:
        """Textual finished an update (it flushes after each): send the difference."""
        out: list[str] = []
        self._emit(out)
        return "".join(out)

    def _token(self, match: re.Match[str], out: list[str]) -> None:
        raw = match.group()
        kind = match.lastgroup
        if kind == "text":
            self._frame_raw.append(raw)
            if not self._draw(raw):
                self._unknown(out)
            return
        if kind == "csi":
            params, inter, final = match.group("p"), match.group("i"), match.group("f")
            if params.startswith("?") and not inter and final in "hl":
                self._mode(raw, params[1:], final == "h", out)
                return
            prefixed = params[:1] in ("<", "=", ">", "?")
            if prefixed or inter or final in _QUERY_FINALS:
                if final in _QUERY_FINALS or (prefixed and final == "u"):
                    self._passthrough(raw, out)  # queries and keyboard modes
                else:
                    self._frame_raw.append(raw)
                    self._unknown(out)
                return
            self._frame_raw.append(raw)
            if not self._csi(params, final):
                self._unknown(out)
            return
        if kind == "osc":
            body = match.group("body")
            if body.startswith("8;"):
                self._frame_raw.append(raw)
                self._pen = (*self._pen[:3], body[2:] if body[2:] != ";" else None)
                return
            self._passthrough(raw, out)  # clipboard, title, pointer shape
            return
        if kind == "esc" and raw in ("\x1b=", "\x1b>"):
            self._passthrough(raw, out)  # keypad modes
            return
        if raw == "\x07":
            self._passthrough(raw, out)
            return
        if raw in ("\n", "\r"):
            # Textual ends each line of a full update with LF, then moves absolutely.
            # Whether the tty adds a CR is not known: the column is, only after CR.
            self._frame_raw.append(raw)
            self._last = None
            if raw == "\r":
                self._x = 0 if self._x >= 0 else self._x
                return
            self._y += 1
            self._x = -1
            if self._y < self.height:
                return
        self._frame_raw.append(raw)
        self._unknown(out)

    def _mode(self, raw: str, modes: str, on: bool, out: list[str]) -> None:
        if modes == "2026":
            self._synced = True
            if on:
                self._emit(out)  # anything drawn before belongs to the frame before
                self._in_sync = True
                self._frame_raw.append(raw)
            else:
                self._frame_raw.append(raw)
                self._in_sync = False
                self._emit(out)
            return
        self._passthrough(raw, out)
        if modes == "25":
            self.cursor_visible = on
        elif set(modes.split(";")) & {"47", "1047", "1049"}:
            self._lose()  # another screen, or back to the shell's

    def _passthrough(self, raw: str, out: list[str]) -> None:
        """A sequence that changes nothing on screen: sent as it is, in order."""
        self._emit(out)
        if self.tpen is not None and self.tpen != DEFAULT_STYLE and not self.blind:
            # The program may be leaving: never leave the shell colours behind.
            out.append("\x1b[m")
            self.tpen = DEFAULT_STYLE
        out.append(raw)

    def _unknown(self, out: list[str]) -> None:
        """A sequence the shadows cannot follow: this frame goes out as Textual wrote
        it, and so does every one after until the screen is known again."""
        if self.tpen != DEFAULT_STYLE:
            out.append("\x1b[m")  # Textual's bytes assume the attributes it left
        self.lost_on.append(self._frame_raw[-1][:40] if self._frame_raw else "")
        self._tainted = True  # what it did to the attributes and the cursor: unknown
        out.append("".join(self._frame_raw))
        self._frame_raw.clear()
        self._dirty = False
        self._lose()

    def _csi(self, params: str, final: str) -> bool:
        if final == "m":
            return self._sgr(params)
        numbers = [int(p) if p else 0 for p in params.split(";")] if params else []
        first = numbers[0] if numbers else 0
        if final in "Hf":
            row = first or 1
            col = (numbers[1] if len(numbers) > 1 else 0) or 1
            self._x, self._y = col - 1, row - 1
        elif final == "A":
            self._y -= first or 1
        elif final == "B":
            self._y += first or 1
        elif final == "C":
            self._x += first or 1
        elif final == "D":
            self._x -= first or 1
        elif final in "G`":
            self._x = (first or 1) - 1
        elif final == "d":
            self._y = (first or 1) - 1
        else:
            return False
        self._last = None
        return 0 <= self._y < self.height and 0 <= self._x <= self.width

    def _sgr(self, params: str) -> bool:
        fg, bg, flags, link = self._pen
        codes = params.split(";") if params else ["0"]
        new = set(flags)
        i = 0
        try:
            while i < len(codes):
                part = codes[i]
                if ":" in part:
                    return False
                code = int(part) if part else 0
                if code == 0:
                    fg = bg = None
                    new.clear()
                elif code in _OFF:
                    new.add(code)
                elif code in _OFF_CLEARS:
                    new.difference_update(_OFF_CLEARS[code])
                elif 30 <= code <= 37 or 90 <= code <= 97:
                    fg = str(code)
                elif 40 <= code <= 47 or 100 <= code <= 107:
                    bg = str(code)
                elif code == 39:
                    fg = None
                elif code == 49:
                    bg = None
                elif code in (38, 48):
                    mode = int(codes[i + 1])
                    if mode == 5:
                        value = f"{code};5;{int(codes[i + 2])}"
                        i += 2
                    elif mode == 2:
                        r, g, b = (int(c) for c in codes[i + 2:i + 5])
                        value = f"{code};2;{r};{g};{b}"
                        i += 4
                    else:
                        return False
                    if code == 38:
                        fg = value
                    else:
                        bg = value
                else:
                    return False
                i += 1
        except (ValueError, IndexError):
            return False
        self._pen = (fg, bg, frozenset(new), link)
        return True

    def _draw(self, text: str) -> bool:
        """Draw Textual's characters into the wanted screen."""
        row = self.want[self._y] if 0 <= self._y < self.height else None
        if row is None or self._x < 0:
            return False
        pen, width = self._pen, self.width
        x = self._x
        for char in text:
            size = get_character_cell_size(char)
            if size == 0:
                if self._last is None:
                    return False
                lx, ly = self._last
                base = self.want[ly][lx]
                self.want[ly][lx] = (base[0] + char, base[1])
                continue
            if x + size > width:
                return False  # Textual never wraps; a wrap is not followed
            row[x] = (char, pen)
            if size == 2:
                row[x + 1] = (CONTINUATION, pen)
            self._last = (x, self._y)
            x += size
        self._x = x
        self._dirty = True
        return True

    # -- output ----------------------------------------------------------------------

    def _emit(self, out: list[str]) -> None:
        """The end of a frame: send the difference (or, blind, Textual's bytes)."""
        raw = "".join(self._frame_raw)
        self._frame_raw.clear()
        if self._in_sync and not raw:
            return
        if self._hold:
            # The terminal is not at Textual's size: Textual's bytes, and nothing known.
            self._hold = False
            if raw:
                if self.tpen != DEFAULT_STYLE:
                    out.append("\x1b[m")  # Textual's bytes assume the attributes reset
                out.append(raw)
                self.blind_frames += 1
            for row in self.have:
                row[:] = [UNKNOWN] * self.width
            self.cx, self.tpen = None, None
            self._tainted = False
            self._dirty = False
            return
        if self.blind and not self._tainted:
            # The stream was understood, only the screen is not known: draw every cell
            # Textual drew (no scrolling: rows not known must not move), optimised.
            if not self._dirty and not raw:
                return
            self._dirty = False
            scroll, self.scroll = self.scroll, False
            try:
                body = self.render()
            finally:
                self.scroll = scroll
            if body:
                self.blind_frames += 1
                out.append(SYNC_START + body + SYNC_END if self._synced else body)
            if all(UNKNOWN not in row for row in self.want):
                self.blind = False
            return
        if self.blind:
            # A sequence not understood went out in this frame (`_unknown`): the rest
            # of Textual's bytes follow it as they are. The cells drawn since are known;
            # the attributes and the cursor they leave are not.
            if raw:
                if self.tpen != DEFAULT_STYLE:
                    out.append("\x1b[m")  # Textual's bytes assume the attributes reset
                out.append(raw)
                self.blind_frames += 1
            for y in range(self.height):
                self.have[y] = list(self.want[y])
            self._tainted = False
            self.tpen, self.cx, self.cy = None, None, 0
            self._dirty = False
            if all(UNKNOWN not in row for row in self.want):
                self.blind = False
            return
        if not self._dirty and not raw:
            return
        self._dirty = False
        body = self.render()
        if body:
            self.frames += 1
            out.append(SYNC_START + body + SYNC_END if self._synced else body)

    def render(self) -> str:
        """What makes the terminal show the wanted screen, from what it shows."""
        want = self.want
        changed = [y for y in range(self.height) if want[y] != self.have[y]]
        if not changed:
            return self._park()
        plan = self._scroll_plan(changed) if self.scroll and len(changed) >= 3 else None
        if plan is None:
            return self._rows(changed) + self._park()
        before = (self.cx, self.cy, self.tpen, [list(row) for row in self.have])
        plain = self._rows(changed)
        after_plain = (self.cx, self.cy, self.tpen, self.have)
        self.cx, self.cy, self.tpen, self.have = before
        scrolled = self._apply_scroll(*plan)
        scrolled += self._rows([y for y in range(self.height) if want[y] != self.have[y]])
        if len(scrolled) >= len(plain):
            self.cx, self.cy, self.tpen, self.have = after_plain
            return plain + self._park()
        self.scrolls += 1
        return scrolled + self._park()

    def _park(self) -> str:
        """Leave the cursor where Textual put it, where the terminal shows it."""
        if not self.cursor_visible or (self.cx, self.cy) == (self._x, self._y):
            return ""
        if not (0 <= self._x < self.width and 0 <= self._y < self.height):
            return ""
        move = self._move(self._x, self._y)
        self.cx, self.cy = self._x, self._y
        return move

    # -- scrolling -------------------------------------------------------------------

    def _scroll_plan(self, changed: list[int]) -> tuple[int, int, int] | None:
        """(top, bottom, shift): rows top..bottom of the terminal moved by `shift`
        (positive: up) make most changed rows right; None if no shift does."""
        width = self.width
        cut = max(1, width - 2)  # a scroll bar beside the text moves on its own

        def key(row: list[Cell]) -> tuple[str, ...] | None:
            text = tuple(cell[0] for cell in row[:cut])
            return None if len(set(text)) <= 1 or "\x00?" in text else text

        have_rows: dict[tuple[str, ...], list[int]] = {}
        for y, row in enumerate(self.have):
            k = key(row)
            if k is not None:
                have_rows.setdefault(k, []).append(y)
        votes: dict[int, int] = {}
        for y in changed:
            k = key(self.want[y])
            for source in have_rows.get(k, ()) if k is not None else ():
                if source != y:
                    votes[source - y] = votes.get(source - y, 0) + 1
        if not votes:
            return None
        shift, count = max(votes.items(), key=lambda item: (item[1], -abs(item[0])))
        if count < 2:
            return None
        # The band of rows that the shift makes right.
        matches = [y for y in range(self.height) if 0 <= y + shift < self.height
                   and key(self.want[y]) is not None
                   and key(self.want[y]) == key(self.have[y + shift])]
        # The longest band of matching rows (a row or two inside may differ anyway).
        bands: list[list[int]] = []
        for y in matches:
            if bands and y - bands[-1][-1] <= 3:
                bands[-1].append(y)
            else:
                bands.append([y])
        matches = max(bands, key=len) if bands else []
        if len(matches) < 2:
            return None
        lo, hi = matches[0], matches[-1]
        top, bottom = (lo, hi + shift) if shift > 0 else (lo + shift, hi)
        if top < 0 or bottom >= self.height or bottom - top < abs(shift):
            return None
        return top, bottom, shift

    def _apply_scroll(self, top: int, bottom: int, shift: int) -> str:
        """Scroll rows top..bottom by `shift` on the terminal and in its shadow."""
        n = abs(shift)
        parts = []
        if self.tpen != DEFAULT_STYLE:
            # New lines are blank in the current background on some terminals: make
            # it the default on all of them.
            parts.append("\x1b[m")
            self.tpen = DEFAULT_STYLE
        last = self.height - 1
        options = []
        if shift > 0:
            if bottom == last:
                options.append(self._cup(0, top) + _csi(n, "M"))
            else:
                options.append(self._cup(0, top) + _csi(n, "M")
                               + self._cup(0, bottom - n + 1) + _csi(n, "L"))
                if self.caps.csr:
                    options.append(f"\x1b[{top + 1};{bottom + 1}r" + self._cup(0, top)
                                   + _csi(n, "M") + "\x1b[r")
        else:
            if bottom == last:
                options.append(self._cup(0, top) + _csi(n, "L"))
            else:
                options.append(self._cup(0, bottom - n + 1) + _csi(n, "M")
                               + self._cup(0, top) + _csi(n, "L"))
                if self.caps.csr:
                    options.append(f"\x1b[{top + 1};{bottom + 1}r" + self._cup(0, top)
                                   + _csi(n, "L") + "\x1b[r")
        best = min(options, key=len)
        parts.append(best)
        if best.endswith("\x1b[r"):
            self.cx, self.cy = 0, 0  # resetting the region homes the cursor
        else:
            self.cx, self.cy = 0, top if (shift < 0 or bottom == last) else bottom - n + 1
        blank: Cell = (" ", DEFAULT_STYLE)
        have = self.have
        rows = have[top:bottom + 1]
        if shift > 0:
            moved = rows[n:] + [[blank] * self.width for _ in range(n)]
        else:
            moved = [[blank] * self.width for _ in range(n)] + rows[:-n]
        have[top:bottom + 1] = moved
        return "".join(parts)

    # -- rows ------------------------------------------------------------------------

    def _rows(self, rows: list[int]) -> str:
        """Draw the wanted cells of `rows` that the terminal does not show."""
        ops: list[tuple[int, int, int, str]] = []
        for y in rows:
            self._plan_row(y, ops)
        # Two orders, the shorter wins: top to bottom (a page of text: each next row a
        # new line away) and greedy — of the next few operations the one that costs
        # least to reach (cursor motion + attribute change) first, so that cells in a
        # column (a scroll bar) are drawn together, not each between two lines of text.
        start = (self.cx, self.cy, self.tpen)
        in_order: list[str] = []
        for op in ops:
            self._do(op, in_order)
        ended = (self.cx, self.cy, self.tpen)
        self.cx, self.cy, self.tpen = start
        out: list[str] = []
        window = 12
        while ops:
            best_i, best_cost = 0, None
            for i in range(min(window, len(ops))):
                y, begin, _end, _kind = ops[i]
                cost = (self._cost(self._move(self._erase_from(ops[i]), y))
                        + len(sgr_transition(self.tpen, self.want[y][begin][1])))
                if best_cost is None or cost < best_cost:
                    best_i, best_cost = i, cost
                    if cost == 0:
                        break
            self._do(ops.pop(best_i), out)
        if self._cost("".join(in_order)) < self._cost("".join(out)):
            out = in_order
            self.cx, self.cy, self.tpen = ended
        for y in rows:
            self.have[y] = list(self.want[y])
        return "".join(out)

    def _cost(self, text: str) -> int:
        """Bytes on the wire: a tty that turns LF into CR LF sends two for one."""
        return len(text) + (text.count("\n") if self.caps.onlcr else 0)

    def _plan_row(self, y: int, ops: list[tuple[int, int, int, str]]) -> None:
        """The operations that make row y right: ("w", write start..end), ("e", erase
        start..end), ("k", erase from start to the end of the line)."""
        want, have = self.want[y], self.have[y]
        width = self.width
        changed = {x for x in range(width) if want[x] != have[x]}
        # A wide character is drawn whole: touching either half redraws both.
        for x in list(changed):
            for row in (want, have):
                left = x
                while left > 0 and row[left][0] == CONTINUATION:
                    left -= 1
                    changed.add(left)
                if x + 1 < width and row[x + 1][0] == CONTINUATION:
                    changed.add(x + 1)
        # Wanted continuations are drawn with their wide character; a cell Textual has
        # not drawn since the shadows were lost is not drawn at all (it is not known).
        todo = sorted(x for x in changed if want[x][0] != CONTINUATION
                      and want[x] != UNKNOWN)
        if not todo:
            return
        caps = self.caps
        # A tail of blanks alike: erase to the end of the line.
        tail = width
        last = want[width - 1]
        if caps.el and _erasable(last, caps.bce):
            while tail > 0 and want[tail - 1] == last:
                tail -= 1
            if sum(1 for x in todo if x >= tail) < 3:
                tail = width
            else:
                todo = [x for x in todo if x < tail]
        # Runs of changed cells; a short gap is written again rather than moved over.
        pieces: list[list[int]] = []
        for x in todo:
            if pieces and x == pieces[-1][1]:
                pieces[-1][1] = x + 1
            elif pieces and x - pieces[-1][1] <= 3 and self._gap_ok(want, pieces[-1][1], x):
                pieces[-1][1] = x + 1
            else:
                pieces.append([x, x + 1])
        if pieces and want[pieces[-1][1] - 1][0] != CONTINUATION:
            end = pieces[-1][1]
            if end < width and want[end][0] == CONTINUATION:
                pieces[-1][1] = end + 1
        for start, end in pieces:
            # Long runs of blanks inside a piece are erased, not written.
            x = start
            run_start = start
            while x < end:
                cell = want[x]
                run = 1
                if caps.ech and _erasable(cell, caps.bce):
                    while x + run < end and want[x + run] == cell:
                        run += 1
                erase = len(f"\x1b[{run}X")
                if run > 2 and (erase < run if x + run == end
                                else erase + len(_csi(run, "C")) < run):
                    if x > run_start:
                        ops.append((y, run_start, x, "w"))
                    ops.append((y, x, x + run, "e"))
                    run_start = x + run
                x += run
            if run_start < end:
                ops.append((y, run_start, end, "w"))
        if tail < width:
            first = next(x for x in range(tail, width) if want[x] != have[x])
            ops.append((y, first, tail, "k"))  # from anywhere in tail..first

    def _erase_from(self, op: tuple[int, int, int, str]) -> int:
        """Where an operation starts; erasing to the end of the line may start anywhere
        in the blank tail before its first changed cell: where the cursor gets cheapest."""
        y, start, end, kind = op
        if kind != "k" or end == start:
            return start
        if self._cost(self._move(end, y)) < self._cost(self._move(start, y)):
            return end
        return start

    def _do(self, op: tuple[int, int, int, str], out: list[str]) -> None:
        y, start, end, kind = op
        want = self.want[y]
        if kind == "k":
            start = self._erase_from(op)
        style = want[start][1]
        move = self._move(start, y)
        if self.tpen != style:
            # Set the attributes before moving where that is shorter: the move may then
            # write cells again in them (" " instead of "ESC[C").
            sgr = sgr_transition(self.tpen, style)
            pen, self.tpen = self.tpen, style
            first = sgr + self._move(start, y)
            if self._cost(first) < self._cost(move + sgr):
                move = first
            else:
                self.tpen = pen
        out.append(move)
        self.cx, self.cy = start, y
        if kind in "ek":
            style = want[start][1]
            if self.tpen != style:
                out.append(sgr_transition(self.tpen, style))
                self.tpen = style
            out.append("\x1b[K" if kind == "k" else f"\x1b[{end - start}X")
            return
        x = start
        while x < end:
            cell = want[x]
            if cell[0] == CONTINUATION:
                x += 1
                continue
            if self.tpen != cell[1]:
                out.append(sgr_transition(self.tpen, cell[1]))
                self.tpen = cell[1]
            out.append(cell[0])
            x += 2 if x + 1 < self.width and want[x + 1][0] == CONTINUATION else 1
        # At the last column the cursor waits to wrap: never move relative from there.
        self.cx = x if x < self.width else None

    def _gap_ok(self, want: list[Cell], start: int, end: int) -> bool:
        """Whether the unchanged cells start..end may be written again (to save a
        cursor move): same attributes as the cell before, plain ASCII."""
        style = want[start - 1][1] if start else None
        return all(len(want[x][0]) == 1 and want[x][0].isascii() and want[x][1] == style
                   for x in range(start, end))

    def _rewrite(self, y: int, start: int, end: int) -> str | None:
        """Cells start..end of row y as text, if writing them again is a way to move
        the cursor: plain ASCII in the terminal's current attributes."""
        if end - start > 6:
            return None
        want = self.want[y]
        tpen = self.tpen
        text = []
        for x in range(start, end):
            char, style = want[x]
            if style != tpen or len(char) != 1 or not char.isascii():
                return None
            text.append(char)
        return "".join(text)

    # -- cursor motion -----------------------------------------------------------------

    @staticmethod
    def _cup(x: int, y: int) -> str:
        if x == 0:
            return "\x1b[H" if y == 0 else f"\x1b[{y + 1}H"
        return f"\x1b[{y + 1};{x + 1}H"

    def _move(self, x: int, y: int) -> str:
        """The shortest way from the terminal's cursor to (x, y)."""
        cx, cy = self.cx, self.cy
        if cx == x and cy == y:
            return ""
        best = self._cup(x, y)
        if cx is None:
            return best
        caps = self.caps
        options = []
        horizontal_from_0 = []
        if x == 0:
            horizontal_from_0.append("")
        else:
            if caps.cuf:
                horizontal_from_0.append(_csi(x, "C"))
            again = self._rewrite(y, 0, x)
            if again is not None:
                horizontal_from_0.append(again)
        if cy == y:
            if x > cx:
                if caps.cuf:
                    options.append(_csi(x - cx, "C"))
                again = self._rewrite(y, cx, x)
                if again is not None:
                    options.append(again)
            else:
                if caps.cuf:
                    options.append(_csi(cx - x, "D"))
                if cx - x <= 3:
                    options.append("\b" * (cx - x))
            if caps.hpa:
                options.append(f"\x1b[{x + 1}G")
            options += ["\r" + h for h in horizontal_from_0]
        else:
            vertical = []
            if caps.cuf:
                vertical.append(_csi(y - cy, "B") if y > cy else _csi(cy - y, "A"))
            if caps.vpa:
                vertical.append(f"\x1b[{y + 1}d")
            if vertical:
                v = min(vertical, key=len)
                if x == cx:
                    options.append(v)
                elif caps.cuf:
                    options.append(v + (_csi(x - cx, "C") if x > cx else _csi(cx - x, "D")))
                if caps.hpa:
                    options.append(v + f"\x1b[{x + 1}G")
            if 0 < y - cy <= 3:
                # New lines, never past the last row (where LF would scroll). Where the
                # tty turns LF into CR LF (onlcr), LF alone; else CR LF (CR once).
                newlines = "\n" * (y - cy) if caps.onlcr else "\r" + "\n" * (y - cy)
                options += [newlines + h for h in horizontal_from_0]
        cost = self._cost
        best_cost = cost(best)
        for option in options:
            if cost(option) < best_cost:
                best, best_cost = option, cost(option)
        return best
