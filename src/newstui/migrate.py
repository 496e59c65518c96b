"""What kind of store a path holds, and the one-time conversion of a single-file store
(written by releases before segments) into a manifest and segments.

The single file is converted the first time a process that may write opens it; it is
kept beside the store as `NAME.v1.json` (a hard link: no copy). A process that may not
write (a shared, read-only archive) reads it as it is.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newstui.files import atomic_write, keep_copy, write_target
from newstui.manifest import SEGMENT_ARTICLES, SEGMENT_BYTES, SEGMENTS, Manifest, Segment
from newstui.segment import ArticleFile
from newstui.store_format import (
    ARTICLES,
    META,
    SCHEMA_VERSION,
    CorruptStoreError,
    LayoutError,
    LineReader,
    StoreError,
    bump_generation,
    check_meta,
    load_tables,
)

if TYPE_CHECKING:
    from newstui.store import ArticleStore

_HINT = "; `newstui check --repair` mends it"


def classify(store: ArticleStore, writing: bool = False) -> tuple[str, Manifest | None]:
    """("manifest", the manifest) or ("legacy", None) for a single-file store. Raises
    CorruptStoreError for anything else, naming what is wrong. `writing`: also check
    what a write relies on (every segment file there, the counts, the backup)."""
    path = store.path
    try:
        lines = LineReader(path)
    except FileNotFoundError:
        if _has_segments(store):
            raise CorruptStoreError(
                f"{path}: the store's manifest is missing but {store.segments_path} holds "
                f"segments{_HINT}") from None
        return "manifest", Manifest({}, {})
    except LayoutError:
        lines = None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if lines is not None:
        meta = lines.meta.get("store", {})
        lines.close()
        check_meta(path, meta, newest=1)
        return "legacy", None
    tables = load_tables(path)
    if SEGMENTS in tables:
        manifest = Manifest.from_tables(path, tables)
        verify(store, manifest, segments=writing)
        return "manifest", manifest
    if ARTICLES in tables:
        check_meta(path, tables.get(META, {}).get("store", {}), newest=1)
        return "legacy", None
    if not tables or set(tables) == {META}:
        raise CorruptStoreError(
            f"{path}: the store has lost its metadata (an emptied or replaced file); "
            f"left untouched{_HINT}")
    raise CorruptStoreError(
        f"{path}: a TinyDB file, but not a newstui store (no 'articles' or 'segments' "
        "table); left untouched")


def verify(store: ArticleStore, manifest: Manifest, segments: bool = True) -> None:
    """What a write relies on: every segment file there, the live count the last write
    recorded, a manifest not older than its own backup. A store that fails is damaged:
    no write replaces its backup."""
    from newstui.store import open_segment

    for segment in manifest.segments.values() if segments else ():
        # Opened and checked against the manifest (cheap: the layout's head and tail).
        # A write over a damaged segment would make the backup that still names its
        # previous copy the next one to go.
        open_segment(store, segment, manifest).close()
    recorded = manifest.meta.get("live")
    if isinstance(recorded, int) and recorded != manifest.live:
        raise CorruptStoreError(
            f"{store.path}: the manifest lists {manifest.live} articles but its last write "
            f"left {recorded}: it has lost segments{_HINT}")
    backup = read_manifest(store.backup_path)
    if backup is not None and backup.generation > manifest.generation:
        raise CorruptStoreError(
            f"{store.path}: the manifest is older than its own backup (write "
            f"{manifest.generation}, backup {backup.generation}){_HINT}")


def read_manifest(path: Path) -> Manifest | None:
    """A manifest file if it is one and whole (a backup, say), else None. Never parses
    a big file: a manifest is small, a single-file store is not."""
    try:
        info = path.stat()
        if info.st_size > 64 << 20 or not stat.S_ISREG(info.st_mode):
            return None  # a FIFO where the backup was would hang the read below
        with open(path, "rb") as handle:
            if b'"summaries":{"rows"' in handle.read(1 << 16):
                return None
        tables = load_tables(path, missing_ok=False)
        if SEGMENTS not in tables:
            return None
        return Manifest.from_tables(path, tables)
    except (OSError, StoreError, ValueError, AttributeError):
        return None


def _has_segments(store: ArticleStore) -> bool:
    with contextlib.suppress(OSError):
        return any(name.endswith(".json") for name in os.listdir(store.segments_path))
    return False


def legacy_manifest(store: ArticleStore) -> Manifest:
    """A single-file store read as it is: one segment, the file itself."""
    from newstui.store import LEGACY

    meta = ArticleFile(store.path).meta
    return Manifest(dict(meta), {LEGACY: Segment(LEGACY, "", 0, set())})


def convert(store: ArticleStore) -> Manifest:
    """Turn the single-file store at `store.path` into segments and a manifest. The
    caller holds the writers' lock. The old file stays as `NAME.v1.json`."""
    from newstui.store import _write_segment

    path = store.path
    old = ArticleFile(path, must_exist=True)
    meta = check_meta(path, old.meta, newest=1)
    count = old.count()
    _refuse_if_much_smaller_than_backup(store, count)
    manifest = Manifest(dict(meta), {})
    manifest.meta = bump_generation(meta, SCHEMA_VERSION)
    generation = manifest.generation
    store.segments_path.mkdir(exist_ok=True)
    batch: dict[str, dict[str, Any]] = {}
    size = 0
    for record in old.records():
        key = record.get("id")
        if not isinstance(key, str) or not key:
            raise CorruptStoreError(f"{path}: a stored record has no id{_HINT}")
        batch[key] = record
        size += len(record.get("body") or ()) * 200 + 300
        if len(batch) >= SEGMENT_ARTICLES or size >= SEGMENT_BYTES:
            _write_segment(store, manifest, manifest.next_name(), batch, generation)
            batch, size = {}, 0
    if batch:
        _write_segment(store, manifest, manifest.next_name(), batch, generation)
    old.close()
    manifest.meta["live"] = manifest.live
    manifest.meta["removed"] = 0
    manifest.meta["converted_from"] = store.legacy_path.name
    keep = store.legacy_path
    if keep.exists():
        keep = keep.with_name(f"{store.legacy_path.stem}.{os.getpid()}.json")
    # The old file lives on under its new name: a hard link of the file itself (not of
    # a symbolic link to it, which would end up naming the manifest), a copy where
    # the file system has no hard links (a FAT stick, some sync mounts).
    keep_copy(write_target(path), keep)
    atomic_write(path, manifest.encode())
    return manifest


def _refuse_if_much_smaller_than_backup(store: ArticleStore, count: int) -> None:
    """A single file that holds far fewer articles than its own backup lost them (a
    sync tool, a bad copy): converting it would make that loss the new truth."""
    backup = store.backup_path
    try:
        bak = ArticleFile(backup, must_exist=True)
        had = bak.count()
        bak.close()
    except (StoreError, OSError):
        return
    if had > 2 * count + 10:
        raise CorruptStoreError(
            f"{store.path}: holds {count} articles but its backup {backup} holds {had}: "
            f"it has lost most of them; left untouched{_HINT}")
