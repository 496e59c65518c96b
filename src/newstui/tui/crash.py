"""A crash in the reader — a bug, in a handler or on a background worker — said in
one line. The reader's own failures are one line on stderr (house style); a crash is
no different for the person reading: the terminal back as it was, what went wrong in
one line, exit status 1. The traceback, for a bug report, goes to a file the line
names, not across the terminal."""

from __future__ import annotations

import os
import tempfile
import traceback

from textual.worker import WorkerFailed

from newstui.inert import inert


def crash_line(error: BaseException) -> str:
    """The line to print for `error` (after the terminal is given back); writes its
    traceback to a file in the temporary folder, named in the line."""
    cause = error.error if isinstance(error, WorkerFailed) else error
    where = " on a background worker" if isinstance(error, WorkerFailed) else ""
    what = f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__
    line = f"the reader stopped on an internal error{where}: {inert(what)}"
    try:
        descriptor, path = tempfile.mkstemp(prefix="newstui-crash-", suffix=".txt")
        with os.fdopen(descriptor, "w", encoding="utf-8") as report:
            report.writelines(traceback.format_exception(type(cause), cause,
                                                         cause.__traceback__))
    except OSError:
        return line
    return f"{line} (traceback in {inert(path)})"
