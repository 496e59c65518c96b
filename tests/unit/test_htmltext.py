"""HTML read with a real parser: script and style contents dropped, attributes never in
the text, entities decoded once, block elements end a paragraph (issue 11; the feeds
engineer turns item HTML into paragraphs with `html_to_paragraphs`)."""

from __future__ import annotations

import pytest

from newstui.rawtext import parse_page
from newstui.textclean import clean_text, html_to_paragraphs


@pytest.mark.parametrize(
    ("html", "paragraphs"),
    [
        ("<p>One</p><p>Two</p>", ["One", "Two"]),
        ("<div>One<br>Two<br/>Three</div>", ["One", "Two", "Three"]),
        ("<p>Kept <script>var a=1;</script>text</p>", ["Kept text"]),
        ("<style>p { color: red }</style><p>Body</p>", ["Body"]),
        ("<p>Body</p><noscript>Enable JS</noscript><template><p>x</p></template>", ["Body"]),
        ('<p><a href="http://evil.example/" title="secret">link</a> text</p>', ["link text"]),
        ('<img alt="alt text" src="x.png"><p>Body</p>', ["Body"]),
        ("<p>AT&amp;T &lt;b&gt;bold&lt;/b&gt; &eacute;t&eacute; &#8212; &#x41;</p>",
         ["AT&T <b>bold</b> été — A"]),
        ("<p>word\n   wrapped\tacross   lines</p>", ["word wrapped across lines"]),
        ("<ul><li>first</li><li>second</li></ul>", ["first", "second"]),
        ("<h2>Sub</h2>text after", ["Sub", "text after"]),
        ("<p>  </p><p>&nbsp;</p><p>real</p>", ["real"]),
        ("<!-- a comment --><p>Body</p>", ["Body"]),
        ("plain text, no tags", ["plain text, no tags"]),
        ("<p>unclosed <b>bold", ["unclosed bold"]),
        ("", []),
    ],
)
def test_html_to_paragraphs(html: str, paragraphs: list[str]) -> None:
    assert html_to_paragraphs(html) == paragraphs


def test_html_to_paragraphs_cleans_terminal_escapes_and_bidi() -> None:
    html = "<p>a\x1b]52;c;SGVsbG8=\x07b &#27;[2J c\u202eevil</p><p>\x9b31mx</p>"
    # The decoded ESC takes its CSI with it, as a raw one would.
    assert html_to_paragraphs(html) == ["ab cevil", "x"]


def test_decoded_markup_is_text_not_parsed_again() -> None:
    # An entity-encoded tag is text after decoding; it must not be stripped as a tag.
    assert html_to_paragraphs("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == [
        "<script>alert(1)</script>"]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Before <script>var a=1;</script>after", "Before after"),
        ("Before <style type='text/css'>p{}</style>after", "Before after"),
        ('<a href="x" onclick="steal()">link</a> and', "link and"),
        ("<p>line one</p>line two", "\nline one\nline two"),
        # A stray "<" never swallows the text after it (an HTML5 parser alone would).
        ("if a <b and c\nthen more text", "if a <b and c\nthen more text"),
        ("1 <2 and 3> 2", "1 <2 and 3> 2"),
    ],
)
def test_clean_text_reads_html_with_the_parser(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_scraped_page_with_script_keeps_only_the_story() -> None:
    page = parse_page(
        "<html><head><title>Site</title><script>track()</script></head><body>\n"
        "Cotton harvest begins\n\n<p>The harvest <b>began</b> on Monday.</p>"
        "<script>var a=1;</script><p>Farmers were pleased.</p></body></html>"
    )
    (article,) = page.articles
    assert article.headline == "Cotton harvest begins"
    assert article.body == ("The harvest began on Monday.", "Farmers were pleased.")


def test_deep_nesting_is_read_in_linear_time() -> None:
    # lexbor is quadratic on 100,000 nested <div>s (14 s); the fallback reads it at once.
    html = "<div>" * 100_000 + "deep<script>x</script>" + "</div>" * 100_000
    assert html_to_paragraphs(html) == ["deep"]
    assert clean_text(html).strip() == "deep"
