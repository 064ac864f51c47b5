"""The user's `[keymap]` table checked against the binding ids causerie declares."""

from __future__ import annotations

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
        cleaned = ",".join(k.strip() for k in str(keys).split(",") if k.strip())
        if binding_id not in known:
            errors.append(f"{binding_id!r} is not a binding id (F1 lists them); ignored.")
        elif not cleaned:
            errors.append(f"{binding_id!r} has no key; ignored.")
        else:
            usable[binding_id] = cleaned
    return usable, errors
