"""Opening an article's link: a browser where there is a local display, else the
caller copies it (OSC 52). No Textual here."""

from __future__ import annotations

from collections.abc import Mapping


def has_local_display(environ: Mapping[str, str]) -> bool:
    """A graphical session on this machine (not a login over SSH)."""
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return False
    return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def open_in_browser(url: str) -> bool:
    """Ask the desktop's browser to open `url`; False if none would. Only http(s)."""
    import webbrowser

    if not url.lower().startswith(("http://", "https://")):
        return False
    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        return False
    if type(controller) is webbrowser.GenericBrowser:
        return False  # a text-mode browser (lynx, w3m) would take over the terminal
    try:
        return bool(controller.open(url, new=2))
    except (webbrowser.Error, OSError):
        return False
