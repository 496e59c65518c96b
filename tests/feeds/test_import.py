"""`newstui import` of saved feed files and other markup, and `newstui import URL`
(an article page from a real loopback server), and full-text feeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.feed_samples import ATOM, OPML, RSS2_RICH, rss2
from support.feed_server import FeedServer, Route

from newstui import cli
from newstui.archive import Archive


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def run(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["--db", str(db), *args])
    out, err = capsys.readouterr()
    return code, out, err


def page(title: str, paragraphs: list[str], caption: str = "Boats at the quay.") -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html><head><title>{title} | The Harbour Herald</title>
<meta name="author" content="Ann Writer">
<meta property="article:published_time" content="2026-11-28T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>{title}</h1>
<figure><img src="boat.jpg" alt=""><figcaption>{caption}</figcaption></figure>
{body}
<script>var tracking = 1;</script></article>
<footer>Copyright The Harbour Herald. All rights reserved.</footer></body></html>""".encode()


STORY = [
    "The trawler fleet of Port Avelin returned to harbour on Saturday, two days earlier "
    "than planned, after forecasters warned of a storm moving in from the west.",
    "Skippers said the catch was the best of the season, with holds full of cod and "
    "haddock, and the harbour master opened the inner basin to let the boats unload.",
    "The storm is expected to reach the coast on Sunday night, bringing gales and heavy "
    "rain to the whole of the northern shore.",
]


def test_saved_feed_files_import_like_a_fetch(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "rich.rss").write_bytes(RSS2_RICH)
    (folder / "atom.atom").write_bytes(ATOM)
    (folder / "subs.opml").write_bytes(OPML)
    (folder / "page.html").write_bytes(page("Headline", STORY))
    (folder / "other.xml").write_bytes(b'<?xml version="1.0"?><catalog><book/></catalog>')
    db = tmp_path / "a.json"
    code, out, err = run(db, capsys, "import", str(folder))
    assert code == 1  # the non-articles are reported
    assert "imported 5" in out
    assert "subs.opml: not an article: an OPML subscription list" in err
    assert "page.html: not an article: an HTML page" in err
    assert "other.xml: not an article: an XML document (<catalog>)" in err
    headlines = {a.headline for a in Archive.open(db).store.articles()}
    assert not any(h.startswith("<?xml") for h in headlines)
    assert "Trawlers return to port" in headlines
    # Importing again adds nothing (identity by feed and guid).
    (folder / "subs.opml").unlink()
    (folder / "page.html").unlink()
    (folder / "other.xml").unlink()
    (folder / "rich.rss").touch()
    code, out, _ = run(db, capsys, "import", str(folder))
    assert code == 0 and "imported 0" in out


def test_import_url_extracts_the_article(server: FeedServer, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/story.html"] = Route(page("Trawlers beat the storm home", STORY),
                                         content_type="text/html; charset=utf-8")
    server.routes["/empty.html"] = Route(b"<html><body><nav>Home</nav></body></html>",
                                         content_type="text/html")
    db = tmp_path / "a.json"
    code, out, err = run(db, capsys, "import", server.url("/story.html"), server.url("/empty.html"),
                         server.url("/missing"))
    assert code == 1
    assert "imported 1 from the web" in out and "failed 2" in out
    assert "404" in err and "no article text" in err
    (article,) = Archive.open(db).store.articles()
    assert article.headline == "Trawlers beat the storm home"
    assert article.body[0].startswith("The trawler fleet of Port Avelin")
    assert not any("tracking" in p or "Copyright" in p for p in article.body)
    assert article.author == "Ann Writer"
    assert article.published and article.published.startswith("2026-11-28")
    assert article.caption == "Boats at the quay."
    assert article.url == server.url("/story.html")


def test_full_text_feed(server: FeedServer, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    base = server.url("")
    feed = rss2([("s1", "Trawlers beat the storm", "Teaser only."),
                 ("s2", "No page for this one", "The feed's own text.")])
    feed = feed.replace(b"http://example.test/s1", f"{base}/s1.html".encode())
    feed = feed.replace(b"http://example.test/s2", f"{base}/s2.html".encode())
    server.routes["/full.xml"] = Route(feed)
    server.routes["/s1.html"] = Route(page("Trawlers beat the storm", STORY),
                                      content_type="text/html")
    db = tmp_path / "a.json"
    run(db, capsys, "feeds", "add", server.url("/full.xml"), "--full-text")
    code, out, err = run(db, capsys, "fetch", "--timeout", "2")
    assert code == 0, out + err
    stored = {a.guid: a for a in Archive.open(db).store.articles()}
    assert stored["s1"].body[0].startswith("The trawler fleet")
    assert stored["s1"].headline == "Trawlers beat the storm"
    assert stored["s2"].body == ("The feed's own text.",)  # fallback
    assert "full text not found for 1" in err
    # Fetched again (the feed changed): known items keep their full text, pages are
    # not downloaded again.
    server.routes["/full.xml"] = Route(feed + b" ")
    pages = sum(r.path.endswith(".html") for r in server.requests)
    run(db, capsys, "fetch", "--timeout", "2")
    assert sum(r.path.endswith(".html") for r in server.requests) == pages
    stored = {a.guid: a for a in Archive.open(db).store.articles()}
    assert stored["s1"].body[0].startswith("The trawler fleet")


def test_feed_url_given_to_import(server: FeedServer, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    server.routes["/f.xml"] = Route(rss2([("a", "One", "x"), ("b", "Two", "y")]))
    db = tmp_path / "a.json"
    code, out, _ = run(db, capsys, "import", server.url("/f.xml"))
    assert code == 0 and "imported 2 from the web" in out
