"""OPML subscription lists, in and out.

Reading: every `<outline>` with an `xmlUrl` is a feed; the outlines it sits in are its
folder (`News/World`), and OPML 2.0's `category` attribute adds more folders (tags).
Writing: OPML 2.0, each feed under its first folder, every folder in `category`, so an
export imports back to the same list.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime

from newstui import __version__
from newstui.feeds.parsing import FeedError, refuse_dangerous
from newstui.feeds.subscriptions import Subscription, clean_folders, clean_name
from newstui.textclean import clean_line

MAX_OPML_BYTES = 16 * 1024 * 1024


class OPMLError(ValueError):
    """A file that is not an OPML subscription list."""


@dataclass
class Outline:
    url: str
    name: str | None
    folders: list[str] = field(default_factory=list)
    full_text: bool = False


def read_opml(data: bytes) -> list[Outline]:
    """The feeds of an OPML document, in order (a URL listed twice appears twice)."""
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"too large for a subscription list (over "
                        f"{MAX_OPML_BYTES // (1024 * 1024)} MiB)")
    try:
        refuse_dangerous(data, MAX_OPML_BYTES)
    except FeedError as exc:
        raise OPMLError(str(exc)) from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OPMLError(f"not OPML: broken XML ({exc})") from None
    if _local(root.tag) != "opml":
        raise OPMLError(f"not OPML (the document is <{_local(root.tag)}>)")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OPMLError("not OPML: no <body>")
    found: list[Outline] = []
    # Depth first, in document order, without recursion (an OPML file can nest deeply).
    stack: list[tuple[Iterator[ET.Element], tuple[str, ...]]] = [(_outlines(body), ())]
    while stack:
        children, path = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            continue
        name = (child.get("title") or child.get("text") or "").strip()
        url = (child.get("xmlUrl") or child.get("xmlurl") or "").strip()
        if url:
            folders = ["/".join(path)] if path else []
            for category in (child.get("category") or "").split(","):
                category = category.strip().strip("/")
                if category and category not in folders:
                    folders.append(category)
            found.append(Outline(url, name or None, folders,
                                 child.get("newstuiFullText") == "true"))
        else:
            stack.append((_outlines(child), (*path, name) if name else path))
    return found


def _outlines(element: ET.Element) -> Iterator[ET.Element]:
    return (c for c in element if _local(c.tag) == "outline")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def write_opml(subscriptions: list[Subscription], title: str = "newstui subscriptions"
               ) -> bytes:
    """OPML 2.0 of the subscriptions: folders as nested outlines."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(
        datetime.now(timezone.utc), usegmt=True)
    ET.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    ET.SubElement(head, "ownerName").text = f"newstui {__version__}"
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: tuple[str, ...]) -> ET.Element:
        if path not in folders:
            parent = folder(path[:-1])
            folders[path] = ET.SubElement(parent, "outline", text=path[-1], title=path[-1])
        return folders[path]

    for sub in subscriptions:
        # Cleaned again on the way out: a character XML 1.0 cannot hold (ESC, most C0)
        # would make the file unreadable, and stdout may be a terminal.
        paths = clean_folders(sub.folders)
        first = tuple(p for p in paths[0].split("/") if p) if paths else ()
        label = clean_name(sub.label) or sub.url
        attributes = {"type": "rss", "text": label, "title": label,
                      "xmlUrl": clean_line(sub.url, markup=False)}
        if len(paths) > 1:
            attributes["category"] = ",".join("/" + f.strip("/") for f in paths[1:])
        if sub.full_text:
            attributes["newstuiFullText"] = "true"
        ET.SubElement(folder(first), "outline", attributes)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                    xml_declaration=False) + b"\n"
