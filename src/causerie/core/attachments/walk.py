"""The files a picker offers: a walk of the working directory that yields as it goes and stops at a stated number.

Hidden files and directories (a leading dot, `.git` among them) are skipped, and `.gitignore` files are respected
where they stand (each applies below its own directory). The walk is breadth-first, so the files a user most likely
means (near the top) come first, and a start in a home directory of 50,000 files stays quick: it stops at `limit`.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

DEFAULT_LIMIT = 20_000


@dataclass
class Walk:
    """A walk in progress: iterate for relative paths (POSIX form); `truncated` says whether it stopped early."""

    root: Path
    limit: int = DEFAULT_LIMIT
    truncated: bool = False
    found: int = 0
    _started: bool = field(default=False, repr=False)

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("a walk runs once")
        self._started = True
        queue: deque[tuple[Path, str, tuple[tuple[str, pathspec.PathSpec], ...]]] = deque()
        queue.append((self.root, "", ()))
        while queue:
            directory, prefix, specs = queue.popleft()
            own = _gitignore(directory)
            if own is not None:
                specs = (*specs, (prefix, own))
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                relative = prefix + entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_file = not is_dir and entry.is_file()
                except OSError:
                    continue
                if _ignored(specs, relative, is_dir):
                    continue
                if is_dir:
                    queue.append((Path(entry.path), relative + "/", specs))
                elif is_file:
                    if self.found >= self.limit:
                        self.truncated = True
                        return
                    self.found += 1
                    yield relative


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())


def _ignored(specs: tuple[tuple[str, pathspec.PathSpec], ...], relative: str, is_dir: bool) -> bool:
    for base, spec in specs:
        inner = relative[len(base) :]
        if spec.match_file(inner + "/" if is_dir else inner):
            return True
    return False


def fuzzy_score(query: str, path: str) -> int | None:
    """How well `path` matches `query` typed in a picker (higher is better), or None when it does not.

    Every character of the query must appear in order (case-insensitive). The query whole inside the file name
    scores most, then inside the path; then characters in a run, at the start of a word or in the file name score
    more; a shorter path wins a tie.
    """
    if not query:
        return 0
    lowered = path.lower()
    name_start = lowered.rfind("/") + 1
    whole = query.lower().replace(" ", "")
    score = 0
    if whole in lowered[name_start:]:
        score += 20 if lowered.startswith(whole, name_start) else 15
    elif whole in lowered:
        score += 10
    position = -1
    previous = -2
    for char in query.lower():
        if char == " ":
            continue
        position = lowered.find(char, position + 1)
        if position < 0:
            return None
        score += 1
        if position == previous + 1:
            score += 4
        if position == 0 or lowered[position - 1] in "/_-. ":
            score += 3
        if position >= name_start:
            score += 2
        previous = position
    return score * 100 - len(path)
