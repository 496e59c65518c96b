"""HTML -> paragraphs, with a real HTML parser (selectolax's lexbor engine).

Used for feed items until `newstui.textclean.html_to_paragraphs` lands on main; the
feed code imports that name first and falls back to this.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from newstui.textclean import clean_line

# Elements whose text is never article text.
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
_BREAK = "\x1d"  # stands for <br> until paragraphs are split (cleaning removes it)
_TWO_BREAKS = re.compile("\x1d\\s*\x1d")
_BLOCKS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 blockquote pre figcaption figure td th tr dd dt "
    "section article header footer ul ol table aside address".split()
)


def html_to_paragraphs(html: str) -> list[str]:
    """The paragraphs of an HTML fragment or page: block elements and `<br>` pairs end
    a paragraph; scripts and styles are dropped; attributes never appear; entities are
    decoded; every paragraph passes the usual text cleaning."""
    if "<" not in html and "&" not in html:
        return [p for p in (clean_line(part, markup=False).strip()
                           for part in html.split("\n\n")) if p]
    tree = LexborHTMLParser(html)
    tree.strip_tags(list(_DROP))
    root = tree.body or tree.root
    if root is None:
        return []
    paragraphs: list[str] = []
    current: list[str] = []

    def end_paragraph() -> None:
        # Two line breaks in a row ("<br><br>" layouts) also end a paragraph.
        for part in _TWO_BREAKS.split("".join(current)):
            text = clean_line(part.replace(_BREAK, " "), markup=False).strip()
            if text:
                paragraphs.append(text)
        current.clear()

    for node, entering in _walk(root):
        tag = node.tag
        if tag == "-text":
            if entering:
                current.append(node.text_content or "")
        elif tag == "br":
            if entering:
                current.append(_BREAK)
        elif tag in _BLOCKS:
            end_paragraph()
    end_paragraph()
    return paragraphs


def _walk(root: LexborNode) -> Iterator[tuple[LexborNode, bool]]:
    """(node, entering) pairs, depth first, without recursion (deep HTML is common)."""
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            yield node, False
            continue
        yield node, True
        stack.append((node, True))
        children: list[LexborNode] = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))
