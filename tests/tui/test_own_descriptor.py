"""The reader draws through a descriptor of its own, so the search index's moment of
pointing fd 2 at /dev/null (to keep a Rust panic off the screen) cannot swallow a
frame: a character typed into the search box was seen to stay missing."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_a_frame_drawn_while_the_index_is_working_reaches_the_terminal() -> None:
    # In a child process: it rewires its own fd 2 (a pipe standing in for the terminal).
    script = textwrap.dedent("""
        import asyncio, os, sys
        read_end, write_end = os.pipe()
        os.dup2(write_end, 2)
        sys.__stderr__ = os.fdopen(2, "w", encoding="utf-8", errors="replace")
        from newstui.tui.job_control import LowBandwidthReaderDriver, ReaderDriver
        from newstui.search import _native_calls
        async def draw() -> None:  # a driver is made inside the app's event loop
            for kind in (ReaderDriver, LowBandwidthReaderDriver):
                driver = kind(None, debug=False, mouse=False, size=None)
                with _native_calls():          # fd 2 is /dev/null meanwhile
                    driver._file.write(f"frame from {kind.__name__}\\n")
                    driver._file.flush()
                driver._file.flush()
        asyncio.run(draw())
        os.close(write_end)
        sys.__stderr__.close()
        sys.stdout.write(os.read(read_end, 4096).decode())
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "frame from ReaderDriver" in done.stdout
    assert "frame from LowBandwidthReaderDriver" in done.stdout
