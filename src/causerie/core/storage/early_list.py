"""EarlyListing: list the conversations in a child process while the app imports and draws its first screen.

Listing 10,000 conversations from a warm index costs about 0.2 s of CPU (read index.json, stat every file). In
the app's own process it competes with the start for the interpreter lock; in a forked child it runs on the
other core, and the first screen gets the list for the price of unpickling it. Only where `fork` is safe (a POSIX
system other than macOS, and before any thread exists); anywhere else, or if anything goes wrong, the app lists
in its own process as before. A listing that would have to parse many files (first start, lost index) is left to
the app, which shows its progress.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from pathlib import Path

from causerie.core.storage.documents import Problem, Summary

MANY_STALE = 200  # files to parse before the child gives the listing back to the app (which shows progress)


def fork_is_safe() -> bool:
    """Whether this process may fork a child that runs Python (POSIX, not macOS, one thread)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


class EarlyListing:
    """A listing started in a child process; `result()` collects it."""

    def __init__(self, data_dir: Path) -> None:
        self._pid: int | None = None
        self._fd: int | None = None
        if not fork_is_safe():
            return
        try:
            read_end, write_end = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: list, write the result, leave without running the parent's exit handlers
            code = 1
            try:
                os.close(read_end)
                data = pickle.dumps(_list(data_dir), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: BLE001, S110 - the parent lists by itself
                pass
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid, self._fd = pid, read_end

    def result(self) -> tuple[list[Summary], list[Problem]] | None:
        """The child's (summaries newest first, problems), waiting for it; None: list in this process instead."""
        if self._fd is None or self._pid is None:
            return None
        fd, pid = self._fd, self._pid
        self._fd = self._pid = None
        try:
            with os.fdopen(fd, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            if not data or not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
                return None
            summaries, problems = pickle.loads(data)  # noqa: S301 - written by our own child just now
        except (OSError, EOFError, ValueError, pickle.UnpicklingError, TypeError):
            return None
        if not isinstance(summaries, list) or not isinstance(problems, list):
            return None
        return summaries, problems


def _list(data_dir: Path) -> tuple[list[Summary], list[Problem]]:
    from causerie.core.storage.store import ConversationStore

    store = ConversationStore(data_dir)
    summaries = store.list(parse_at_most=MANY_STALE)  # many to parse: TooMuchToParse, the app lists with progress
    return summaries, store.problems()
