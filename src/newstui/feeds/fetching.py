"""HTTP, as a good citizen: httpx with connect and total timeouts, a size cap counted
on the decoded bytes (so a gzip bomb is cut off too), gzip/deflate/brotli, a User-Agent
naming newstui, redirects followed (permanent ones reported so the caller can update
the stored URL), conditional requests (ETag / Last-Modified) and Retry-After read.

Nothing here parses feeds or touches the store.
"""

from __future__ import annotations

import email.utils
import re
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from newstui import __version__

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"newstui/{__version__} (terminal news reader; +https://pypi.org/project/newstui/)"
ACCEPT_FEED = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PERMANENT = (301, 308)
#: The longest a server may ask us to wait (Retry-After): a typo must not silence a feed.
MAX_RETRY_AFTER = timedelta(days=7)
#: Server-controlled text kept for messages (a reason phrase, an error) is cut to this.
MAX_REASON = 200
#: Validators (ETag, Last-Modified) longer than this, or not printable ASCII, are not
#: kept: they are sent back on every request, and httpx cannot send non-ASCII.
MAX_VALIDATOR = 1024
_ASCII_DIGITS = re.compile(r"[0-9]+")


class FetchError(Exception):
    """A request that failed before a usable response (the message says why)."""


@dataclass(frozen=True)
class FetchConfig:
    """Limits for one run. Tests shorten the timeouts."""

    timeout: float = 30.0              # the whole request, body included
    connect_timeout: float = 10.0
    max_bytes: int = 8 * 1024 * 1024   # decoded body
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass
class Response:
    """What a fetch brought back."""

    status: int
    reason: str
    url: str                        # where the body came from, after redirects
    moved_to: str | None            # the new URL when every redirect was permanent
    etag: str | None
    last_modified: str | None
    content_type: str | None
    retry_after: datetime | None
    body: bytes
    downloaded: int                 # bytes on the wire (compressed), body only


def make_client(config: FetchConfig) -> httpx.Client:
    """One client for a whole run: its connection pool is shared (and thread-safe),
    so a feed's host keeps its connection and TLS is set up once."""
    import httpx

    timeout = httpx.Timeout(config.timeout, connect=min(config.connect_timeout, config.timeout))
    client = httpx.Client(
        timeout=timeout, follow_redirects=True, max_redirects=config.max_redirects,
        headers={"User-Agent": config.user_agent},
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )
    _obey_deadlines(client)
    return client


def fetch(client: httpx.Client, url: str, config: FetchConfig, *, etag: str | None = None,
          last_modified: str | None = None, accept: str = ACCEPT_FEED) -> Response:
    """GET `url` (conditionally, when given the validators). A response of any status
    comes back; FetchError for what never became one (timeouts, refused, too large)."""
    import httpx

    # Only the encodings we decode ourselves, bounded (see _read_capped).
    headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    if etag and validator(etag):
        headers["If-None-Match"] = etag
    if last_modified and validator(last_modified):
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + config.timeout
    _request.deadline = deadline  # every socket operation of this request obeys it
    try:
        with client.stream("GET", url, headers=headers) as response:
            body = _read_capped(response, config, deadline) if response.status_code == 200 else b""
            history = response.history
            moved = (str(response.url) if history and all(
                r.status_code in PERMANENT for r in history) else None)
            return Response(
                status=response.status_code,
                reason=server_text(response.reason_phrase or ""),
                url=str(response.url),
                moved_to=moved,
                etag=validator(response.headers.get("ETag")),
                last_modified=validator(response.headers.get("Last-Modified")),
                content_type=response.headers.get("Content-Type"),
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                body=body,
                downloaded=response.num_bytes_downloaded,
            )
    except httpx.TooManyRedirects:
        raise FetchError(f"more than {config.max_redirects} redirects") from None
    except httpx.ConnectTimeout:
        raise FetchError(f"no connection within {config.connect_timeout:g} s") from None
    except httpx.TimeoutException:
        raise FetchError(f"no answer within {config.timeout:g} s (timed out)") from None
    except httpx.DecodingError as exc:
        raise FetchError(f"bad compressed body: {server_text(str(exc))}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"not an http or https URL: {server_text(url)}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"bad URL: {server_text(str(exc))}") from None
    except httpx.HTTPError as exc:
        raise FetchError(_network_reason(exc)) from None
    except (UnicodeError, ValueError) as exc:
        # httpx refusing a header value or a URL it cannot encode (a redirect's
        # Location, a stored validator): this feed's failure, not the run's.
        raise FetchError(f"bad request or response: {server_text(str(exc))}") from None
    finally:
        _request.deadline = None


# -- one deadline for the whole request --------------------------------------------------
# httpx's timeouts are per operation: a server that sends a header line every few
# seconds (or a byte of the body) never trips them, and h11 waits for 16 KiB of
# headers. Every socket operation of a fetch is therefore given at most what is left of
# the request's own deadline (set per thread by `fetch`, so a pooled connection serves
# whichever feed's request is using it).
_request = threading.local()


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    deadline: float | None = getattr(_request, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


def _deadline_backend() -> Any:
    """An httpcore network backend whose streams obey the request's deadline."""
    import httpcore

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self.inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> httpcore.NetworkStream:
            return Stream(self.inner.start_tls(ssl_context, server_hostname,
                                               _left(timeout, httpcore.ConnectTimeout)))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self.inner = httpcore.SyncBackend()

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None,
                        socket_options: Any = None) -> httpcore.NetworkStream:
            return Stream(self.inner.connect_tcp(
                host, port, _left(timeout, httpcore.ConnectTimeout), local_address,
                socket_options))

        def connect_unix_socket(self, path: str, timeout: float | None = None,
                                socket_options: Any = None) -> httpcore.NetworkStream:
            return Stream(self.inner.connect_unix_socket(
                path, _left(timeout, httpcore.ConnectTimeout), socket_options))

        def sleep(self, seconds: float) -> None:
            self.inner.sleep(seconds)

    return Backend()


def _obey_deadlines(client: httpx.Client) -> bool:
    """Give every connection pool of `client` the deadline backend. httpx has no option
    for it: its transports' pools are httpcore ConnectionPools, whose backend is set
    here. False if this httpx is built otherwise (tests/feeds catches that)."""
    transports = [getattr(client, "_transport", None),
                  *getattr(client, "_mounts", {}).values()]
    done = False
    backend = _deadline_backend()
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is not None and hasattr(pool, "_network_backend"):
            pool._network_backend = backend
            done = True
    return done


def _read_capped(response: httpx.Response, config: FetchConfig, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if _ASCII_DIGITS.fullmatch(declared) and int(declared) > config.max_bytes:
        raise FetchError(f"too large ({int(declared) // 1024:,} KiB; the limit is "
                         f"{config.max_bytes // 1024:,} KiB), not downloaded")
    # The body is decoded here, never by httpx: its decoders return all a chunk expands
    # to at once (64 KiB of brotli can hold gigabytes), ours stop at the cap.
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), config.max_bytes)
    chunks: list[bytes] = []
    size = 0
    for raw in response.iter_raw():
        for chunk in decoder.feed(raw):
            size += len(chunk)
            if size > config.max_bytes:
                raise FetchError(f"too large (over {config.max_bytes // 1024:,} KiB), "
                                 "download stopped")
            chunks.append(chunk)
        if time.monotonic() > deadline:
            raise FetchError(f"body not complete within {config.timeout:g} s (timed out)")
    for chunk in decoder.finish():
        size += len(chunk)
        if size > config.max_bytes:
            raise FetchError(f"too large (over {config.max_bytes // 1024:,} KiB), "
                             "download stopped")
        chunks.append(chunk)
    return b"".join(chunks)


def _brotli() -> object | None:
    try:
        import brotli  # type: ignore[import-untyped]
    except ImportError:  # an optional extra of httpx: then we do not ask for br
        return None
    return brotli


ACCEPT_ENCODING = "gzip, deflate, br" if _brotli() is not None else "gzip, deflate"


class _Decoder:
    """A Content-Encoding chain (`gzip`, `deflate`, `br`, or several) decoded a piece
    at a time, each step producing at most `limit` + 1 bytes per call, so memory stays
    bounded whatever the ratio. FetchError for an encoding we did not ask for or bytes
    that do not decode."""

    def __init__(self, header: str, limit: int) -> None:
        self.room = limit + 1
        self.steps: list[_Step] = []
        # Applied in the order listed; decoded in the reverse order.
        for name in reversed([n.strip().lower() for n in header.split(",") if n.strip()]):
            if name == "identity":
                continue
            if name in ("gzip", "x-gzip"):
                self.steps.append(_ZlibStep(zlib.MAX_WBITS | 16, name))
            elif name == "deflate":
                self.steps.append(_ZlibStep(zlib.MAX_WBITS, name, raw_fallback=True))
            elif name == "br" and _brotli() is not None:
                self.steps.append(_BrotliStep())
            else:
                raise FetchError(f"unsupported content encoding: {server_text(name)[:40]}")

    def feed(self, data: bytes) -> list[bytes]:
        pieces = [data]
        for step in self.steps:
            pieces = [out for piece in pieces for out in step.feed(piece, self.room)]
        return [p for p in pieces if p]

    def finish(self) -> list[bytes]:
        pieces: list[bytes] = []
        for step in self.steps:
            pieces = [out for piece in pieces for out in step.feed(piece, self.room)]
            pieces.extend(step.finish(self.room))
        return [p for p in pieces if p]


class _Step:
    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        raise NotImplementedError

    def finish(self, room: int) -> Iterator[bytes]:
        return iter(())


class _ZlibStep(_Step):
    def __init__(self, wbits: int, name: str, raw_fallback: bool = False) -> None:
        self.name = name
        self.inflater = zlib.decompressobj(wbits)
        self.raw_fallback = raw_fallback  # "deflate" is sent raw by some servers
        self.started = False
        self.total = 0

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        if not data:
            return
        try:
            if not self.started and self.raw_fallback:
                try:
                    first = self.inflater.decompress(data, room)
                except zlib.error:
                    self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    first = self.inflater.decompress(data, room)
            else:
                first = self.inflater.decompress(data, room)
            self.started = True
            yield from self._counted(first, room)
            while self.inflater.unconsumed_tail:
                yield from self._counted(
                    self.inflater.decompress(self.inflater.unconsumed_tail, room), room)
        except zlib.error as exc:
            raise FetchError(f"bad compressed body ({self.name}: {exc})") from None

    def _counted(self, out: bytes, room: int) -> Iterator[bytes]:
        self.total += len(out)
        if self.total >= room:  # more than the cap: the caller stops at it
            yield out
            raise FetchError(f"too large (over {(room - 1) // 1024:,} KiB once "
                             "decompressed), download stopped")
        yield out

    def finish(self, room: int) -> Iterator[bytes]:
        try:
            yield from self._counted(self.inflater.flush(), room)
        except zlib.error as exc:
            raise FetchError(f"bad compressed body ({self.name}: {exc})") from None


class _BrotliStep(_Step):
    def __init__(self) -> None:
        brotli: Any = _brotli()
        self.brotli = brotli
        self.inflater = brotli.Decompressor()
        self.total = 0

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        if not data:
            return
        try:
            out = self.inflater.process(data, output_buffer_limit=room)
            while True:
                self.total += len(out)
                yield out
                if self.total >= room:
                    raise FetchError(f"too large (over {(room - 1) // 1024:,} KiB once "
                                     "decompressed), download stopped")
                if self.inflater.can_accept_more_data():
                    return
                out = self.inflater.process(b"", output_buffer_limit=room)
        except self.brotli.error as exc:
            raise FetchError(f"bad compressed body (br: {exc})") from None


def server_text(text: str) -> str:
    """Text a server chose (a reason phrase, an error naming its bytes, a URL) as it may
    be kept and shown: one line, no escape or control characters, at most MAX_REASON
    characters. Every output neutralises it again; this keeps the stored copy clean."""
    from newstui.textclean import clean_line

    return clean_line(text[:4 * MAX_REASON], markup=False)[:MAX_REASON]


def validator(value: str | None) -> str | None:
    """An ETag or Last-Modified worth keeping and sending back: printable ASCII, short."""
    if not value or len(value) > MAX_VALIDATOR or not value.isascii() \
            or not value.isprintable():
        return None
    return value


def _network_reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "connection refused" in lowered or "errno 111" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered \
            or "temporary failure in name resolution" in lowered:
        return "host not found (DNS)"
    return server_text(text.splitlines()[0] if text.strip() else type(exc).__name__)


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After (seconds, or an HTTP date) as an aware UTC datetime; None if absent
    or unreadable. At most a week ahead: a server's typo must not silence a feed."""
    if not value or len(value) > 100:
        return None
    now = now or datetime.now(timezone.utc)
    value = value.strip()
    if _ASCII_DIGITS.fullmatch(value):  # not str.isdigit: "²" is a digit to it
        # Capped before it becomes a timedelta: 10**20 seconds overflows one.
        seconds = min(int(value) if len(value) <= 12 else 10**12,
                      int(MAX_RETRY_AFTER.total_seconds()))
        return now + timedelta(seconds=seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return min(when, now + MAX_RETRY_AFTER)
    except (TypeError, OverflowError):
        return None
