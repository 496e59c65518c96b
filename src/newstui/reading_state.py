"""The reading-state file: what a reader has done with the articles (read, starred,
position), their preferences and search history.

`NAME.state.json` beside the store, a small TinyDB JSON file of its own (tables
`state`, `settings`, `history`) because starring an article must not rewrite the
archive. A reader can keep its own (`--state`, one per SSH session). Every change is
read-modify-write under its own lock, replaced atomically: two readers of one archive
never overwrite each other's newer changes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from newstui.article import ReadingState
from newstui.files import FileWriteError, LockTimeoutError, ReadOnlyError, WriteLock, atomic_write
from newstui.store_format import (
    HISTORY,
    SETTINGS,
    STATE,
    CorruptStoreError,
    ReadOnlyStoreError,
    StoreError,
    StoreLockedError,
    load_tables,
    read_regular,
)

_HINT = "; `newstui check --repair` mends it"
Tables = dict[str, dict[str, Any]]


def load_state_tables(path: Path) -> Tables:
    """The state file's tables, checked entry by entry; a damaged file is one clear
    CorruptStoreError (never an archive that will not open for an unexplained reason)."""
    try:
        tables = load_tables(path)
    except CorruptStoreError as exc:
        raise CorruptStoreError(f"reading state {str(exc).removesuffix('; left untouched')}"
                                f"{_HINT}") from None
    problem = state_problem(tables)
    if problem:
        raise CorruptStoreError(f"reading state {path}: {problem}{_HINT}")
    return tables


def state_problem(tables: Tables) -> str | None:
    """What is wrong with parsed state tables, or None."""
    for key, record in tables.get(STATE, {}).items():
        try:
            ReadingState.from_record(record)
        except (TypeError, ValueError):
            return f"the entry for {key!r} is damaged"
    history = tables.get(HISTORY, {}).get("queries", {})
    if not isinstance(history.get("items", []), list):
        return "the search history is damaged"
    return None


class StateFile:
    """One reading-state file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name.removesuffix(".json") + ".lock")
        self._tables: Tables | None = None

    def tables(self) -> Tables:
        if self._tables is None:
            self._tables = load_state_tables(self.path)
        return self._tables

    def forget(self) -> None:
        """Read the file again at next use (another reader may have saved)."""
        self._tables = None

    # -- reading ------------------------------------------------------------------

    def state(self, article_id: str) -> ReadingState:
        record = self.tables().get(STATE, {}).get(article_id)
        return ReadingState() if record is None else ReadingState.from_record(record)

    def states(self) -> dict[str, ReadingState]:
        return {key: ReadingState.from_record(value)
                for key, value in self.tables().get(STATE, {}).items()}

    def setting(self, name: str, default: Any = None) -> Any:
        record = self.tables().get(SETTINGS, {}).get(name)
        return default if record is None else record.get("value", default)

    def search_history(self) -> list[str]:
        """Earlier queries, oldest first."""
        record = self.tables().get(HISTORY, {}).get("queries") or {}
        return [q for q in record.get("items", []) if isinstance(q, str)]

    # -- writing ------------------------------------------------------------------

    def set_state(self, article_id: str, state: ReadingState) -> None:
        def change(tables: Tables) -> None:
            table = tables.setdefault(STATE, {})
            if state == ReadingState():
                table.pop(article_id, None)  # nothing worth keeping
            else:
                table[article_id] = state.to_record()

        self.change(change)

    def set_setting(self, name: str, value: Any) -> None:
        self.change(lambda tables: tables.setdefault(SETTINGS, {}).__setitem__(
            name, {"value": value}))

    def remember_search(self, query: str, keep: int = 100) -> None:
        def change(tables: Tables) -> None:
            table = tables.setdefault(HISTORY, {})
            record = table.get("queries") or {}
            items = [q for q in record.get("items", []) if isinstance(q, str) and q != query]
            items.append(query)
            table["queries"] = {"items": items[-keep:]}

        self.change(change)

    def drop(self, article_ids: Iterable[str]) -> int:
        """Forget the reading state of articles that left the archive."""
        gone = set(article_ids)
        if not self.path.exists() or not gone:
            return 0
        dropped = 0

        def change(tables: Tables) -> None:
            nonlocal dropped
            table = tables.get(STATE, {})
            for key in gone & table.keys():
                del table[key]
                dropped += 1

        self.change(change, only_if=lambda tables: bool(gone & tables.get(STATE, {}).keys()))
        return dropped

    def rename(self, moves: dict[str, str]) -> None:
        """Move reading state from old article ids to new ones (a repair re-ids an
        article whose id no longer matched its content)."""
        if not self.path.exists() or not moves:
            return

        def change(tables: Tables) -> None:
            table = tables.get(STATE, {})
            for old, new in moves.items():
                if old in table:
                    table.setdefault(new, table.pop(old))

        self.change(change,
                    only_if=lambda tables: bool(moves.keys() & tables.get(STATE, {}).keys()))

    def change(self, change: Callable[[Tables], None],
               only_if: Callable[[Tables], bool] | None = None) -> None:
        """Re-read under the lock (another reader may have saved since), change, write."""
        try:
            with WriteLock(self.lock_path, timeout=10):
                tables = load_state_tables(self.path)
                if only_if is not None and not only_if(tables):
                    self._tables = tables
                    return
                change(tables)
                atomic_write(self.path, orjson.dumps(tables), backup=True)
                self._tables = tables
        except ReadOnlyError as exc:
            raise ReadOnlyStoreError(str(exc)) from None
        except LockTimeoutError as exc:
            raise StoreLockedError(str(exc)) from None
        except FileWriteError as exc:
            raise StoreError(str(exc)) from None

    # -- check and repair -------------------------------------------------------------

    def check(self) -> str | None:
        """What is wrong with the file, or None (a missing file is an empty state)."""
        try:
            load_state_tables(self.path)
        except CorruptStoreError as exc:
            return str(exc).removesuffix(_HINT)
        except StoreError as exc:
            return str(exc)
        return None

    def repair(self) -> list[str]:
        """Mend a damaged file: keep it aside, start from its backup when that is whole,
        add every entry that can still be read from the damaged one. Returns what was
        done."""
        done: list[str] = []
        with WriteLock(self.lock_path, timeout=10):
            try:
                load_state_tables(self.path)
                return done
            except CorruptStoreError:
                pass
            broken = self.path.with_name(
                f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                data = read_regular(self.path)
            except (StoreError, OSError):
                data = b""
            os.replace(self.path, broken)
            done.append(f"kept the damaged reading state as {broken}")
            tables: Tables = {}
            backup = self.path.with_name(self.path.name + ".bak")
            with contextlib.suppress(StoreError, OSError):
                candidate = load_state_tables(backup) if backup.exists() else {}
                if candidate:
                    tables = candidate
                    done.append(f"restored the reading state's backup {backup}")
            salvaged = _salvage_state(data)
            for name, table in salvaged.items():
                tables.setdefault(name, {}).update(table)
            count = len(salvaged.get(STATE, {}))
            done.append(f"kept {count} article state(s) readable in the damaged file")
            atomic_write(self.path, orjson.dumps(tables))
            self._tables = tables
        return done


def _salvage_state(data: bytes) -> Tables:
    """The entries still readable in a damaged state file."""
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        parsed = None
    found: Tables = {}
    if isinstance(parsed, dict):
        for name in (STATE, SETTINGS, HISTORY):
            table = parsed.get(name)
            if not isinstance(table, dict):
                continue
            for key, record in table.items():
                if not isinstance(record, dict):
                    continue
                if name == STATE:
                    try:
                        record = ReadingState.from_record(record).to_record()
                    except (TypeError, ValueError):
                        continue
                if name == HISTORY and not isinstance(record.get("items"), list):
                    continue
                found.setdefault(name, {})[key] = record
        return found
    # Not JSON at all (cut short, garbled): each entry is `"<id>":{...}`; read the ones
    # that decode.
    import re

    for match in re.finditer(rb'"([0-9a-f]{16})":(\{[^{}]*\})', data):
        try:
            record = orjson.loads(match.group(2))
            state = ReadingState.from_record(record)
        except (orjson.JSONDecodeError, TypeError, ValueError, AttributeError):
            continue
        found.setdefault(STATE, {})[match.group(1).decode()] = state.to_record()
    return found
