"""The PostgreSQL store: one archive shared by many readers and many front ends.

Chosen by a `--db` (or `$NEWSTUI_DB`) value starting with `postgresql://` (or
`postgres://`); any other value is a TinyDB store path. psycopg is imported only here
and only when such a value is given, so the default store never loads it.
"""

from __future__ import annotations

URL_PREFIXES = ("postgresql://", "postgres://")


def is_database_url(value: str | None) -> bool:
    """Whether a --db value names a PostgreSQL database rather than a file."""
    return bool(value) and str(value).startswith(URL_PREFIXES)


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
