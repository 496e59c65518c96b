"""Fuzz the importer: arbitrary bytes through decode + parse_page and read_json, and
arbitrary text through clean_text. Only the importer's own errors may escape, and
nothing that comes out may hold a character a terminal would act on.

`check_input` is the property; test_hostile_input.py runs it under hypothesis, and
this file, run as a program, under atheris (coverage-guided, its own process):

    python tests/support/fuzz_importer.py -atheris_runs=100000 [CORPUS_DIR]
"""

from __future__ import annotations

import contextlib
import re
import sys
from typing import Any

instrumented: Any = contextlib.nullcontext()
if __name__ == "__main__":
    import atheris  # only the fuzzer's process needs it

    # Coverage feedback from newstui's code: the fuzzer keeps inputs that reach new
    # branches of the parsers and cleaners.
    instrumented = atheris.instrument_imports(include=["newstui"])

with instrumented:
    from newstui.article import Article, RecordError
    from newstui.importer import ImportFileError, decode, read_json
    from newstui.rawtext import NotAnArticleError, parse_page
    from newstui.textclean import clean_line, clean_text

#: What clean text may never hold: ESC and every other C0 control but newline and
#: tab, DEL, C1 controls (U+0080-U+009F, 8-bit CSI/OSC among them), and the bidi
#: embeddings, overrides and isolates that can make text read other than it is.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_clean(text: str | None, what: str) -> None:
    if text is None:
        return
    found = FORBIDDEN.search(text)
    assert found is None, f"{what} holds {found.group()!r} at {found.start()}: {text[:200]!r}"


def assert_article_clean(article: Article) -> None:
    for name in ("headline", "dateline", "updated", "published", "caption", "credit",
                 "source", "imported_at"):
        value = getattr(article, name)
        assert_clean(value, name)
        assert value is None or "\n" not in value, f"{name} holds a line break"
    for paragraph in article.body:
        assert_clean(paragraph, "a paragraph")


def check_bytes(data: bytes) -> None:
    """Bytes as a file's content: a page or story, and JSON (an array, JSON Lines)."""
    try:
        page = parse_page(decode(data))
    except (ImportFileError, NotAnArticleError):
        pass
    else:
        for article in page.articles:
            assert_article_clean(article)
    for lines in (False, True):
        try:
            articles, _warnings = read_json(data, "fuzz.json", lines=lines)
        except ImportFileError as exc:  # PartialImport too: check what did import
            articles = list(getattr(exc, "articles", []))
        except RecordError:
            articles = []
        for article in articles:
            assert_article_clean(article)


def check_text(text: str) -> None:
    """Text straight into the cleaners, with and without markup."""
    for markup in (True, False):
        cleaned = clean_text(text, markup)
        assert_clean(cleaned, "clean_text")
        cleaned.encode("utf-8")  # no lone surrogates left
        line = clean_line(text, markup)
        assert_clean(line, "clean_line")
        assert "\n" not in line


def check_input(data: bytes) -> None:
    """The whole property, for one fuzzer input: the bytes as a file, and as text read
    three ways (UTF-8, Latin-1 for every C1 control, UTF-16 for any code point)."""
    check_bytes(data)
    check_text(data.decode("utf-8", errors="replace"))
    check_text(data.decode("latin-1"))
    check_text(data[: len(data) // 2 * 2].decode("utf-16-le", errors="surrogatepass"))


def main() -> None:
    atheris.Setup(sys.argv, check_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
