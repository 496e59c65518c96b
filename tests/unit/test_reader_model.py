"""The reader's model without a screen: what it holds, what it announces, what it saves."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstui.archive import Archive, bundled_samples
from newstui.model import ReaderModel, ReadStopped, preload_list
from newstui.store import ArticleStore, StoreError

NEWEST = "Ancient Mosaic Goes on Display in Marrowby Museum"


class Recorder:
    """A listener that writes down what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def articles_changed(self, added: int) -> None:
        self.events.append(("articles", added))

    def state_changed(self, article_id: str) -> None:
        self.events.append(("state", article_id))

    def save_failed(self, reason: str) -> None:
        self.events.append(("save_failed", reason))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    Archive.open(path).import_paths([bundled_samples()])
    return path


def loaded_model(db: Path, recorder: Recorder | None = None) -> ReaderModel:
    model = ReaderModel(Archive.open(db), recorder)
    model.apply(model.read())
    return model


def test_read_and_apply_give_the_list_newest_first(db: Path) -> None:
    recorder = Recorder()
    model = loaded_model(db, recorder)
    assert model.loaded and len(model.summaries) == 20
    assert model.summaries[0].headline == NEWEST
    assert recorder.events == [("articles", 0)]
    model.close()


def test_first_rows_are_handed_over_before_the_rest(db: Path) -> None:
    model = ReaderModel(Archive.open(db))
    early: list[int] = []
    snapshot = model.read(first_rows=lambda rows, states: early.append(len(rows)), first=5)
    assert early == [5] and len(snapshot.summaries) == 20
    assert model.show_first(snapshot.summaries[:5], snapshot.states)
    model.apply(snapshot)
    assert not model.show_first([], {})  # once loaded, early rows are not taken
    model.close()


def test_a_reload_counts_what_another_process_added(db: Path, tmp_path: Path) -> None:
    recorder = Recorder()
    model = loaded_model(db, recorder)
    assert not model.changed_on_disk()
    story = tmp_path / "new.txt"
    story.write_text("A Brand New Story\n\nIt happened today.\n", encoding="utf-8")
    Archive.open(db).import_paths([story])
    assert model.changed_on_disk()
    assert model.apply(model.read(reload=True)) == 1
    assert recorder.events[-1] == ("articles", 1)
    model.close()


def test_marks_are_announced_and_saved_in_order(db: Path) -> None:
    recorder = Recorder()
    model = loaded_model(db, recorder)
    newest = model.summaries[0]
    assert model.toggle_star(newest) is True
    assert model.toggle_read(newest) is True
    model.update_state(newest, position=7)  # not a mark: not announced
    assert recorder.events[1:] == [("state", newest.id), ("state", newest.id)]
    model.flush()
    state = ArticleStore(db).state(newest.id)
    assert state.starred and state.read and state.position == 7
    model.close()


def test_the_open_article_position_is_saved_on_close(db: Path) -> None:
    model = loaded_model(db)
    newest = model.summaries[0]
    assert model.open_article(newest) == 0
    assert model.state_of(newest).read
    model.reading_at(newest.id, 12)
    model.close()  # a quit or a hang-up: the position is saved without asking a screen
    assert ArticleStore(db).state(newest.id).position == 12


def test_leaving_an_article_keeps_its_position(db: Path) -> None:
    model = loaded_model(db)
    second = model.summaries[1]
    model.open_article(second)
    model.close_article(second, 5)
    model.close()
    assert ArticleStore(db).state(second.id).position == 5


def test_search_history_is_kept_once_and_saved(db: Path) -> None:
    model = loaded_model(db)
    for query in ("cotton", "harbour", "cotton", "  "):
        model.remember_search(query)
    assert model.history == ["harbour", "cotton"]
    model.close()
    assert ArticleStore(db).search_history() == ["harbour", "cotton"]
    assert ReaderModel(Archive.open(db)).history == ["harbour", "cotton"]


def test_the_whole_article_is_read_from_the_store(db: Path) -> None:
    model = loaded_model(db)
    article = model.article(model.summaries[0])
    assert article.headline == NEWEST and article.body
    model.close()


def test_a_damaged_store_is_an_error_not_an_empty_list(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    model = ReaderModel(Archive.open(db))
    with pytest.raises(StoreError):
        model.read()
    assert not model.loaded
    model.close()


def test_a_read_can_be_given_up_half_way(db: Path) -> None:
    # The reader quits while a large archive is read: the read stops between pieces
    # instead of holding the exit up until every article is in.
    model = ReaderModel(Archive.open(db))
    asked: list[int] = []

    def stop() -> bool:
        asked.append(len(asked))
        return True

    with pytest.raises(ReadStopped):
        model.read(stop=stop)
    assert asked and not model.loaded
    model.apply(model.read(stop=lambda: False))
    assert len(model.summaries) == 20
    model.close()


def test_a_list_preloaded_once_is_shared_while_the_file_is_unchanged(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reading room's forker reads the list once; every reader it forks takes that
    # same table (its pages shared) until the archive changes.
    import newstui.model

    monkeypatch.setattr(newstui.model, "_preloaded", None)
    forker = Archive.open(db)
    table = preload_list(forker)
    assert len(table) == 20

    def reader(name: str) -> ReaderModel:  # as the forker starts one: its store, copied
        return ReaderModel(Archive(forker.store.for_reader(tmp_path / f"{name}.json")))

    first = reader("first")
    first.apply(first.read())
    assert first.summaries is table and first.summaries[0].headline == NEWEST
    first.close()
    story = tmp_path / "new.txt"
    story.write_text("A Brand New Story\n\nIt happened today.\n", encoding="utf-8")
    Archive.open(db).import_paths([story])
    later = reader("later")
    later.apply(later.read())
    assert later.summaries is not table and len(later.summaries) == 21
    again = reader("again")
    assert again.read(reload=True).summaries is not table
    again.close()
    later.close()


def test_the_first_rows_can_be_read_before_the_screen_starts(db: Path) -> None:
    recorder = Recorder()
    model = ReaderModel(Archive.open(db), recorder)
    model.read_first(5)
    assert model.first_shown and not model.loaded
    assert [s.headline for s in model.summaries][:1] == [NEWEST] and len(model.summaries) == 5
    model.apply(model.read())
    assert model.loaded and len(model.summaries) == 20
    model.close()


def test_a_bug_while_saving_is_said_and_later_marks_are_still_saved(
        db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The saver is a thread of its own: an error that is not a StoreError (a bug)
    must not end it, or every later star would be queued for nobody."""
    from newstui.article import ReadingState
    from newstui.saver import StateSaver

    store = ArticleStore(db)
    first, second = [s.id for s in store.summaries()[:2]]
    real = store.set_state
    calls = 0

    def fails_once(article_id: str, state: ReadingState) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TypeError("planted bug")
        real(article_id, state)

    monkeypatch.setattr(store, "set_state", fails_once)
    said: list[str] = []
    saver = StateSaver(store, said.append)
    saver.save(first, ReadingState(starred=True))
    saver.save(second, ReadingState(starred=True))
    saver.close()
    assert said == ["internal error while saving: TypeError: planted bug"]
    assert ArticleStore(db).state(second).starred
