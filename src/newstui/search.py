"""The full-text index (tantivy) and the one search function the CLI and TUI share.

The only module that imports the index library. The index lives in `NAME.index/`
beside the store and is derived from it: `stamp.json` records which store (its id) and
which write (its generation) the index reflects, so a stale or foreign index is
detected and rebuilt rather than trusted.

tantivy (a Rust engine) was chosen on measurements at 106,000 articles: built in 1.7 s,
top-50 queries in well under a millisecond; SQLite FTS5 took 4.8 s and 0.5-11 ms.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import struct
import threading
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any, TypeVar

import orjson
import tantivy

from newstui.article import Article
from newstui.files import atomic_write, fsync_dir
from newstui.query import (
    CJK_SEPARATOR,
    TEXT_FIELDS,
    AnyOf,
    DateRange,
    Query,
    QueryError,
    Term,
    index_text,
)

# 2: CJK characters are words of their own (query.index_text).
# 3: each document also stores the store segment its article is in (a lookup hint).
INDEX_VERSION = 3
TOKENIZER = "newstui"
#: A match in the headline counts most, then caption and dateline, then the rest.
BOOSTS = {"headline": 3.0, "caption": 1.5, "dateline": 1.5, "credit": 1.0, "body": 1.0}
SNIPPET_CHARS = 180


class IndexDamagedError(Exception):
    """The index cannot be used (e.g. damaged); callers rebuild it."""


class IndexWriteError(OSError):
    """The index could not be written (a full disk, a read-only folder); the message
    names it. What was half-written has been removed."""


_Result = TypeVar("_Result")
_quiet_lock = threading.RLock()


@contextlib.contextmanager
def _native_calls() -> Iterator[None]:
    """Around calls into tantivy: a Rust panic (tantivy reading a damaged segment)
    becomes IndexDamagedError. pyo3's PanicException derives from BaseException, not
    Exception, so nothing else would catch it; and the panic hook writes its message
    (and, with RUST_BACKTRACE, a backtrace) straight to file descriptor 2, past
    sys.stderr, onto the user's terminal — so fd 2 points at /dev/null meanwhile.
    """
    with _quiet_lock:
        saved = _silence_fd2()
        try:
            yield
        except BaseException as exc:  # only a PanicException is converted
            if type(exc).__name__ == "PanicException":
                raise IndexDamagedError(f"search index is damaged ({_first_line(exc)})") from None
            raise
        finally:
            _restore_fd2(saved)


def _silence_fd2() -> int | None:
    try:
        saved = os.dup(2)
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return None
    os.dup2(null, 2)
    os.close(null)
    return saved


def _restore_fd2(saved: int | None) -> None:
    if saved is not None:
        os.dup2(saved, 2)
        os.close(saved)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _guarded(method: Callable[..., _Result]) -> Callable[..., _Result]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> _Result:
        with _native_calls():
            return method(*args, **kwargs)
    return wrapper


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of an article's text with the character ranges that matched."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def marked(self, start: str = "«", end: str = "»") -> str:
        """The snippet with each matched term between `start` and `end`."""
        pieces, last = [], 0
        for lo, hi in self.highlights:
            pieces += [self.text[last:lo], start, self.text[lo:hi], end]
            last = hi
        pieces.append(self.text[last:])
        return "".join(pieces)


@dataclass(frozen=True, slots=True)
class Hit:
    article: Article
    score: float
    snippet: Snippet


@dataclass(frozen=True, slots=True)
class Results:
    query: Query
    hits: list[Hit]
    total: int  # every match, not just the hits returned
    #: False where more than `total` articles match and no one counted them all (the
    #: PostgreSQL store ranks at most newstui.pg.store.PgArchive.RANKED matches).
    exact: bool = True

    def describe_total(self) -> str:
        """"1,234 matches", or "more than 1,000 matches" where not all were counted."""
        if not self.exact:
            return f"more than {self.total:,} matches"
        return f"{self.total:,} match{'es' if self.total != 1 else ''}"


def _analyzer() -> Any:
    # Words, lower-cased and folded to ASCII: "Zürich" finds "zurich" and vice versa.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@functools.cache
def shared_analyzer() -> Any:
    """The index's analyzer, for code that must fold words exactly as the index does
    (the reader's highlighter: what the search found is what the article marks)."""
    return _analyzer()


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("seg", stored=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name=TOKENIZER)
    builder.add_integer_field("ts", stored=True, indexed=True, fast=True)
    return builder.build()


def timestamp(iso: str | None) -> int | None:
    """Seconds since the epoch of an ISO date or datetime (read as UTC), for sorting."""
    if not iso:
        return None
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


#: An article to index, alone or with the name of the store segment that holds it.
Placed = Article | tuple[Article, str]


class SearchIndex:
    """A tantivy index of one store's articles."""

    def __init__(self, path: Path | None) -> None:
        """Open the index at `path` (created if missing); None keeps it in memory."""
        self.path = path
        self._schema = _schema()
        self._analyzer = _analyzer()
        self._memory_stamp: dict[str, Any] = {}
        self._seen_stamp: dict[str, Any] = {}
        self._index = self._open()

    def _open(self) -> Any:
        if self.path is not None:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _write_error(self.path, exc) from None
        try:
            with _native_calls():
                index = tantivy.Index(self._schema, str(self.path) if self.path else None,
                                      reuse=True)
        except (ValueError, OSError, IndexDamagedError) as exc:
            if self.path is not None and _disk_full(exc):
                raise _write_error(self.path, exc) from None
            raise IndexDamagedError(f"{self.path}: search index is damaged ({exc})") from None
        index.register_tokenizer(TOKENIZER, self._analyzer)
        return index

    # -- freshness ------------------------------------------------------------

    @property
    def _stamp_path(self) -> Path | None:
        return None if self.path is None else self.path / "stamp.json"

    def stamp(self) -> dict[str, Any]:
        """What the index reflects: {"version", "store_id", "generation"} or {}."""
        if self._stamp_path is None:
            return dict(self._memory_stamp)
        try:
            data = orjson.loads(self._stamp_path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def is_current(self, store_id: str, generation: int) -> bool:
        """Whether the index reflects that write of that store. Asked before every
        search (each keystroke): the last stamp seen is trusted while it matches, and
        the file is read again only when it does not."""
        wanted = {"version": INDEX_VERSION, "store_id": store_id, "generation": generation}
        if self._seen_stamp == wanted:
            return True
        self._seen_stamp = self.stamp()
        return self._seen_stamp == wanted

    def _write_stamp(self, store_id: str, generation: int) -> None:
        stamp = {"version": INDEX_VERSION, "store_id": store_id, "generation": generation}
        if self._stamp_path is None:
            self._memory_stamp = stamp
        else:
            atomic_write(self._stamp_path, orjson.dumps(stamp))
        self._seen_stamp = stamp

    # -- writing --------------------------------------------------------------

    def add(self, articles: Iterable[Placed], store_id: str, generation: int) -> int:
        """Index new articles, then record the store write they belong to."""
        return self.apply(articles, (), store_id, generation)

    @_guarded
    def apply(self, articles: Iterable[Placed], deleted: Iterable[str], store_id: str,
              generation: int, small: bool = False, batch: bool = False) -> int:
        """Follow one store write in one commit: remove the documents of `deleted` ids
        (an updated article's old version among them), add `articles`, then stamp the
        generation. tantivy applies a delete only to documents added before it, so an
        id both deleted and added ends with its new version alone.

        The stamp is written after the commit: a crash in between leaves the index
        stamped with an older generation, so it is seen as stale and rebuilt.
        """
        try:
            # A handful of documents needs neither the threads nor the memory of a build;
            # nor does a batch of an import (a few thousand): one thread makes one new
            # tantivy segment per commit, not one per thread, so less merging follows
            # (an import of 50k articles in 2,000s: its index work 13 s -> 9 s).
            if small:
                writer = self._index.writer(heap_size=15_000_000, num_threads=1)
            elif batch:
                writer = self._index.writer(heap_size=64_000_000, num_threads=1)
            else:
                writer = self._index.writer(heap_size=128_000_000)
            for key in deleted:
                writer.delete_documents_by_term("id", key)
            count = 0
            for entry in articles:
                writer.add_document(self._document(entry))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
            self._index.reload()
            self._write_stamp(store_id, generation)
        except (ValueError, OSError) as exc:
            if self.path is None:
                raise
            # A full disk or a damaged segment mid-write: the index is derived, so what
            # was half-written is removed rather than left to fill the disk; the next
            # search rebuilds it (when there is room).
            self._discard()
            if isinstance(exc, IndexWriteError):
                raise
            raise _write_error(self.path, exc) from None
        return count

    def _discard(self) -> None:
        """Remove this index from disk (it is derived data), keeping nothing of it."""
        self._index = None
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)

    def rebuild(self, articles: Iterable[Placed], store_id: str, generation: int) -> int:
        """Build the index afresh from `articles` and swap it in."""
        if self.path is None:
            self._index = self._open()
            self._index.writer().delete_all_documents()
            return self.add(articles, store_id, generation)
        fresh = self.path.with_name(f"{self.path.name}.new-{os.getpid()}")
        remove_index_debris(self.path)
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            building = SearchIndex(fresh)
            count = building.add(articles, store_id, generation)
            del building
        except (IndexDamagedError, OSError, ValueError) as exc:
            shutil.rmtree(fresh, ignore_errors=True)  # never leave a half-built index
            if isinstance(exc, IndexWriteError):  # name the index, not its building place
                raise IndexWriteError(str(exc).replace(str(fresh), str(self.path))) from None
            raise _write_error(self.path, exc) from None
        old = self.path.with_name(f"{self.path.name}.old-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            os.replace(self.path, old)
        os.replace(fresh, self.path)
        fsync_dir(self.path.parent)
        shutil.rmtree(old, ignore_errors=True)
        self._index = self._open()
        return count

    def _document(self, entry: Placed) -> Any:
        article, segment = entry if isinstance(entry, tuple) else (entry, None)
        doc = tantivy.Document()
        doc.add_text("id", article.id)
        if segment:
            doc.add_text("seg", segment)
        doc.add_text("headline", index_text(article.headline))
        for name in ("dateline", "caption", "credit"):
            value = getattr(article, name)
            if value:
                doc.add_text(name, index_text(value))
        doc.add_text("body", index_text("\n".join(article.body)))
        ts = timestamp(article.date)
        if ts is not None:
            doc.add_integer("ts", ts)
        return doc

    def verify(self) -> list[str]:
        """What is wrong with the index's files: each segment file listed in
        meta.json must exist and match the CRC-32 in its footer. [] when whole."""
        return [] if self.path is None else _verify_folder(self.path)

    # -- reading --------------------------------------------------------------

    @_guarded
    def __len__(self) -> int:
        return int(self._index.searcher().num_docs)

    @_guarded
    def placed(self, ids: Collection[str]) -> dict[str, str]:
        """Which of these ids the index holds, each with the segment it was indexed
        with ("" if none): one term-set query, whatever the size of the index."""
        if not ids:
            return {}
        self._index.reload()  # the last commit, whoever made it
        searcher = self._index.searcher()
        query = tantivy.Query.term_set_query(self._schema, "id", list(ids))
        found = searcher.search(query, 2 * len(ids) + 16, count=False)
        placed: dict[str, str] = {}
        for _, address in found.hits:
            stored = searcher.doc(address)
            placed[stored.get_first("id")] = stored.get_first("seg") or ""
        return placed

    @_guarded
    def ids(self) -> set[str]:
        """The id of every indexed article (for `newstui check`). Verifies every
        segment file's checksum first: damage tantivy would only meet (and panic on)
        in the middle of some later search is found here. Raises IndexDamagedError."""
        damaged = self.verify()
        if damaged:
            raise IndexDamagedError(f"{self.path}: search index is damaged ({damaged[0]})")
        searcher = self._index.searcher()
        total = int(searcher.num_docs)
        if not total:
            return set()
        found = searcher.search(tantivy.Query.all_query(), total, count=False)
        return {searcher.doc(address).get_first("id") for _, address in found.hits}

    @_guarded
    def search(
        self, query: Query, limit: int, lookup: Callable[[str, str | None], Article | None]
    ) -> Results:
        """Run `query`: the best `limit` hits, ranked by BM25 (a headline match counts
        more), ties newest first, each with a snippet. `lookup` fetches the article for
        an id (from the store), so the index need not hold the text."""
        searcher = self._index.searcher()
        compiled = self._compile(query)
        ranked = bool(query.required)
        if ranked:
            # Over-fetch so ties at the cut-off can be broken by date fairly.
            found = searcher.search(compiled, limit + 20, count=True)
            rows = []
            for score, address in found.hits:
                stored = searcher.doc(address)
                rows.append((round(score, 5), stored.get_first("ts") or 0,
                             stored.get_first("id"), score, stored.get_first("seg")))
            rows.sort(key=lambda r: (-r[0], -r[1]))
            picked = [(r[2], r[3], r[4]) for r in rows[:limit]]
        else:
            found = searcher.search(compiled, limit, count=True, order_by_field="ts")
            picked = []
            for _, address in found.hits:
                stored = searcher.doc(address)
                picked.append((stored.get_first("id"), 0.0, stored.get_first("seg")))
        hits = []
        generators: dict[str, Any] = {}
        for article_id, score, segment in picked:
            # The segment the article was in when indexed: the store looks there first.
            article = lookup(article_id, segment)
            if article is None:
                continue  # the store lost it since; a stale index is rebuilt elsewhere
            snippet = self._snippet(searcher, compiled, article, generators)
            hits.append(Hit(article, float(score), snippet))
        return Results(query, hits, int(found.count or 0))

    def _snippet(self, searcher: Any, compiled: Any, article: Article,
                 generators: dict[str, Any]) -> Snippet:
        texts = {"body": " ".join(article.body), "caption": article.caption or ""}
        for name in ("body", "caption"):
            if not texts[name]:
                continue
            if name not in generators:
                generator = tantivy.SnippetGenerator.create(searcher, compiled, self._schema, name)
                generator.set_max_num_chars(SNIPPET_CHARS)
                generators[name] = generator
            document = tantivy.Document(**{name: index_text(texts[name])})
            snippet = generators[name].snippet_from_doc(document)
            ranges = snippet.highlighted()
            if ranges:
                return _without_separators(
                    _to_chars(snippet.fragment(), [(r.start, r.end) for r in ranges]))
        return Snippet(_lead(texts["body"]))

    # -- query building -------------------------------------------------------

    def tokens(self, text: str) -> list[str]:
        """The index's own tokens for `text`: what a word of a query must match."""
        return list(self._analyzer.analyze(index_text(text)))

    def _compile(self, query: Query) -> Any:
        Q, Occur = tantivy.Query, tantivy.Occur
        clauses = []
        for clause in query.required:
            terms = clause.terms if isinstance(clause, AnyOf) else (clause,)
            options = [q for q in (self._term(t) for t in terms) if q is not None]
            if not options:
                raise QueryError(f"{_describe(clause)!r} has no searchable words")
            clauses.append((Occur.Must, options[0] if len(options) == 1
                            else Q.boolean_query([(Occur.Should, o) for o in options])))
        for term in query.excluded:
            compiled = self._term(term)
            if compiled is not None:
                clauses.append((Occur.MustNot, compiled))
        if query.dates is not None:
            clauses.append((Occur.Must, self._dates(query.dates)))
        if not any(occur == Occur.Must for occur, _ in clauses):
            clauses.append((Occur.Must, Q.all_query()))
        return Q.boolean_query(clauses)

    def _term(self, term: Term) -> Any | None:
        Q, Occur = tantivy.Query, tantivy.Occur
        tokens = self.tokens(term.text)
        if not tokens:
            return None
        fields = (term.field,) if term.field else TEXT_FIELDS
        per_field = []
        for name in fields:
            if len(tokens) == 1:
                query = Q.term_query(self._schema, name, tokens[0])
            else:
                words: list[str | tuple[int, str]] = list(tokens)
                query = Q.phrase_query(self._schema, name, words)
            per_field.append(Q.boost_query(query, BOOSTS[name]) if BOOSTS[name] != 1.0 else query)
        if len(per_field) == 1:
            return per_field[0]
        return Q.boolean_query([(Occur.Should, q) for q in per_field])

    def _dates(self, dates: DateRange) -> Any:
        low = high = None
        if dates.first is not None:
            low = timestamp(datetime.combine(dates.first, time.min).isoformat())
        if dates.last is not None:
            high = timestamp(datetime.combine(dates.last, time.max).isoformat())
        return tantivy.Query.range_query(self._schema, "ts", tantivy.FieldType.Integer, low, high)


def open_for_reading(path: Path, store_id: str) -> SearchIndex:
    """The index at `path`, for searching. tantivy takes a lock file in the index's
    folder even to read, so an index on a read-only file system (a shared archive, a
    read-only mount) cannot be opened where it is: it is copied once per write of the
    archive into the user's cache folder, checked, and opened there, instead of being
    called damaged and rebuilt in memory by every reader. Raises IndexDamagedError (or
    OSError) as SearchIndex does when there is no usable copy either."""
    try:
        return SearchIndex(path)
    except (IndexDamagedError, OSError):
        if not (path.is_dir() and is_read_only(path)):
            raise
        copy = _local_copy(path, store_id)
        if copy is None:
            raise
        return copy


def is_read_only(folder: Path) -> bool:
    """Whether this process may not write in `folder` (a read-only mount, or another
    user's folder)."""
    return not os.access(folder, os.W_OK)


def _local_copy(path: Path, store_id: str) -> SearchIndex | None:
    from newstui.folders import cache_folder

    try:
        stamp = (path / "stamp.json").read_bytes()
    except OSError:
        return None  # never stamped: nothing to trust in it
    name = "".join(c for c in store_id if c.isalnum() or c in "-_") or "store"
    root = cache_folder() / "indexes"
    target = root / name
    try:
        if _stamp_of(target) != stamp:
            root.mkdir(parents=True, exist_ok=True)
            tmp = root / f".{name}.{os.getpid()}-{threading.get_ident()}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(path, tmp, ignore=shutil.ignore_patterns(".tantivy-*.lock"))
            damaged = _verify_folder(tmp)
            if damaged or _stamp_of(tmp) != stamp:  # changed while it was copied
                shutil.rmtree(tmp, ignore_errors=True)
                return None
            old = root / f".{name}.{os.getpid()}.old"
            with contextlib.suppress(FileNotFoundError):
                target.rename(old)  # a reader of the old copy keeps its open files
            try:
                tmp.rename(target)
            except OSError:  # another reader put its copy there first
                shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)
            if _stamp_of(target) != stamp:
                return None
        return SearchIndex(target)
    except (OSError, IndexDamagedError):
        return None


def _stamp_of(folder: Path) -> bytes | None:
    try:
        return (folder / "stamp.json").read_bytes()
    except OSError:
        return None


def _verify_folder(folder: Path) -> list[str]:
    """See SearchIndex.verify."""
    try:
        meta = orjson.loads((folder / "meta.json").read_bytes())
        segments = [s["segment_id"].replace("-", "") for s in meta.get("segments", [])]
    except FileNotFoundError:
        return []  # an empty, new index
    except (OSError, orjson.JSONDecodeError, AttributeError, KeyError, TypeError) as exc:
        return [f"meta.json unreadable: {exc}"]
    problems = []
    names = set(os.listdir(folder))
    for segment in segments:
        files = [n for n in names if n.startswith(segment + ".")
                 and not n.endswith((".del", ".json"))]
        if not files:
            problems.append(f"segment {segment} missing")
        for name in sorted(files):
            problem = _verify_file(folder / name)
            if problem:
                problems.append(f"{name}: {problem}")
    return problems


def _verify_file(path: Path) -> str | None:
    """A tantivy file ends with a JSON footer (holding the CRC-32 of what precedes it),
    the footer's length and the magic number 1337, each a little-endian u32."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if len(data) < 8:
        return "truncated"
    length, magic = struct.unpack("<II", data[-8:])
    if magic != 1337 or length > len(data) - 8:
        return "no footer (truncated or overwritten)"
    try:
        footer = orjson.loads(data[-8 - length:-8])
        crc = int(footer["crc"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return "footer unreadable"
    if zlib.crc32(memoryview(data)[:-8 - length]) != crc:
        return "checksum mismatch"
    return None


def remove_index_debris(index_path: Path) -> list[Path]:
    """Half-built indexes (`NAME.index.new-<pid>`, `.old-<pid>`) of processes that are
    gone — what a rebuild killed or failed on a full disk left behind."""
    removed = []
    prefix = index_path.name + "."
    try:
        entries = list(os.scandir(index_path.parent))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        kind, _, pid = entry.name[len(prefix):].partition("-")
        if kind not in ("new", "old") or not pid.isdigit():
            continue
        if int(pid) != os.getpid() and _process_alive(int(pid)):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return (getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
            or "no space left" in text or "os error 28" in text or "quota exceeded" in text)


def _write_error(path: Path, exc: BaseException) -> IndexWriteError:
    text = str(exc)
    code = getattr(exc, "errno", None)
    if _disk_full(exc):
        return IndexWriteError(f"{path}: cannot write the search index: no space left on the disk")
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or "Read-only" in text:
        return IndexWriteError(f"{path}: cannot write the search index: read-only")
    reason = getattr(exc, "strerror", None) or _first_line(exc)
    return IndexWriteError(f"{path}: cannot write the search index: {reason}")


def _describe(clause: Term | AnyOf) -> str:
    if isinstance(clause, AnyOf):
        return " OR ".join(t.text for t in clause.terms)
    return clause.text


def _to_chars(fragment: str, byte_ranges: list[tuple[int, int]]) -> Snippet:
    """tantivy reports UTF-8 byte offsets; Python strings count characters."""
    raw = fragment.encode("utf-8")
    ranges = tuple(
        (len(raw[:lo].decode("utf-8", "ignore")), len(raw[:hi].decode("utf-8", "ignore")))
        for lo, hi in sorted(byte_ranges)
    )
    return Snippet(fragment, ranges)


def _without_separators(snippet: Snippet) -> Snippet:
    """The snippet as the article has it: the CJK separators index_text put in are
    taken out again, and the highlights moved with the text."""
    text = snippet.text
    if CJK_SEPARATOR not in text:
        return snippet
    # removed_before[i]: separators before position i.
    removed_before = [0] * (len(text) + 1)
    count = 0
    for i, char in enumerate(text):
        removed_before[i] = count
        if char == CJK_SEPARATOR:
            count += 1
    removed_before[len(text)] = count
    merged: list[tuple[int, int]] = []
    for lo, hi in snippet.highlights:
        lo, hi = lo - removed_before[lo], hi - removed_before[hi]
        if merged and merged[-1][1] == lo:  # 日 and 本, side by side: one match, 日本
            merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return Snippet(text.replace(CJK_SEPARATOR, ""), tuple(merged))


def _lead(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > 0 else SNIPPET_CHARS] + " …"
