"""`newstui copy --from A --to B`: move an archive between a TinyDB store and a
PostgreSQL database (either way, or file to file), with this reader's reading state,
then check the copy: the same number of articles and the same content hash.

Articles are streamed in batches, so a large archive is never whole in memory; the
target keeps what it already held (an article it has already is replaced by the
copied version, as an import would).
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from newstui.article import Article
from newstui.files import expand_user
from newstui.pg import is_database_url
from newstui.store import StoreError

BATCH = 5000


def open_any(value: str, reader: str | None, create: bool) -> Any:
    """A TinyDB Archive for a path, a PgArchive for a postgresql:// URL."""
    if is_database_url(value):
        from newstui.pg.store import PgArchive

        return PgArchive.open(value, reader=reader)
    from newstui.archive import Archive

    path = expand_user(value)
    if not path.parent.is_dir():
        raise StoreError(f"{path}: no such folder {path.parent} for the store")
    if not create and not path.exists():
        raise StoreError(f"{path}: no such store")
    return Archive.open(path)


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def article_digest(article: Article) -> bytes:
    return hashlib.sha256(orjson.dumps(article.to_record(), option=orjson.OPT_SORT_KEYS)).digest()


def content_hash(digests: dict[str, bytes]) -> str:
    """One hash over every article's record, in id order."""
    total = hashlib.sha256()
    for key in sorted(digests):
        total.update(key.encode())
        total.update(digests[key])
    return total.hexdigest()


def _write(target: Any, batch: list[Article]) -> None:
    if hasattr(target, "upsert"):
        target.upsert(batch)
    else:
        target.add(batch)


def _set_states(store: Any, states: dict[str, Any]) -> None:
    if hasattr(store, "set_states"):
        store.set_states(states)
    else:
        for key, state in states.items():
            store.set_state(key, state)


def copy_archive(source: Any, target: Any) -> tuple[int, str, str, int]:
    """Copy every article and the reading state; returns (articles, source hash,
    target hash, states copied)."""
    digests: dict[str, bytes] = {}

    def tracked() -> Iterator[Article]:
        for article in source.store.articles():
            digests[article.id] = article_digest(article)
            yield article

    for batch in _batches(tracked(), BATCH):
        _write(target, batch)
    states = {k: v for k, v in source.store.states().items() if k in digests}
    if states:
        _set_states(target.store, states)
    copied: dict[str, bytes] = {}
    for article in target.store.articles():
        if article.id in digests:
            copied[article.id] = article_digest(article)
    missing = set(digests) - set(copied)
    if missing:
        raise StoreError(f"copy incomplete: {len(missing)} article(s) did not arrive")
    target_states = target.store.states()
    lost = [k for k, v in states.items() if target_states.get(k) != v]
    if lost:
        raise StoreError(f"copy incomplete: the reading state of {len(lost)} article(s) "
                         "did not arrive")
    return len(digests), content_hash(digests), content_hash(copied), len(states)


def run_copy(source_value: str, target_value: str, reader: str | None = None) -> int:
    if source_value == target_value:
        raise StoreError("--from and --to name the same archive")
    source = open_any(source_value, reader, create=False)
    target = open_any(target_value, reader, create=True)
    try:
        count, before, after, states = copy_archive(source, target)
    finally:
        for archive in (source, target):
            if hasattr(archive, "close"):
                archive.close()
    if before != after:
        print(f"newstui: copy differs from its source: content hash {before[:16]} "
              f"became {after[:16]}", file=sys.stderr)
        return 1
    print(f"copied {count:,} articles and {states:,} reading state(s) to {target.path}; "
          f"checked: {count:,} articles, content hash {after[:16]} on both sides")
    return 0
