"""Files on disk -> Articles: find the files, decode them, pick the parser.

`stream_import` hands what it reads to a store in batches (at most BATCH_ARTICLES
articles or about BATCH_BYTES of text each): memory is bounded by a few batches, not
by the number of files or the size of one JSON Lines file. A thread reads and parses
the next batch while the store writes the last one. A file that fails is reported while
the others carry on. The store is only ever handed whole batches (`upsert(batch)`), each
its own write under the store's lock: a killed import keeps the batches written before.
"""

from __future__ import annotations

import codecs
import os
import queue
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
#: A batch handed to the store: about one segment's worth (manifest.py's 2,000 / 4 MB).
BATCH_ARTICLES = 2000
BATCH_BYTES = 4 << 20

if TYPE_CHECKING:
    from newstui.archive import ImportReport
    from newstui.store import UpsertResult


#: Every character a terminal (or Python's str.splitlines) takes as the end of a line.
_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


@dataclass(frozen=True, slots=True)
class Problem:
    """A file (or one record in it) that failed, or imported with a caveat."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        # One line whatever a file's name holds: a line break in it is shown escaped
        # (`\n`), so a crafted name cannot print a second, made-up line.
        return f"{where}: {self.reason}".translate(_LINE_BREAKS)


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
    """Read every article from `paths` into one list (for tools and tests; an import
    streams them with `stream_import`); failures are collected, never raised.

    `known`: files an earlier import read, by source. One whose size and modification
    time are unchanged is not read again; its article ids go to `result.known_ids`.
    """
    result = ReadResult()
    plan = plan_files(paths, result, known)
    result.articles.extend(read_planned(plan, result, progress))
    return result


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """One file an import will read (or knows already, when `known` is set)."""

    path: Path
    source: str                    # as the store keeps it (see plan_files)
    utf8_name: bool
    info: os.stat_result | None
    known: KnownFile | None = None


def plan_files(paths: Iterable[str | os.PathLike[str]], result: ReadResult,
               known: Mapping[str, KnownFile] | None = None,
               holds: Callable[[list[str]], bool] | None = None) -> list[PlannedFile]:
    """The files to import, each with its stat and what an earlier import read from it
    when it is unchanged since. `holds(ids)`: whether the store still holds those ids;
    when it does not (restored from a backup, say), every file is read again rather
    than trusting what was remembered. Missing paths and skipped files go to `result`."""
    plan = []
    for path, raw_source in find_files(paths, result):
        # The source as the store keeps it: text (a name that is not UTF-8 gets U+FFFD
        # where its bytes did not decode) with no escape sequence or control character
        # a terminal would act on when `show` prints it.
        utf8 = _is_utf8(raw_source)
        source = raw_source if utf8 else _readable_name(raw_source)
        if not source.isprintable():
            source = clean_line(source, markup=False)
        info = _stat(path)
        earlier = known.get(source) if known and info else None
        same = (earlier is not None and info is not None
                and (info.st_size, info.st_mtime_ns) == (earlier[0], earlier[1]))
        plan.append(PlannedFile(path, source, utf8, info, earlier if same else None))
    if holds is not None:
        remembered = [key for f in plan if f.known for key in f.known[2]]
        if remembered and not holds(remembered):
            plan = [replace(f, known=None) for f in plan]
    return plan


def read_planned(plan: list[PlannedFile], result: ReadResult,
                 progress: Progress | None = None,
                 stop: threading.Event | None = None) -> Iterator[Article]:
    """The articles of the planned files, one at a time, each stamped with its source.
    Failures, warnings and what to remember of each file go to `result` as each file
    ends; `stop` set ends the reading early."""
    for done, file in enumerate(plan, start=1):
        result.files += 1
        if file.known is not None:
            result.known_ids.extend(file.known[2])
            if progress is not None:
                progress(done, len(plan))
            continue
        problems: list[Problem] = []
        notes: list[str] = []
        ids: list[str] = []
        try:
            for article in file_articles(file.path, file.info, problems, notes):
                if not article.source:
                    article = replace(article, source=file.source)
                ids.append(article.id)
                yield article
                if stop is not None and stop.is_set():
                    return
        except ImportFileError as exc:
            problems.extend(exc.problems or [Problem(str(file.path), str(exc))])
        except Exception as exc:
            # A defect in reading one file (a library raising what we did not foresee)
            # must not abort an import of thousands: the file is reported, the rest
            # carry on (the articles it gave before are kept).
            problems.append(Problem(str(file.path), f"could not be read ({type(exc).__name__}: "
                                    f"{exc}); please report this file"))
        if ids and not file.utf8_name:
            notes.append(f"file name is not valid UTF-8; recorded as {file.source!r}")
        result.failures.extend(problems)
        result.warnings.extend(Problem(str(file.path), note) for note in notes)
        if file.info is not None and ids and not problems:
            result.read_files[file.source] = (file.info.st_size, file.info.st_mtime_ns, ids)
        if progress is not None:
            progress(done, len(plan))


def stream_import(
    paths: Iterable[str | os.PathLike[str]],
    upsert: Callable[[list[Article]], UpsertResult],
    progress: Progress | None = None,
    known: Mapping[str, KnownFile] | None = None,
    holds: Callable[[list[str]], bool] | None = None,
    batch_articles: int = BATCH_ARTICLES,
    batch_bytes: int = BATCH_BYTES,
) -> ImportReport:
    """Import files and folders into a store, a batch at a time.

    `upsert(batch)` is the store's: it writes one batch (ids unique within it) in one
    write and says what it added, updated or found unchanged. A thread reads and parses
    the next batch meanwhile. Failed files are reported in the result, never raised; an
    error of the store (locked, read-only, a full disk) is raised after the batches
    before it were written. `known`/`holds`: see plan_files. The report's `read_files`
    is what to remember for the next import."""
    from newstui.archive import ImportReport

    read = ReadResult()
    plan = plan_files(paths, read, known, holds)
    report = ImportReport()
    seen: set[str] = set()
    added: set[str] = set()
    updated: set[str] = set()
    for batch in _batches(plan, read, progress, batch_articles, batch_bytes):
        unique: dict[str, Article] = {}
        for article in batch:
            if article.id in seen or article.id in unique:
                report.duplicates += 1
            unique[article.id] = article  # the last version read wins, as in one write
        seen.update(unique)
        result = upsert(list(unique.values()))
        for article in result.added:
            if article.id not in added:
                added.add(article.id)
                report.added.append(article.id)
        for article in result.updated:
            # An article added (or updated) by an earlier batch of this run and read
            # again in a newer version is still one article added (or updated).
            if article.id not in added and article.id not in updated:
                updated.add(article.id)
                report.updated.append(article.id)
    report.failures, report.warnings, report.skipped = read.failures, read.warnings, read.skipped
    report.files = read.files
    report.read_files = read.read_files
    also_known = len(set(read.known_ids) - seen)
    report.already_present = len(seen) + also_known - len(report.added) - len(report.updated)
    return report


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


def _batches(plan: list[PlannedFile], read: ReadResult, progress: Progress | None,
             most: int, most_bytes: int) -> Iterator[list[Article]]:
    """The planned files' articles in batches, read by a thread one batch ahead of the
    caller (at most three batches in memory: being read, waiting, being written)."""
    handed: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def reader() -> None:
        try:
            batch: list[Article] = []
            size = 0
            for article in read_planned(plan, read, progress, stop):
                batch.append(article)
                size += len(article.headline) + sum(len(p) for p in article.body)
                if len(batch) >= most or size >= most_bytes:
                    if not put(batch):
                        return
                    batch, size = [], 0
            if batch and not put(batch):
                return
            put(_DONE)
        except BaseException as exc:  # handed to the caller's thread, raised there
            put(_Failed(exc))

    thread = threading.Thread(target=reader, name="newstui-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = handed.get()
            if item is _DONE:
                break
            if isinstance(item, _Failed):
                raise item.exc
            assert isinstance(item, list)
            yield item
            del item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                handed.get(timeout=0.1)  # let a reader waiting to hand a batch see `stop`
            except queue.Empty:
                pass
        thread.join()


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


def file_articles(path: Path, info: os.stat_result | None, problems: list[Problem],
                  warnings: list[str]) -> Iterator[Article]:
    """The articles of one file, one at a time. A JSON Lines file is read a line at a
    time (its size does not matter); any other file is read whole. Bad records go to
    `problems` (the file then counts as failed) and notes to `warnings`; a file that
    yields nothing raises ImportFileError."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        _check_readable(path, info, limit=None)  # a FIFO is refused before it is opened
        if not _utf16(path):
            yield from _json_lines(path, info, problems, warnings)
            return
    try:
        articles, notes = read_file(path, info)
    except PartialImport as exc:
        problems.extend(exc.problems)
        yield from exc.articles
        return
    warnings.extend(notes)
    yield from articles


def _json_lines(path: Path, info: os.stat_result | None, problems: list[Problem],
                warnings: list[str]) -> Iterator[Article]:
    """A JSON Lines file a line at a time: what read_json(lines=True) reads, without
    holding the file or its articles."""
    name = str(path)
    _check_readable(path, info, limit=None)
    try:
        handle = open(path, "rb")  # closed by the `with` below
    except OSError as exc:
        raise _read_error(path, exc) from None
    content = False
    count = 0
    number = 0
    with handle:
        while True:
            try:
                physical = handle.readline(_MAX_FILE_BYTES)
            except OSError as exc:
                raise _read_error(path, exc) from None
            if not physical:
                break
            if number == 0 and physical.startswith(codecs.BOM_UTF8):
                physical = physical[3:]  # a byte order mark, as Windows tools write
            if len(physical) == _MAX_FILE_BYTES and not physical.endswith(b"\n"):
                while (rest := handle.readline(_MAX_FILE_BYTES)) and not rest.endswith(b"\n"):
                    pass
                number += 1
                content = True
                problems.append(Problem(name, "record too large", number))
                continue
            # Numbered as bytes.splitlines() numbers them (a lone CR ends a line too).
            for line in physical.splitlines():
                number += 1
                if not line.strip():
                    continue
                content = True
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    problems.append(Problem(name, f"malformed JSON: {_json_reason(exc)}", number))
                    continue
                notes: list[str] = []
                try:
                    article = article_from_json(record, notes)
                except RecordError as exc:
                    problems.append(Problem(name, str(exc), number))
                    article = None
                warnings.extend(f"line {number}: {note}" for note in notes)
                if article is not None:
                    count += 1
                    yield article
    if not content:
        raise ImportFileError("empty file")
    if not count:
        reason = problems[0].reason if problems else "no records"
        bad, problems[:] = list(problems), []
        raise ImportFileError(reason, bad)


def _utf16(path: Path) -> bool:
    """Whether a file starts with a UTF-16 byte order mark (read whole, decoded)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    except OSError:
        return False


def _check_readable(path: Path, info: os.stat_result | None, limit: int | None) -> None:
    try:
        info = info or path.stat()
    except OSError as exc:
        raise _read_error(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise ImportFileError("is a directory")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO, socket or device: reading it could block forever or never end.
        raise ImportFileError("not a regular file (a pipe, socket or device)")
    if limit is not None and info.st_size > limit:
        raise ImportFileError(f"file too large ({info.st_size // 2**20} MiB) to be an article")


def _read_error(path: Path, exc: OSError) -> ImportFileError:
    if isinstance(exc, PermissionError):
        return ImportFileError("permission denied")
    if isinstance(exc, IsADirectoryError):
        return ImportFileError("is a directory")
    if isinstance(exc, FileNotFoundError):
        if path.is_symlink():
            return ImportFileError("broken symbolic link (its target does not exist)")
        return ImportFileError("no such file or directory")
    return ImportFileError(f"cannot read: {exc.strerror or exc}")


def read_file(path: Path, info: os.stat_result | None = None
              ) -> tuple[list[Article], list[str]]:
    """Read one file: (articles, warnings). Raises ImportFileError when it yields none.
    `info`: the file's stat, when the caller has it already."""
    _check_readable(path, info, limit=_MAX_FILE_BYTES)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _read_error(path, exc) from None
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
