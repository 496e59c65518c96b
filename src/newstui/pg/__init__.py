"""The PostgreSQL store: one archive shared by many readers and many front ends.

Chosen by a `--db` (or `$NEWSTUI_DB`) value starting with `postgresql://` (or
`postgres://`); any other value is a TinyDB store path. psycopg is imported only here
and only when such a value is given, so the default store never loads it.
"""

from __future__ import annotations

from pathlib import Path

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


def local_file(url: str, suffix: str) -> Path:
    """A file this machine keeps for a database (e.g. the feed subscriptions of the
    machine that fetches into it): in the user's data folder, named by the database's
    host, port and name."""
    import re
    from urllib.parse import urlsplit

    import platformdirs

    parts = urlsplit(url)
    name = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.strip('/') or 'db'}"
    folder = platformdirs.user_data_path("newstui") / "postgresql"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (re.sub(r"[^A-Za-z0-9._-]", "_", name) + suffix)
