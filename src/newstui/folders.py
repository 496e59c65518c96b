"""Where newstui keeps what is the user's (the platform's folders, via platformdirs:
$XDG_DATA_HOME/newstui, $XDG_CACHE_HOME/newstui and $XDG_CONFIG_HOME/newstui on Linux).
platformdirs is imported when a folder is first asked for: most commands name the
store with --db and never need it."""

from __future__ import annotations

from pathlib import Path


def data_folder() -> Path:
    """The default archive, serve-ssh's host key and readers, set-aside records."""
    import platformdirs

    return platformdirs.user_data_path("newstui")


def cache_folder() -> Path:
    """What can be made again (a read-only archive's index, copied)."""
    import platformdirs

    return platformdirs.user_cache_path("newstui")


def config_folder() -> Path:
    """config.toml."""
    import platformdirs

    return platformdirs.user_config_path("newstui")
