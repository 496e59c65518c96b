"""The reference for case 4: an SQLite FTS5 index built from the same files newstui
imports, by the plainest reading (first non-empty line the headline, the rest the body).
`python bench/fts_import.py OUT.sqlite PATH...`"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures import fill_fts


def rows(paths: list[str]) -> Iterator[tuple[str, str, None, None, None, str, None]]:
    for top in paths:
        for folder, _dirs, files in sorted(os.walk(top)):
            for name in sorted(files):
                if not name.endswith(".txt"):
                    continue
                data = (Path(folder) / name).read_bytes()
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    text = data.decode("latin-1")
                lines = [line for line in text.splitlines() if line.strip()]
                if lines:
                    yield (name, lines[0], None, None, None, "\n".join(lines[1:]), None)


def main() -> None:
    out, *paths = sys.argv[1:]
    Path(out).unlink(missing_ok=True)
    connection = sqlite3.connect(out)
    count = fill_fts(connection, rows(paths))
    connection.close()
    print(f"indexed {count}")


if __name__ == "__main__":
    main()
