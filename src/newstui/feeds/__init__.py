"""Subscriptions: RSS/Atom feeds fetched over HTTP and turned into articles.

`subscriptions` (the list and each feed's fetch state, a small JSON file beside the
store), `fetching` (polite HTTP), `parsing` (feed bytes -> articles), `opml`, `fulltext`
(article pages -> articles), and `update` (a fetch run from start to store). None of it
imports Textual.
"""
