"""Exposed tool names: `server__tool`, unique across servers and within the API's 64 characters and alphabet."""

from __future__ import annotations

import hashlib
import re

MAX_NAME = 64  # the Chat Completions API's limit for a function name
SEPARATOR = "__"
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")


def exposed_name(server: str, tool: str, taken: set[str]) -> str:
    """The name the model sees for `tool` of `server`, not in `taken` (which it is added to).

    Characters the API does not accept become `_`; a name too long, or one that collides after that, ends with a
    short hash of the real server and tool names, so it stays stable from one session to the next.
    """
    name = _NOT_ALLOWED.sub("_", f"{server}{SEPARATOR}{tool}")
    if len(name) > MAX_NAME or name in taken:
        digest = hashlib.sha256(f"{server}\x00{tool}".encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}_{digest}"
        while name in taken:  # two hashes alike: astronomically unlikely, still never a duplicate
            digest = hashlib.sha256(digest.encode()).hexdigest()[:8]
            name = f"{name[: MAX_NAME - 9]}_{digest}"
    taken.add(name)
    return name
