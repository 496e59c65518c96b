"""The core (and the non-UI CLI commands) must work without importing Textual."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from support.core import SAMPLES

CHECK = textwrap.dedent("""
    import sys
    import newstui.article, newstui.rawtext, newstui.importer, newstui.store
    import newstui.search, newstui.query, newstui.archive, newstui.render, newstui.cli
    import newstui.model, newstui.saver, newstui.listing, newstui.highlight
    assert "textual" not in sys.modules, "importing the core imported textual"
    from newstui.cli import main
    status = main(["--db", sys.argv[1], "import", "-q", sys.argv[2]])
    assert status == 0, status
    status = main(["--db", sys.argv[1], "list", "--limit", "3"])
    assert status == 0, status
    status = main(["--db", sys.argv[1], "search", "harbour"])
    assert status == 0, status
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    print("TEXTUAL:", loaded)
""")


def test_core_and_cli_commands_do_not_import_textual(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK, str(tmp_path / "s.json"), str(SAMPLES)],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "TEXTUAL: []" in done.stdout
    assert len([line for line in done.stdout.splitlines() if "  " in line]) >= 3  # list rows
