"""HTTP, as a good citizen: httpx with connect and total timeouts, a size cap counted
on the decoded bytes (so a gzip bomb is cut off too), gzip/deflate/brotli, a User-Agent
naming newstui, redirects followed (permanent ones reported so the caller can update
the stored URL), conditional requests (ETag / Last-Modified) and Retry-After read.

Nothing here parses feeds or touches the store.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from newstui import __version__

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"newstui/{__version__} (terminal news reader; +https://pypi.org/project/newstui/)"
ACCEPT_FEED = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
               "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5")
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
PERMANENT = (301, 308)


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
    return httpx.Client(
        timeout=timeout, follow_redirects=True, max_redirects=config.max_redirects,
        headers={"User-Agent": config.user_agent},
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
    )


def fetch(client: httpx.Client, url: str, config: FetchConfig, *, etag: str | None = None,
          last_modified: str | None = None, accept: str = ACCEPT_FEED) -> Response:
    """GET `url` (conditionally, when given the validators). A response of any status
    comes back; FetchError for what never became one (timeouts, refused, too large)."""
    import httpx

    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + config.timeout
    try:
        with client.stream("GET", url, headers=headers) as response:
            body = _read_capped(response, config, deadline) if response.status_code == 200 else b""
            history = response.history
            moved = (str(response.url) if history and all(
                r.status_code in PERMANENT for r in history) else None)
            return Response(
                status=response.status_code,
                reason=response.reason_phrase or "",
                url=str(response.url),
                moved_to=moved,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
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
        raise FetchError(f"bad compressed body: {exc}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError(f"not an http or https URL: {url}") from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"bad URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(_network_reason(exc)) from None


def _read_capped(response: httpx.Response, config: FetchConfig, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > config.max_bytes:
        raise FetchError(f"too large ({int(declared) // 1024:,} KiB; the limit is "
                         f"{config.max_bytes // 1024:,} KiB), not downloaded")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > config.max_bytes:
            raise FetchError(f"too large (over {config.max_bytes // 1024:,} KiB), "
                             "download stopped")
        if time.monotonic() > deadline:
            raise FetchError(f"body not complete within {config.timeout:g} s (timed out)")
        chunks.append(chunk)
    return b"".join(chunks)


def _network_reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    if "connection refused" in lowered or "errno 111" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered \
            or "temporary failure in name resolution" in lowered:
        return "host not found (DNS)"
    return text.splitlines()[0][:200]


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After (seconds, or an HTTP date) as an aware UTC datetime; None if absent
    or unreadable. At most a week ahead: a server's typo must not silence a feed."""
    if not value:
        return None
    now = now or datetime.now(timezone.utc)
    value = value.strip()
    if value.isdigit():
        when = now + timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    return min(when, now + timedelta(days=7))
