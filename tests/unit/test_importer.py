"""Files -> articles: the BBC set, encodings, and every kind of bad input reported as one
Problem that names the file, while the other files of the run still import."""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson
import pytest
from support.core import SAMPLES

from newstui.importer import decode, read_file, read_paths
from newstui.textclean import clean_line

GOOD_PAGE = ("Get the latest updates as we post them — right on your browser\n\n"
             ". Last Updated: 07/27/2016\n\nA Good Headline\n\nMOSCOW — A good body.\n\nMore.")


# -- the BBC set --------------------------------------------------------------------


def _bbc_files(bbc_dir: Path) -> list[Path]:
    return sorted(p for p in bbc_dir.rglob("*") if p.is_file() and p.name != "README.TXT")


def test_bbc_set_imports_completely(bbc_dir: Path) -> None:
    files = _bbc_files(bbc_dir)
    assert len(files) == 2225
    result = read_paths([bbc_dir])
    assert result.failures == []
    assert result.warnings == []
    assert result.files == 2225
    assert [Path(p).name for p in result.skipped] == ["README.TXT"]
    by_source = {a.source: a for a in result.articles}
    assert len(by_source) == 2225  # one article per file, each knowing its file

    distinct_contents = set()
    for path in files:
        text = decode(path.read_bytes())
        a = by_source[str(path.resolve())]
        # The headline is the file's first line, whitespace and entities cleaned up.
        assert a.headline == clean_line(text.split("\n", 1)[0]), path
        assert a.body, path
        assert (a.dateline, a.updated, a.published, a.caption, a.credit) == (None,) * 5, path
        distinct_contents.add(tuple(
            line for line in (clean_line(b) for b in re.split(r"\n\s*\n", text)) if line))
    # Identical stories (the set has duplicates) collapse into one id, and only those.
    assert len({a.id for a in result.articles}) == len(distinct_contents)


def test_latin1_byte_decodes_to_pound(bbc_dir: Path) -> None:
    path = bbc_dir / "sport" / "199.txt"
    assert b"\xa3" in path.read_bytes()
    [a], warnings = read_file(path)
    text = "\n".join((a.headline, *a.body))
    assert "£15.8m" in text
    assert "\ufffd" not in text
    assert warnings == []


def test_readme_skipped_in_folder_but_imported_when_named(tmp_path: Path) -> None:
    (tmp_path / "README.TXT").write_text("Readme Title\n\nAbout this set.\n")
    (tmp_path / "story.txt").write_text("Story Title\n\nThe story.\n")
    (tmp_path / ".hidden.txt").write_text("Hidden Title\n\nHidden.\n")
    walked = read_paths([tmp_path])
    assert [a.headline for a in walked.articles] == ["Story Title"]
    assert walked.skipped == [str(tmp_path / "README.TXT")]
    named = read_paths([tmp_path / "README.TXT"])
    assert [a.headline for a in named.articles] == ["Readme Title"]


# -- encodings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Zoë £5 “q”".encode(), "Zoë £5 “q”"),
        (b"\xef\xbb\xbfBOM first", "BOM first"),
        ("UTF-16 text ü".encode("utf-16"), "UTF-16 text ü"),
        (b"Hans-J\xf6rg \xa35 \x93quoted\x94", "Hans-Jörg £5 “quoted”"),
        # An undefined cp1252 byte must not become a C1 "OSC" that swallows the rest.
        (b"Head \xe9 \x9d and the rest survives", "Head é \ufffd and the rest survives"),
    ],
)
def test_decode(data: bytes, expected: str) -> None:
    assert decode(data) == expected


def test_undefined_cp1252_byte_keeps_the_article(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(b"Caf\xe9 Opens\n\nThe caf\xe9 \x9d opened.\n\nA second paragraph.\n")
    [a], _ = read_file(path)
    assert a.headline == "Café Opens"
    assert a.body == ("The café \ufffd opened.", "A second paragraph.")


# -- bad inputs -------------------------------------------------------------------------


INDEX_PAGE = "\n\n".join([
    "Get the latest updates as we post them — right on your browser",
    ". Last Updated: 12/03/2009",
    "Putin Meets Obama in Singapore", "The two leaders discussed arms control and Iran.",
    "Ruble Gains Against Dollar", "The currency rose for the third day as oil prices climbed.",
    "Snow Blankets Moscow", "City services struggled to clear the roads after a snowfall.",
])


def _bad_files(folder: Path) -> dict[str, str]:
    """Write one file of each bad kind; returns {file name: expected reason fragment}."""
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b"  \n\n\t\n")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "nul.txt").write_bytes(b"Headline\n\nBody\x00with\x00nuls\x00.")
    (folder / "index.txt").write_text(INDEX_PAGE, encoding="utf-8")
    (folder / "headline-only.txt").write_text("Just A Headline\n", encoding="utf-8")
    (folder / "broken.json").write_bytes(b'[{"headline": "x", "body": ["y"]},')
    (folder / "dangling.txt").symlink_to(folder / "does-not-exist.txt")
    os.mkfifo(folder / "pipe.txt")
    return {
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "image.png": "binary file",
        "nul.txt": "binary file",
        "index.txt": "archive index",
        "headline-only.txt": "no article found",
        "broken.json": "malformed JSON",
        "dangling.txt": "broken symbolic link",
        "pipe.txt": "not a regular file",
    }


def test_each_bad_file_gives_one_problem_and_the_rest_import(tmp_path: Path) -> None:
    expected = _bad_files(tmp_path)
    (tmp_path / "good.txt").write_text(GOOD_PAGE, encoding="utf-8")
    (tmp_path / "plain.txt").write_text("Plain Story\n\nIts body.\n", encoding="utf-8")
    result = read_paths([tmp_path])
    assert sorted(a.headline for a in result.articles) == ["A Good Headline", "Plain Story"]
    by_file: dict[str, list[str]] = {}
    for problem in result.failures:
        by_file.setdefault(Path(problem.path).name, []).append(problem.reason)
        assert str(problem).startswith(str(tmp_path))  # names the file in full
    assert sorted(by_file) == sorted(expected)
    for name, fragment in expected.items():
        assert len(by_file[name]) == 1, (name, by_file[name])
        assert fragment in by_file[name][0], (name, by_file[name])


def test_named_missing_and_dangling_paths(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    result = read_paths([tmp_path / "missing.txt", tmp_path / "dangling.txt"])
    reasons = {Path(p.path).name: p.reason for p in result.failures}
    assert reasons == {"missing.txt": "no such file or directory",
                       "dangling.txt": "broken symbolic link (its target does not exist)"}


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(GOOD_PAGE)
    path.chmod(0)
    try:
        result = read_paths([path])
    finally:
        path.chmod(0o644)
    assert [(Path(p.path).name, p.reason) for p in result.failures] == [
        ("secret.txt", "permission denied")]


def test_jsonl_with_one_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(b'{"headline": "First", "body": ["One."]}\n'
                     b'{"headline": "Broken", "body": \n'
                     b'\n'
                     b'{"headline": "Third", "body": ["Three."]}\n')
    (tmp_path / "plain.txt").write_text("Plain Story\n\nIts body.\n")
    result = read_paths([tmp_path])
    assert sorted(a.headline for a in result.articles) == ["First", "Plain Story", "Third"]
    assert len(result.failures) == 1
    [problem] = result.failures
    assert (Path(problem.path).name, problem.line) == ("export.jsonl", 2)
    assert problem.reason.startswith("malformed JSON")
    assert str(problem).startswith(f"{path}:2: malformed JSON")


def test_json_records_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "hostile.json"
    path.write_bytes(orjson.dumps([
        {"headline": "Evil\x1b]0;pwned\x07 Title\u202e", "body": ["a\x1b[31mb", "c\x9b31md"]},
        {"headline": "String Body", "body": "first\x1b[2J para\n\nsecond \x1b]52;c;eA==\x07para"},
    ]))
    articles, _ = read_file(path)
    assert [(a.headline, a.body) for a in articles] == [
        ("Evil Title", ("ab", "cd")),
        ("String Body", ("first para", "second para")),
    ]


def test_reuters_style_records(tmp_path: Path) -> None:
    path = tmp_path / "reut.json"
    path.write_bytes(orjson.dumps([{
        "title": "BAHIA COCOA REVIEW &lt;CCO>",
        "dateline": "SALVADOR, Feb 26 -",
        "date": "26-FEB-1987 15:01:01.79",
        "body": "Showers continued.\n    The week saw &lt;something>.",
    }, {"title": "NO BODY", "date": "26-FEB-1987 15:01:01.79"}]))
    result = read_paths([path])
    [a] = result.articles
    assert a.headline == "BAHIA COCOA REVIEW <CCO>"
    assert a.dateline == "SALVADOR"
    assert a.published == "1987-02-26T15:01:01"
    assert a.body == ("Showers continued.", "The week saw <something>.")
    assert [p.reason for p in result.failures] == ["record 2: no body text"]


def test_samples_folder_imports_without_problems() -> None:
    result = read_paths([SAMPLES])
    assert len(result.articles) == 20
    assert (result.failures, result.warnings) == ([], [])
    assert all(a.source and a.source.startswith(str(SAMPLES.resolve())) for a in result.articles)


def test_progress_reports_every_file(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"{n}.txt").write_text(f"Story {n}\n\nBody {n}.\n")
    calls: list[tuple[int, int]] = []
    read_paths([tmp_path], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
