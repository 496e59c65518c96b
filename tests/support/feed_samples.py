"""Feeds written for the tests: every format newstui reads, and the hostile ones."""

from __future__ import annotations


def rss2(items: list[tuple[str, str, str]], title: str = "Harbour News",
         extra: str = "") -> bytes:
    """RSS 2.0; items are (guid, title, description)."""
    body = "".join(
        f"<item><title>{t}</title><link>http://example.test/{g}</link>"
        f"<guid isPermaLink='false'>{g}</guid><description>{d}</description>"
        f"<pubDate>Sun, 29 Nov 2026 10:00:00 GMT</pubDate></item>"
        for g, t, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">'
            f"<channel><title>{title}</title><link>http://example.test/</link>"
            f"<description>d</description>{extra}{body}</channel></rss>").encode()


RSS2_RICH = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:media="http://search.yahoo.com/mrss/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Rich &amp; Full</title><link>http://example.test/</link><description>x</description>
<item>
  <title>Trawlers return to port</title>
  <link>http://example.test/trawlers</link>
  <guid>http://example.test/trawlers</guid>
  <dc:creator>Ann Writer</dc:creator>
  <pubDate>Sat, 28 Nov 2026 08:30:00 +0100</pubDate>
  <description>Short teaser.</description>
  <content:encoded><![CDATA[<p onclick="steal()">The fleet came home <b>early</b> &amp; safe.</p>
    <script>var a=1;</script><style>p{color:red}</style>
    <p>Second paragraph.</p>]]></content:encoded>
  <media:content url="http://example.test/boat.jpg" medium="image">
    <media:description>Boats at the quay.</media:description>
    <media:credit>Photo Agency</media:credit>
  </media:content>
  <enclosure url="http://example.test/podcast.mp3" type="audio/mpeg" length="123"/>
</item>
<item>
  <description>An item with neither title nor date, only this text about the weather.</description>
  <guid>no-title</guid>
</item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://example.test/"><title>RDF Site</title><link>http://example.test/</link>
<description>x</description></channel>
<item rdf:about="http://example.test/rdf1"><title>RSS one item</title>
<link>http://example.test/rdf1</link><description>Text of the RSS 1.0 item.</description>
<dc:date>2026-11-27T09:00:00Z</dc:date></item>
</rdf:RDF>"""

RSS091 = b"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old Style</title><link>http://example.test/</link>
<description>x</description><language>en</language>
<item><title>RSS 0.91 item</title><link>http://example.test/old1</link>
<description>Old-fashioned text.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Atom Place</title><id>urn:atom-place</id><updated>2026-11-29T12:00:00Z</updated>
<link href="http://example.test/"/>
<entry><title type="text">Plain text entry</title><id>urn:e1</id>
  <link href="http://example.test/e1"/><updated>2026-11-29T12:00:00Z</updated>
  <author><name>Tex Plain</name></author>
  <content type="text">Line one &lt;not a tag&gt;.</content></entry>
<entry><title type="html">Html &amp;lt;b&amp;gt;entry&amp;lt;/b&amp;gt;</title><id>urn:e2</id>
  <link href="http://example.test/e2"/><updated>2026-11-29T11:00:00Z</updated>
  <content type="html">&lt;p&gt;First &amp;amp; best.&lt;/p&gt;
  &lt;p&gt;Second.&lt;/p&gt;</content></entry>
<entry><title>Xhtml entry</title><id>urn:e3</id><link href="http://example.test/e3"/>
  <updated>2026-11-29T10:00:00Z</updated>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
  <p>Xhtml para one.</p><p>Para <em>two</em>.</p></div></content></entry>
</feed>"""

BROKEN = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Broken</title><link>http://example.test/</link>
<item><title>Still readable</title><guid>b1</guid><description>Text & more text</description></item>
<item><title>Second <b>unclosed</title><guid>b2</guid><description>More</description></item>
</channel>"""

# Declares UTF-8, but the bytes are Latin-1 ("café" with a single 0xE9 byte).
WRONG_ENCODING = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                  '<title>Caf\xe9 news</title><link>http://example.test/</link>'
                  '<item><title>Caf\xe9 opens</title><guid>w1</guid>'
                  '<description>Cr\xe8me br\xfbl\xe9e for all.</description></item>'
                  '</channel></rss>').encode("latin-1")

ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rss version="2.0"><channel><title>&g;</title><item><title>&g;</title><guid>x</guid>
<description>&g;</description></item></channel></rss>"""


def oversized(megabytes: int = 50) -> bytes:
    item = b"<item><title>Padding</title><description>" + b"x" * 1000 + b"</description></item>"
    count = megabytes * 1024 * 1024 // len(item)
    return b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>' + \
        item * count + b"</channel></rss>"


OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News">
    <outline text="World">
      <outline type="rss" text="Harbour" xmlUrl="http://example.test/harbour.xml"/>
    </outline>
    <outline type="rss" text="Valley" xmlUrl="http://example.test/valley.xml"
             category="/Tech,/Local"/>
  </outline>
  <outline type="rss" text="Loose" xmlUrl="http://example.test/loose.xml"/>
  <outline type="rss" text="Harbour again" xmlUrl="http://example.test/harbour.xml"/>
</body></opml>"""
