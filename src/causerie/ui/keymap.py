"""The user's `[keymap]` table checked against the binding ids causerie declares."""

from __future__ import annotations

import re

from textual.binding import Binding
from textual.dom import DOMNode


def declared_binding_ids() -> set[str]:
    """Ids of every Binding declared by a causerie widget, screen or app class imported so far."""
    ids: set[str] = set()
    pending: list[type] = [DOMNode]
    seen: set[type] = set()
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("causerie."):
            for base in cls.__mro__:
                for binding in Binding.make_bindings(base.__dict__.get("BINDINGS", [])):
                    if binding.id:
                        ids.add(binding.id)
    return ids


def check_keymap(keymap: dict[str, str], known: set[str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The usable part of a keymap and one sentence per entry that was left out."""
    known = declared_binding_ids() if known is None else known
    usable: dict[str, str] = {}
    errors: list[str] = []
    for binding_id, keys in keymap.items():
        named = [k.strip() for k in str(keys).split(",") if k.strip()]
        if binding_id not in known:
            errors.append(f"{binding_id!r} is not a binding id (F1 lists them); ignored.")
            continue
        for key in named:
            if not is_key_name(key):
                errors.append(f"{binding_id!r}: {key!r} is not a key name (as f9, ctrl+n, question_mark); ignored.")
        cleaned = ",".join(k for k in named if is_key_name(k))
        if cleaned:
            usable[binding_id] = cleaned
        elif not named:
            errors.append(f"{binding_id!r} has no key; ignored.")
    return usable, errors


_KEY_PART_RE = re.compile(r"[A-Za-z0-9_]+|[^\s+]")  # a key's name (f9, question_mark) or one character (?, é)


def is_key_name(key: str) -> bool:
    """True for a key as Textual names one: modifiers and a key joined by `+` (`ctrl+n`, `f9`, `?`, `ctrl++`).

    Anything else can never be pressed, and would be shown in the footer and in F1 as the user wrote it.
    """
    if key.endswith("++"):  # ctrl++: the plus key with a modifier
        key = key[:-2] + "+plus"
    return key == "+" or all(_KEY_PART_RE.fullmatch(part) and part.isprintable() for part in key.split("+"))
