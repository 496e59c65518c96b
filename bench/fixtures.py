"""The derived data the cases need, built from ../shared/corpus into bench/.cache/ once
and reused (each piece is rebuilt only when it is missing; delete bench/.cache/ to start
afresh). Nothing from the corpus is copied into the repository.

- articles-21k.jsonl      every article of the corpus as newstui reads it (BBC text files
                          + the Reuters JSON), in the export format
- articles-106k.jsonl     the same five times over; copies 2-5 have " (2)".." (5)" after
                          the headline, so each has its own id
- reuters-raw/            the Reuters stories written out in the raw page format
                          (boilerplate, ". Last Updated: MM/DD/YYYY", headline, dateline)
- store-21k/, store-106k/ newstui stores (articles.json + its index), built by
                          `newstui import` of the JSONL; top.json = `list --limit 200`
- fts-21k.sqlite, ...     SQLite FTS5 over the same articles (the search reference)
- tinydb-21k.json, ...    a plain TinyDB table of the same articles (body as one string)
- corpus-21k.rss          the 21k articles as one RSS 2.0 feed, body as description
- newsboat-21k/           newsboat's urls, config and cache.db, loaded from that feed
"""

from __future__ import annotations

import email.utils
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import orjson
from common import CACHE, CORPUS, newstui_argv, say

SIZES = {"21k": 1, "106k": 5, "530k": 25}
RAW_BOILERPLATE = "Get the latest updates as we post them — right on your browser"


class CorpusMissing(Exception):
    pass


def check_corpus() -> None:
    if not (CORPUS / "bbc").is_dir() or not (CORPUS / "reuters").is_dir():
        raise CorpusMissing(f"the corpus is not at {CORPUS} (bbc/ and reuters/ are needed); "
                            "the benchmark has nothing to measure without it")


def _replace_when_done(tmp: Path, final: Path) -> Path:
    if final.is_dir():
        shutil.rmtree(final)
    os.replace(tmp, final)
    return final


# -- the articles ----------------------------------------------------------------------


def jsonl(size: str) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"articles-{size}.jsonl"
    if path.exists():
        return path
    if size != "21k":
        base = jsonl("21k")
        say(f"building {path.name} ({SIZES[size]} copies with distinct ids)")
        tmp = path.with_suffix(".tmp")
        with base.open("rb") as src, tmp.open("wb") as out:
            lines = src.readlines()
            for copy in range(SIZES[size]):
                for line in lines:
                    if copy == 0:
                        out.write(line)
                        continue
                    record = orjson.loads(line)
                    record["headline"] = f"{record['headline']} ({copy + 1})"
                    record.pop("id", None)  # derived from the content again on import
                    out.write(orjson.dumps(record) + b"\n")
        return _replace_when_done(tmp, path)
    check_corpus()
    from newstui.importer import read_paths

    say(f"building {path.name} (reading the corpus with newstui's importer)")
    read = read_paths([CORPUS / "bbc", *sorted(glob.glob(str(CORPUS / "reuters" / "*.json")))])
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        for article in read.articles:
            out.write(orjson.dumps(article.to_record()) + b"\n")
    return _replace_when_done(tmp, path)


def records(size: str) -> list[dict[str, Any]]:
    with jsonl(size).open("rb") as src:
        return [orjson.loads(line) for line in src]


def each_record(size: str) -> Iterator[dict[str, Any]]:
    """The records one at a time (530k of them as dicts would take gigabytes)."""
    with jsonl(size).open("rb") as src:
        for line in src:
            yield orjson.loads(line)


def article_date(record: dict[str, Any]) -> str | None:
    return record.get("published") or record.get("updated")


# -- Reuters as raw pages --------------------------------------------------------------


def _reuters_paragraphs(body: str) -> list[str]:
    """Reuters bodies are hard-wrapped; a paragraph starts with a newline and 4 spaces."""
    body = body.replace("\r", "")
    body = re.sub(r"\s*Reuter\s*(&#3;)?\s*$", "", body)  # the wire's sign-off
    parts = re.split(r"\n {3,}", body)
    paragraphs = [" ".join(line.strip() for line in part.split("\n")).strip() for part in parts]
    return [p for p in paragraphs if p and p.lower() != "reuter"]


def reuters_raw() -> Path:
    """One file per Reuters story with a body, in the raw page format of
    ../shared/docs/raw-format.md."""
    path = CACHE / "reuters-raw"
    if path.exists():
        return path
    check_corpus()
    say("building reuters-raw/ (Reuters stories as raw news pages)")
    tmp = CACHE / "reuters-raw.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for source in sorted((CORPUS / "reuters").glob("*.json")):
        folder = tmp / source.stem
        folder.mkdir(parents=True)
        for record in json.loads(source.read_text(encoding="utf-8")):
            body = record.get("body") or ""
            paragraphs = _reuters_paragraphs(body)
            if not paragraphs or not record.get("title"):
                continue
            # Only the day: a few records have broken times ("605:12:19").
            when = datetime.strptime(record["date"].split()[0], "%d-%b-%Y")
            place = (record.get("dateline") or "").split(",")[0].strip()
            if place:
                paragraphs[0] = f"{place} — {paragraphs[0]}"
            page = "\n\n".join([RAW_BOILERPLATE, f". Last Updated: {when:%m/%d/%Y}",
                                record["title"].strip(), *paragraphs])
            name = record.get("attrs", {}).get("newid") or str(len(list(folder.iterdir())))
            (folder / f"{name}.txt").write_text(page, encoding="utf-8")
    return _replace_when_done(tmp, path)


def import_sources() -> list[Path]:
    """What case 4 imports: the BBC text files where they are, the converted Reuters."""
    return [CORPUS / "bbc", reuters_raw()]


# -- newstui stores --------------------------------------------------------------------


def store(size: str) -> Path:
    """A newstui store of `size` articles with its index built; returns the store file."""
    folder = CACHE / f"store-{size}"
    db = folder / "articles.json"
    if (folder / "top.json").exists():
        return db
    source = jsonl(size)
    say(f"building store-{size}/ (newstui import of {source.name})")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    # One `newstui import` at every size: it streams the file in batches (issue 9 #15).
    subprocess.run([*newstui_argv(), "--db", str(db), "import", str(source), "-q"],
                   check=True, stdout=subprocess.DEVNULL)
    top = subprocess.run([*newstui_argv(), "--db", str(db), "list", "--limit", "200", "--json"],
                         check=True, capture_output=True).stdout
    (folder / "top.json").write_bytes(top)
    return db


def top_articles(size: str) -> list[dict[str, Any]]:
    """The first 200 rows of the store's list, newest first (as the reader lists them)."""
    store(size)
    return json.loads((CACHE / f"store-{size}" / "top.json").read_bytes())


def copy_store(size: str, where: Path) -> Path:
    """A private copy of a cached store (file + index, no reading state): a run that
    writes state or imports must not change the cached one, and every run starts alike."""
    db = store(size)
    where.mkdir(parents=True, exist_ok=True)
    target = where / "articles.json"
    shutil.copy2(db, target)
    segments = db.with_suffix(".segments")
    if segments.is_dir():
        # Segment files are never changed in place (a write makes new ones): links are
        # as good as copies, and cost no time or space.
        shutil.copytree(segments, target.with_suffix(".segments"), copy_function=os.link)
    shutil.copytree(db.with_suffix(".index"), target.with_suffix(".index"))
    return target


# -- the search references -------------------------------------------------------------

FTS_SCHEMA = """
CREATE VIRTUAL TABLE fts USING fts5(
    headline, dateline, caption, credit, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE meta (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, ts INTEGER);
CREATE INDEX meta_ts ON meta (ts);
"""
#: The same field weights as newstui's BM25 boosts (headline 3, caption/dateline 1.5).
FTS_RANK = "bm25(3.0, 1.5, 1.5, 1.0, 1.0)"


def timestamp(iso: str | None) -> int | None:
    if not iso:
        return None
    value = datetime.fromisoformat(iso)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return int(value.timestamp())


def fill_fts(connection: sqlite3.Connection, rows: Any) -> int:
    """Create the FTS5 tables in `connection` and insert (id, headline, dateline,
    caption, credit, body, ts) rows; one transaction."""
    connection.executescript(FTS_SCHEMA)
    count = 0
    with connection:
        for rowid, (ident, headline, dateline, caption, credit, body, ts) in enumerate(rows, 1):
            connection.execute("INSERT INTO fts (rowid, headline, dateline, caption, credit, body)"
                               " VALUES (?, ?, ?, ?, ?, ?)",
                               (rowid, headline, dateline, caption, credit, body))
            connection.execute("INSERT INTO meta VALUES (?, ?, ?)", (rowid, ident, ts))
            count += 1
        connection.execute("INSERT INTO fts (fts, rank) VALUES ('rank', ?)", (FTS_RANK,))
    return count


def fts(size: str) -> Path:
    path = CACHE / f"fts-{size}.sqlite"
    if path.exists():
        return path
    say(f"building {path.name} (SQLite FTS5 over the same articles)")
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    connection = sqlite3.connect(tmp)
    fill_fts(connection, (
        (r.get("id") or "", r["headline"], r.get("dateline"), r.get("caption"), r.get("credit"),
         "\n".join(r["body"]), timestamp(article_date(r)))
        for r in each_record(size)))
    connection.close()
    os.replace(tmp, path)
    return path


def tinydb(size: str) -> Path:
    """A plain TinyDB JSON file (default storage) of headline + body as one string: the
    naive store newstui's TinyDB layout is compared with."""
    path = CACHE / f"tinydb-{size}.json"
    if path.exists():
        return path
    say(f"building {path.name} (a plain TinyDB table)")
    table = {str(i): {"headline": r["headline"], "body": "\n".join(r["body"])}
             for i, r in enumerate(records(size), 1)}
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(orjson.dumps({"_default": table}))
    os.replace(tmp, path)
    return path


# -- newsboat --------------------------------------------------------------------------

#: Undated articles (the BBC set) get this date in the feed, so that newsboat, like
#: newstui, lists them after every dated one.
UNDATED = datetime(1980, 1, 1, tzinfo=timezone.utc)
NEWSBOAT_CONFIG = """\
auto-reload no
confirm-exit no
show-read-feeds yes
show-read-articles yes
"""


def rss(size: str = "21k") -> Path:
    path = CACHE / f"corpus-{size}.rss"
    if path.exists():
        return path
    say(f"building {path.name} (RSS 2.0, one item per article)")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
                  "<title>Corpus</title><link>http://example.invalid/</link>"
                  "<description>BBC and Reuters articles</description>\n")
        for r in records(size):
            iso = article_date(r)
            when = UNDATED
            if iso:
                when = datetime.fromisoformat(iso)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=timezone.utc)
            html = "".join(f"<p>{escape(p)}</p>" for p in r["body"])
            out.write(f"<item><title>{escape(r['headline'])}</title>"
                      f'<guid isPermaLink="false">{r["id"]}</guid>'
                      f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
                      f"<description>{escape(html)}</description></item>\n")
        out.write("</channel></rss>\n")
    os.replace(tmp, path)
    return path


def newsboat_home(size: str = "21k") -> Path:
    """urls + config + cache.db, the feed already loaded (`newsboat -x reload`)."""
    folder = CACHE / f"newsboat-{size}"
    if (folder / "cache.db").exists():
        return folder
    feed = rss(size)
    say(f"building newsboat-{size}/ (newsboat -x reload of {feed.name})")
    tmp = CACHE / f"newsboat-{size}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "urls").write_text(f"file://{feed}\n")
    (tmp / "config").write_text(NEWSBOAT_CONFIG)
    subprocess.run(["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"],
                   cwd=tmp, check=True, capture_output=True, env={**os.environ, "HOME": str(tmp)})
    return _replace_when_done(tmp, folder)


def copy_newsboat(size: str, where: Path) -> Path:
    source = newsboat_home(size)
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(source, where)
    return where


def newsboat_argv() -> list[str]:
    return ["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config"]
