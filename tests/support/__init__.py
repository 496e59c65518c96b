"""Helpers shared by the test folders, importable as `support.*` from any of them
(`pythonpath = ["tests"]` in pyproject.toml):

- `support.core`          the repository's paths, running the real `newstui` command
- `support.reader`        reading a running reader's screen under Pilot
- `support.pty_terminal`  a program in a real pseudo-terminal, read through pyte
- `support.batches`       article files written in batches (imports, concurrency)
"""
