"""A file's summary rows are read in pieces (the reader's first screenful opens every
segment and wants only its first rows): every row still comes, in order, whatever
the piece boundaries cut, and damage is still damage."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from newstui.article import Article
from newstui.store_format import LayoutError, LineReader, encode


def write(path: Path, count: int, headline_length: int = 40) -> list[Article]:
    articles = [Article(f"Story {n:05d} " + "é" * (n % headline_length), (f"Body {n}.",),
                        published=f"2016-07-{1 + n % 28:02d}", dateline="LONDON" if n % 3 else None)
                for n in range(count)]
    tables = {"meta": {"store": {"schema": 2, "store_id": "x"}},
              "articles": {a.id: a.to_record() for a in articles}}
    path.write_bytes(encode(tables))
    return articles


@pytest.mark.parametrize("count", [1, 2, 150, 3000])
def test_every_row_in_order_across_pieces(tmp_path: Path, count: int) -> None:
    path = tmp_path / "segment.json"
    write(path, count)
    reader = LineReader(path)
    rows = list(reader.rows())
    data = reader.ids_bytes()  # the whole block of rows in one read, as before
    expected = [orjson.loads(line.rstrip(b",")) for line in data.strip(b"\n").split(b"\n")]
    assert rows == expected and len(rows) == count
    # The first row is at hand after one small read, and the records still follow.
    first = next(LineReader(path).rows())
    assert first == expected[0]
    assert LineReader(path).record(first[0]) is not None


def test_a_damaged_row_midway_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "segment.json"
    write(path, 2000)
    data = path.read_bytes()
    at = data.index(b'\n["', len(data) // 20)
    path.write_bytes(data[:at + 3] + b"\x00broken" + data[at + 10:])
    with pytest.raises(LayoutError, match="damaged"):
        list(LineReader(path).rows())


def test_rows_without_their_closing_bracket_are_damage(tmp_path: Path) -> None:
    path = tmp_path / "segment.json"
    write(path, 500)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"\n]}},", b"\n]} ,", 1))
    with pytest.raises(LayoutError):
        list(LineReader(path).rows())
