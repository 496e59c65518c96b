"""A fetch run: the chosen subscriptions fetched in parallel (one request at a time per
host), parsed, their articles put into the archive in one write (new ones added,
changed ones replaced with their reading state kept), and each feed's state saved.

Used by `newstui fetch` and by the reader's background fetch; no Textual here.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from newstui.article import Article
from newstui.feeds.fetching import ACCEPT_PAGE, FetchConfig, FetchError, fetch, make_client
from newstui.feeds.parsing import FeedError, parse_feed
from newstui.feeds.subscriptions import (
    Subscription,
    SubscriptionError,
    SubscriptionList,
    check_url,
)

if TYPE_CHECKING:
    import httpx

    from newstui.archive import Archive

#: Called as each feed finishes: (feeds done, feeds in all, the feed's label).
FetchProgress = Callable[[int, int, str], None]

FETCHED, NOT_MODIFIED, FAILED, DEFERRED, GONE = (
    "fetched", "not modified", "failed", "deferred", "gone")
BACKOFF_START = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
MAX_FULL_TEXT_PAGES = 50  # per feed and run: a new feed of 500 items is not 500 requests
#: Articles written to the archive at once during a run. Every write rewrites the store
#: and the peak memory only grows with more writes (measured: 100 feeds x 50 items, one
#: write 136 MB, five writes 192 MB), so a run writes once unless it is huge.
STORE_BATCH = 20_000


@dataclass
class FeedResult:
    """What happened to one feed in a run."""

    sub: Subscription
    outcome: str
    reason: str | None = None
    articles: list[Article] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    downloaded: int = 0
    new: int = 0
    updated: int = 0
    #: The ETag and Last-Modified the feed had before this fetch (put back when its
    #: articles could not be stored, so the next fetch is not answered with a 304).
    validators: tuple[str | None, str | None] = (None, None)


@dataclass
class FetchReport:
    """A run's results, for the summary, `--json` and the exit status."""

    results: list[FeedResult] = field(default_factory=list)
    added: list[str] = field(default_factory=list)     # article ids
    updated: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.results)

    @property
    def ok(self) -> bool:
        return not self.count(FAILED)

    @property
    def downloaded(self) -> int:
        return sum(r.downloaded for r in self.results)

    def summary(self) -> str:
        text = (f"fetched {self.count(FETCHED)} feed(s): {len(self.added)} new, "
                f"{len(self.updated)} updated article(s); "
                f"{self.count(NOT_MODIFIED)} not modified, {self.count(FAILED)} failed")
        if self.count(DEFERRED):
            text += f", {self.count(DEFERRED)} deferred"
        if self.count(GONE):
            text += f", {self.count(GONE)} gone (no longer fetched)"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "fetched": self.count(FETCHED), "not_modified": self.count(NOT_MODIFIED),
            "failed": self.count(FAILED), "deferred": self.count(DEFERRED),
            "gone": self.count(GONE), "new": len(self.added), "updated": len(self.updated),
            "downloaded_bytes": self.downloaded,
            "feeds": [{"url": r.sub.url, "name": r.sub.label, "outcome": r.outcome,
                       "reason": r.reason, "new": r.new, "updated": r.updated,
                       "warnings": r.warnings} for r in self.results],
        }


def fetch_feeds(archive: Archive, subscriptions: SubscriptionList,
                keys: Iterable[str] = (), jobs: int = 4, config: FetchConfig | None = None,
                progress: FetchProgress | None = None, now: datetime | None = None
                ) -> FetchReport:
    """Fetch the subscriptions named by `keys` (URL, name or title; all when empty).
    Raises SubscriptionError for a key that names no feed."""
    config = config or FetchConfig()
    now = now or datetime.now(timezone.utc)
    keys = list(keys)
    named = bool(keys)
    chosen = subscriptions.select(keys)
    report = FetchReport()
    to_fetch: list[Subscription] = []
    for sub in chosen:
        waiting = sub.waiting_until(now)
        if sub.gone:
            report.results.append(FeedResult(sub, GONE, "410 Gone earlier; not fetched"))
        elif waiting is not None and (sub.last_error or "").startswith(("429", "503")):
            report.results.append(FeedResult(
                sub, DEFERRED, f"the server asked to wait until {_clock(waiting)}"))
        elif waiting is not None and not named:
            report.results.append(FeedResult(
                sub, DEFERRED, f"{sub.failures} failures in a row; next try after "
                f"{_clock(waiting)} (name it to fetch it now)"))
        else:
            to_fetch.append(sub)
    known: set[str] = set(archive.store.summary_ids()) if any(
        s.full_text for s in to_fetch) else set()
    # Articles go into the archive once, after the last feed (in batches only for a run
    # of tens of thousands of items, to bound what is held).
    batch: list[FeedResult] = []
    for result in _fetch_all(to_fetch, jobs, config, known, progress):
        report.results.append(result)
        batch.append(result)
        if sum(len(r.articles) for r in batch) >= STORE_BATCH:
            _store(archive, report, batch)
            batch = []
    _store(archive, report, batch)
    _remember(subscriptions, report, now)
    order = {s.feed_id: n for n, s in enumerate(chosen)}
    report.results.sort(key=lambda r: order.get(r.sub.feed_id, 0))
    return report


def _fetch_all(subs: list[Subscription], jobs: int, config: FetchConfig, known: set[str],
               progress: FetchProgress | None) -> Iterator[FeedResult]:
    """Each host's feeds one after another; hosts in parallel, `jobs` at a time. Yields
    each feed's result as it arrives (on the caller's thread)."""
    by_host: dict[str, list[Subscription]] = {}
    for sub in subs:
        by_host.setdefault(sub.host, []).append(sub)
    if not subs:
        return
    arrived: queue.Queue[FeedResult | BaseException] = queue.Queue()

    def run_host(feeds: list[Subscription]) -> None:
        for sub in feeds:
            try:
                arrived.put(fetch_one(client, sub, config, known))
            except Exception as exc:  # one feed's failure, not the run's
                # fetch_one turns every failure it knows into a result; anything else
                # (a bug, a server input nobody thought of) fails this feed only.
                arrived.put(FeedResult(sub, FAILED, unexpected(exc)))
            except BaseException as exc:  # an interrupt: re-raised on the caller's thread
                arrived.put(exc)
                return

    client = make_client(config)
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(by_host)))) as pool:
            for feeds in by_host.values():
                pool.submit(run_host, feeds)
            for done in range(1, len(subs) + 1):
                result = arrived.get()
                if isinstance(result, BaseException):
                    raise result
                if progress is not None:
                    progress(done, len(subs), result.sub.label)
                yield result
    finally:
        client.close()


def unexpected(exc: BaseException) -> str:
    """The failure line for an exception nothing expected (kept short and clean: its
    text may hold what a server sent)."""
    from newstui.feeds.fetching import server_text

    text = server_text(str(exc))
    return f"unexpected error ({type(exc).__name__}{': ' + text if text else ''})"


def fetch_one(client: httpx.Client, sub: Subscription, config: FetchConfig,
              known: set[str] | frozenset[str] = frozenset()) -> FeedResult:
    """Fetch and parse one feed; every failure becomes a FeedResult, never raised."""
    try:
        return _fetch_one(client, sub, config, known)
    except FetchError as exc:
        return FeedResult(sub, FAILED, str(exc))
    except FeedError as exc:
        return FeedResult(sub, FAILED, str(exc))
    except Exception as exc:  # one feed's failure, never the run's
        return FeedResult(sub, FAILED, unexpected(exc))


def _fetch_one(client: httpx.Client, sub: Subscription, config: FetchConfig,
               known: set[str] | frozenset[str]) -> FeedResult:
    sub = replace(sub, folders=list(sub.folders), retry_after=None)
    try:
        response = fetch(client, sub.url, config, etag=sub.etag,
                         last_modified=sub.last_modified)
    except FetchError as exc:
        return FeedResult(sub, FAILED, str(exc))
    result = FeedResult(sub, FAILED, downloaded=response.downloaded,
                        validators=(sub.etag, sub.last_modified))
    status = f"{response.status} {response.reason}".strip()
    if response.moved_to and response.moved_to != sub.url:
        try:
            sub.url = check_url(response.moved_to)
            result.warnings.append(f"moved permanently to {sub.url}")
        except SubscriptionError as exc:  # kept under its old address
            result.warnings.append(f"moved permanently, but not to a usable URL ({exc})")
    if response.status == 304:
        result.outcome = NOT_MODIFIED
        sub.etag = response.etag or sub.etag
        sub.last_modified = response.last_modified or sub.last_modified
        return result
    if response.status == 410:
        sub.gone = True
        result.reason = f"{status}: the feed is gone and will not be fetched again"
        return result
    if response.status in (429, 503):
        sub.retry_after = response.retry_after.isoformat() if response.retry_after else None
        wait = f"; will not ask again before {_clock(response.retry_after)}" \
            if response.retry_after else ""
        result.reason = f"{status}{wait}"
        return result
    if response.status != 200:
        result.reason = status
        return result
    try:
        # Relative links resolve against the feed's first URL, not where a redirect
        # led: a guid that is a relative permalink must not change with the address.
        parsed = parse_feed(response.body, sub.feed_id, response.content_type,
                            limit=config.max_bytes)
    except FeedError as exc:
        result.reason = str(exc)
        return result
    result.outcome = FETCHED
    result.warnings.extend(parsed.warnings)
    sub.title = parsed.title or sub.title
    sub.etag, sub.last_modified = response.etag, response.last_modified
    articles = parsed.articles
    if sub.full_text:
        # Pages are read once, for items not seen before; a known item keeps the text
        # it was stored with (the feed's shorter text would otherwise replace it).
        articles = [a for a in articles if a.id not in known]
        articles = _with_full_text(client, articles, config, result.warnings)
    result.articles = articles
    return result


def _with_full_text(client: httpx.Client, articles: list[Article], config: FetchConfig,
                    warnings: list[str]) -> list[Article]:
    from newstui.feeds.fulltext import extract_article

    out: list[Article] = []
    failed = 0
    for position, article in enumerate(articles):
        if not article.url or position >= MAX_FULL_TEXT_PAGES:
            out.append(article)
            continue
        try:
            page = fetch(client, article.url, config, accept=ACCEPT_PAGE)
            if page.status != 200:
                raise FetchError(f"{page.status} {page.reason}")
            full = extract_article(page.body, article.url, feed=article.feed,
                                   guid=article.guid, headline=article.headline,
                                   published=article.published, updated=article.updated,
                                   author=article.author)
            out.append(replace(full, caption=full.caption or article.caption,
                               credit=article.credit, id=""))
        except Exception:  # this page's failure (any): the feed's own text is kept
            failed += 1
            out.append(article)
    if failed:
        warnings.append(f"full text not found for {failed} item(s); kept the feed's text")
    return out


def _store(archive: Archive, report: FetchReport, batch: list[FeedResult]) -> None:
    articles = [a for r in batch for a in r.articles]
    if not articles:
        return
    try:
        added, updated = store_articles(archive, articles)
    except Exception:  # find the feed(s) at fault: store each alone
        for result in batch:
            if result.articles:
                _store_one(archive, report, result)
        return
    _count(report, batch, added, updated)


def _store_one(archive: Archive, report: FetchReport, result: FeedResult) -> None:
    try:
        added, updated = store_articles(archive, result.articles)
    except Exception as exc:  # this feed's failure, not the run's
        from newstui.store import StoreError

        why = str(exc) if isinstance(exc, StoreError) else unexpected(exc)
        result.outcome = FAILED
        result.reason = f"articles not stored: {why}"
        # Not remembered as fetched: the next run asks for the whole feed again.
        result.sub.etag, result.sub.last_modified = result.validators
        result.articles = []
        return
    _count(report, [result], added, updated)


def _count(report: FetchReport, batch: list[FeedResult], added: list[str],
           updated: list[str]) -> None:
    report.added.extend(added)
    report.updated.extend(updated)
    owner = {a.id: r for r in batch for a in r.articles}
    for article_id in added:
        if article_id in owner:
            owner[article_id].new += 1
    for article_id in updated:
        if article_id in owner:
            owner[article_id].updated += 1
    for result in batch:
        result.articles = []  # stored: the report keeps the counts, not the text


def store_articles(archive: Archive, articles: list[Article]) -> tuple[list[str], list[str]]:
    """Put articles into the archive in one write: (ids added, ids updated). An
    article already stored with other text is replaced, its reading state kept."""
    result = archive.upsert(articles)
    return [a.id for a in result.added], [a.id for a in result.updated]


def _remember(subscriptions: SubscriptionList, report: FetchReport, now: datetime) -> None:
    stamp = now.replace(microsecond=0).isoformat()
    fetched = [r for r in report.results if r.outcome in (FETCHED, NOT_MODIFIED, FAILED)]
    if not fetched:
        return
    for r in fetched:
        sub = r.sub
        sub.last_fetched = stamp
        if r.outcome == FAILED:
            sub.failures += 1
            sub.last_error = r.reason
            sub.last_status = "failed"
            if not sub.gone and not sub.retry_after and sub.failures > 1:
                wait = min(BACKOFF_START * 2 ** (sub.failures - 2), BACKOFF_MAX)
                sub.retry_after = (now + wait).replace(microsecond=0).isoformat()
        else:
            sub.failures, sub.last_error, sub.retry_after = 0, None, None
            sub.last_status = (f"{r.new} new, {r.updated} updated" if r.outcome == FETCHED
                               else NOT_MODIFIED)
    with subscriptions.changing():
        for r in fetched:
            subscriptions.replace(r.sub)


def _clock(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
