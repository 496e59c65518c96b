"""The reading room's rules that need no SSH: reader names, failure limits, durations,
and a reader's own state beside a read-only archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.core import SAMPLES

from newstui.archive import Archive
from newstui.article import ReadingState
from newstui.cli import main
from newstui.serve.access import FailureLimiter, parse_duration, reader_name, state_path
from newstui.store import ReadOnlyStoreError


def test_reader_names_are_safe_file_names_and_distinct() -> None:
    assert reader_name("alice", None) == "user-alice"
    assert reader_name("x", "SHA256:ab+/cd") == "key-ab__cd"  # the key decides, not the name
    odd = [reader_name(name, None) for name in ("../etc", "a/b", "a_b", "", ".", "é")]
    assert all("/" not in n and not n.startswith(".") for n in odd)
    assert len(set(odd)) == len(odd)  # names made alike stay apart
    assert state_path(Path("/r"), "bob", None) == Path("/r/user-bob.state.json")


def test_failures_are_limited_per_address_and_age_out() -> None:
    limiter = FailureLimiter(limit=3, window=60)
    for second in range(3):
        assert not limiter.blocked("10.0.0.1", now=second)
        limiter.failed("10.0.0.1", now=second)
    assert limiter.blocked("10.0.0.1", now=3)
    assert not limiter.blocked("10.0.0.2", now=3)
    assert not limiter.blocked("10.0.0.1", now=62)


@pytest.mark.parametrize(("text", "seconds"), [("30m", 1800), ("90s", 90), ("2h", 7200),
                                                ("45", 45), ("0", 0)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_a_bad_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


def test_a_read_only_archive_keeps_a_readers_own_state(tmp_path: Path) -> None:
    db = tmp_path / "store.json"
    Archive.open(db).import_paths([SAMPLES])
    before = db.read_bytes()
    mine = tmp_path / "me.state.json"
    archive = Archive.open(db, state_path=mine, read_only=True)
    store = archive.store
    assert not store.writable and store.state_writable
    story = tmp_path / "new.txt"
    story.write_text("A New Headline for a Read-Only Archive\n\nA paragraph of it.\n")
    with pytest.raises(ReadOnlyStoreError):
        archive.import_paths([story])
    first = store.summaries()[0].id
    store.set_state(first, ReadingState(starred=True))
    assert Archive.open(db, state_path=mine).store.state(first).starred
    assert not Archive.open(db).store.state(first).starred  # the archive's own state
    other = store.for_reader(tmp_path / "you.state.json")
    assert not other.state(first).starred and other.summaries() == store.summaries()
    assert db.read_bytes() == before


def test_cli_state_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "store.json"
    assert main(["--db", str(db), "import", "-q", str(SAMPLES)]) == 0
    # The option is taken (the reader itself needs a terminal: refused here as before).
    assert main(["--db", str(db), "--state", str(tmp_path / "s.json")]) == 2
    assert "needs a terminal" in capsys.readouterr().err
