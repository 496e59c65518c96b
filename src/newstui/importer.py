"""Files on disk -> Articles: find the files, decode them, pick the parser.

Nothing here touches the store: reading thousands of files happens before the store is
locked, and a file that fails is reported while the others carry on.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from newstui.article import Article, RecordError
from newstui.dates import DateError, normalise_date, parse_article_date
from newstui.feeds.parsing import looks_like_markup
from newstui.rawtext import NotAnArticleError, parse_page
from newstui.textclean import clean_line

JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
# Files a news folder often holds beside its articles; skipped when walking a folder
# (named on the command line, they are imported like any other file).
_NOT_ARTICLES = ("readme", "license", "licence", "copying", "changelog")
_MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """A file (or one record in it) that failed, or imported with a caveat."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    """Everything read from the files of one import run, before it meets the store."""

    articles: list[Article] = field(default_factory=list)
    failures: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0
    #: Articles of files an earlier import read, unchanged since (not read again).
    known_ids: list[str] = field(default_factory=list)
    #: What this run read from each file that imported whole, for the next run.
    read_files: dict[str, KnownFile] = field(default_factory=dict)


#: Called after each file with (files done, files in all).
Progress = Callable[[int, int], None]


def find_files(paths: Iterable[str | os.PathLike[str]],
               result: ReadResult) -> list[tuple[Path, str]]:
    """The files to import: each file named, and every file under each folder named
    (recursively, sorted, hidden files and READMEs left out), each with its absolute
    path (its `source`). A folder is resolved once, not each of its files."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            absolute = str(path.resolve())
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                inside = os.path.join(absolute, os.path.relpath(root, path))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    if name.lower().startswith(_NOT_ARTICLES):
                        result.skipped.append(str(Path(root, name)))
                        continue
                    found.append((Path(root, name), os.path.normpath(os.path.join(inside, name))))
        elif path.exists() or path.is_symlink():
            found.append((path, str(path.resolve())))
        else:
            result.failures.append(Problem(str(path), "no such file or directory"))
    return found


#: What an earlier import read from a file: (size, mtime in ns, ids of its articles).
KnownFile = tuple[int, int, list[str]]


def read_paths(
    paths: Iterable[str | os.PathLike[str]], progress: Progress | None = None,
    known: Mapping[str, KnownFile] | None = None,
) -> ReadResult:
    """Read every article from `paths`; failures are collected, never raised.

    `known`: files an earlier import read, by source. One whose size and modification
    time are unchanged is not read again; its article ids go to `result.known_ids`.
    """
    result = ReadResult()
    files = find_files(paths, result)
    for done, (path, raw_source) in enumerate(files, start=1):
        result.files += 1
        # The source as the store keeps it: text (a name that is not UTF-8 gets U+FFFD
        # where its bytes did not decode) with no escape sequence or control character
        # a terminal would act on when `show` prints it.
        source = raw_source if _is_utf8(raw_source) else _readable_name(raw_source)
        if not source.isprintable():
            source = clean_line(source, markup=False)
        info = _stat(path)
        stamp = (info.st_size, info.st_mtime_ns) if info else None
        earlier = known.get(source) if known and stamp else None
        if earlier is not None and stamp == (earlier[0], earlier[1]):
            result.known_ids.extend(earlier[2])
            if progress is not None:
                progress(done, len(files))
            continue
        try:
            articles, warnings = read_file(path, info)
        except PartialImport as exc:
            articles, warnings = exc.articles, []
            result.failures.extend(exc.problems)
        except ImportFileError as exc:
            result.failures.extend(exc.problems or [Problem(str(path), str(exc))])
            articles, warnings = [], []
        if articles and not _is_utf8(raw_source):
            warnings = [*warnings, f"file name is not valid UTF-8; recorded as {source!r}"]
        stamped = [a if a.source else replace(a, source=source) for a in articles]
        result.articles.extend(stamped)
        result.warnings.extend(Problem(str(path), w) for w in warnings)
        if stamp and stamped and not any(p.path == str(path) for p in result.failures):
            result.read_files[source] = (stamp[0], stamp[1], [a.id for a in stamped])
        if progress is not None:
            progress(done, len(files))
    return result


def _is_utf8(name: str) -> bool:
    # os.walk and sys.argv carry undecodable bytes as lone surrogates (PEP 383).
    return name.isascii() or not any("\udc80" <= c <= "\udcff" for c in name)


def _readable_name(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class ImportFileError(Exception):
    """A file that yielded nothing; `problems` holds per-record reasons when known."""

    def __init__(self, reason: str, problems: list[Problem] | None = None) -> None:
        super().__init__(reason)
        self.problems = problems or []


def read_file(path: Path, info: os.stat_result | None = None
              ) -> tuple[list[Article], list[str]]:
    """Read one file: (articles, warnings). Raises ImportFileError when it yields none.
    `info`: the file's stat, when the caller has it already."""
    try:
        info = info or path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ImportFileError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO, socket or device: reading it could block forever or never end.
            raise ImportFileError("not a regular file (a pipe, socket or device)")
        if info.st_size > _MAX_FILE_BYTES:
            raise ImportFileError(f"file too large ({info.st_size // 2**20} MiB) to be an article")
        data = path.read_bytes()
    except PermissionError:
        raise ImportFileError("permission denied") from None
    except IsADirectoryError:
        raise ImportFileError("is a directory") from None
    except FileNotFoundError:
        if path.is_symlink():
            raise ImportFileError("broken symbolic link (its target does not exist)") from None
        raise ImportFileError("no such file or directory") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read: {exc.strerror or exc}") from None
    try:
        return _read_content(data, path)
    except ImportFileError:
        raise
    except Exception as exc:
        # A defect in reading one file (a library raising what we did not foresee) must
        # not abort an import of thousands: the file is reported, the rest carry on.
        raise ImportFileError(f"could not be read ({type(exc).__name__}: {exc}); "
                              "please report this file") from None


def _read_content(data: bytes, path: Path) -> tuple[list[Article], list[str]]:
    if path.suffix.lower() in JSON_SUFFIXES:
        return read_json(data, str(path), lines=path.suffix.lower() != ".json")
    if looks_like_markup(data):
        return read_markup(data, path)
    text = decode(data)
    try:
        page = parse_page(text)
    except NotAnArticleError as exc:
        raise ImportFileError(f"no article found: {exc}") from None
    return page.articles, page.warnings


def read_markup(data: bytes, path: Path) -> tuple[list[Article], list[str]]:
    """An XML or HTML document: a saved feed (RSS or Atom) gives its items, as a fetch
    of it would; any other markup is not an article (never imported as text)."""
    from newstui.feeds.parsing import FeedError, looks_like_feed, markup_kind, parse_feed, self_link

    if not looks_like_feed(data):
        raise ImportFileError(f"not an article: {markup_kind(data)}")
    # The feed's own address, when it states it, names its items as a subscription
    # to it would: importing the saved file and fetching the feed agree.
    feed_id = self_link(data) or path.resolve().as_uri()
    try:
        parsed = parse_feed(data, feed_id)
    except FeedError as exc:
        raise ImportFileError(str(exc)) from None
    if not parsed.articles:
        raise ImportFileError("a feed with no items")
    return parsed.articles, parsed.warnings


def decode(data: bytes) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with a BOM, else Windows-1252
    (a superset of Latin-1, which is what non-UTF-8 news pages almost always are).

    Raises ImportFileError for empty and binary files.
    """
    if not data.strip():
        raise ImportFileError("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError("binary file (not text)") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if _looks_binary(data):
        raise ImportFileError("binary file (not text)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not all UTF-8. A file that is mostly valid UTF-8 has stray Windows-1252 bytes (a
    # pasted quote, one Latin-1 name): each invalid run is read as Windows-1252 and the
    # rest stays UTF-8, so one stray byte cannot turn every "Café" of the file into
    # "CafÃ©". A file whose non-ASCII bytes are mostly not UTF-8 is Windows-1252
    # throughout (a pair of its bytes can look like UTF-8 by accident: "Ã©").
    valid = data.decode("utf-8", errors="ignore")
    invalid_bytes = len(data) - len(valid.encode("utf-8"))
    valid_characters = len(valid) - len(valid.encode("ascii", errors="ignore"))
    if valid_characters >= invalid_bytes:
        return data.decode("utf-8", errors="newstui_utf8_else_cp1252")
    return data.decode("cp1252", errors="newstui_cp1252_undefined")


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13, 12, 27))


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    # Count the control bytes in C: delete everything else.
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls * 20 > len(sample)  # more than 5% control bytes


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _cp1252_undefined(error: UnicodeError) -> tuple[str, int]:
    # The five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) become
    # U+FFFD instead of failing the whole file. Not their Latin-1 C1 controls: 0x90
    # (DCS) and 0x9D (OSC) open terminal strings, and clean_text removes such a string
    # up to its terminator, so one stray byte would swallow the rest of the article.
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd" * (error.end - error.start), error.end


codecs.register_error("newstui_cp1252_undefined", _cp1252_undefined)


def _utf8_else_cp1252(error: UnicodeError) -> tuple[str, int]:
    # A byte sequence that is not UTF-8, read as Windows-1252 instead.
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start:error.end]
    return bytes(bad).decode("cp1252", errors="newstui_cp1252_undefined"), error.end


codecs.register_error("newstui_utf8_else_cp1252", _utf8_else_cp1252)


def read_json(data: bytes, name: str, lines: bool) -> tuple[list[Article], list[str]]:
    """Records of our export format (a JSON array, one object, or JSON Lines).

    Bad records are reported by line or position; the good ones still import.
    """
    if not data.strip():
        raise ImportFileError("empty file")
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        # A byte order mark, as Windows tools write (Notepad, PowerShell, Excel's
        # "UTF-8" exports): read as the text importer reads it (UTF-16 too).
        data = decode(data).encode("utf-8", "replace")
    records: list[tuple[int | None, Any]] = []
    problems: list[Problem] = []
    if lines:
        for number, line in enumerate(data.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, orjson.loads(line)))
            except orjson.JSONDecodeError as exc:
                problems.append(Problem(name, f"malformed JSON: {_json_reason(exc)}", number))
    else:
        try:
            document = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            where = data.count(b"\n", 0, exc.pos) + 1 if exc.pos is not None else None
            raise ImportFileError(
                f"malformed JSON: {_json_reason(exc)}",
                [Problem(name, f"malformed JSON: {_json_reason(exc)}", where)],
            ) from None
        records = [(None, r) for r in _records_in(document)]
    articles = []
    warnings: list[str] = []
    for position, (line_no, record) in enumerate(records, start=1):
        place = f"line {line_no}" if line_no is not None else f"record {position}"
        notes: list[str] = []
        try:
            articles.append(article_from_json(record, notes))
        except RecordError as exc:
            reason = str(exc) if line_no is not None else f"record {position}: {exc}"
            problems.append(Problem(name, reason, line_no))
        warnings.extend(f"{place}: {note}" for note in notes)
    if not articles:
        raise ImportFileError(problems[0].reason if problems else "no records", problems)
    if problems:
        # Some records imported: the file still counts as failed so the run exits 1.
        raise PartialImport(articles, problems)
    return articles, warnings


class PartialImport(ImportFileError):
    """Some records of a file imported, some failed."""

    def __init__(self, articles: list[Article], problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} bad records", problems)
        self.articles = articles


def _records_in(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        # A newstui/TinyDB store file: {"articles": {"<id>": {...}}}
        if isinstance(document.get("articles"), dict) and "headline" not in document:
            return list(document["articles"].values())
        return [document]
    raise ImportFileError("JSON holds neither records nor a list of records")


def _json_reason(exc: orjson.JSONDecodeError) -> str:
    return str(exc).split(":")[0]


def article_from_json(record: Any, notes: list[str] | None = None) -> Article:
    """One JSON record -> Article, cleaned like any other text (a record can be
    hostile too). Records with `title` / `date` / a string body (common exports such
    as the Reuters collection) are accepted as well. Dates are normalised like those
    of every other format; one that cannot be read is left empty, said in `notes`."""
    if not isinstance(record, dict):
        raise RecordError("a record must be a JSON object")
    record = dict(record)
    notes = notes if notes is not None else []
    markup = "headline" not in record and isinstance(record.get("title"), str)
    if markup:
        record["headline"] = record["title"]
        if isinstance(record.get("date"), str) and "published" not in record:
            try:
                record["published"] = parse_article_date(record["date"].split(".")[0], notes)
            except DateError as exc:
                notes.append(f"{exc}; date left empty")
                record["published"] = None
        if isinstance(record.get("dateline"), str):
            # "CLEVELAND, Feb 26 -" -> "CLEVELAND"
            record["dateline"] = record["dateline"].split(",")[0].strip(" -")
        if isinstance(record.get("body"), str):
            record["body"] = record["body"].replace("\n    ", "\n\n").split("\n\n")
    for key in ("published", "updated"):
        value = record.get(key)
        if isinstance(value, str):
            try:
                record[key] = normalise_date(value, notes) if value.strip() else None
            except DateError as exc:
                notes.append(f"'{key}': {exc}; date left empty")
                record[key] = None
    # Foreign exports may carry HTML entities; our own records are plain text already.
    for key in ("headline", "dateline", "caption", "credit", "source", "imported_at"):
        if isinstance(record.get(key), str):
            record[key] = clean_line(record[key], markup) or None
    body = record.get("body")
    if isinstance(body, str):
        # A body given as one string is cleaned like a list of paragraphs: it must not
        # reach the store with escapes or controls in it.
        body = record["body"] = body.split("\n\n")
    if isinstance(body, list) and all(isinstance(p, str) for p in body):
        record["body"] = [p for p in (clean_line(p, markup) for p in body) if p]
    article = Article.from_record(record)
    if not article.body:
        raise RecordError("no body text")
    return article
