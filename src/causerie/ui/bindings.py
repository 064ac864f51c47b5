"""The bindings a screen offers, read from the widgets themselves: the source of the help screen and the palette."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

GROUP_TITLES = {
    "app": "Application",
    "chat": "Conversation",
    "history": "History",
    "prompt": "Prompt",
    "message": "Messages",
    "messages": "Messages",
    "search": "Search",
    "dialog": "Dialogs",
    "queue": "Queued prompts",
    "queue_dialog": "Dialogs",
    "help": "Help",
}


@dataclass(frozen=True)
class BoundAction:
    """One binding as the user sees it: its id, its keys (after the keymap) and where it acts."""

    id: str
    keys: tuple[str, ...]
    description: str
    detail: str
    """The first line of the action's docstring (or the description)."""
    action: str
    node: DOMNode
    group: str
    runnable: bool
    """False for a binding of a widget shown many times (a message) when none of them has focus."""


def class_bindings(node: DOMNode) -> list[Binding]:
    """The bindings a node's class declares (its own and inherited), subclass first, one per id with all its keys."""
    found: dict[str, Binding] = {}
    overridden: set[str] = set()
    for cls in type(node).__mro__:
        declared = Binding.make_bindings(cls.__dict__.get("BINDINGS", []))
        for binding in declared:
            name = binding.id or f"{binding.action}:{binding.key}"
            if name in overridden:
                continue
            if name in found:
                found[name] = replace(found[name], key=f"{found[name].key},{binding.key}")
            else:
                found[name] = binding
        overridden.update(found)  # a subclass's binding replaces the base class's one with the same id
    return list(found.values())


def action_detail(node: DOMNode, action: str) -> str:
    """The first line of the docstring of causerie's method an action calls, or '' (Textual's own are terse)."""
    name = action.split("(", 1)[0].rsplit(".", 1)[-1]
    target = node.app if action.startswith("app.") else node
    method = getattr(target, f"action_{name}", None)
    if not getattr(method, "__module__", "").startswith("causerie."):
        return ""
    doc = (getattr(method, "__doc__", None) or "").strip()
    return doc.splitlines()[0].strip() if doc else ""


def group_of(binding_id: str) -> str:
    """The help-screen section of a binding id ('history.rename' -> 'History')."""
    prefix = binding_id.split(".", 1)[0]
    return GROUP_TITLES.get(prefix, prefix.replace("_", " ").capitalize())


def keys_of(app: App, binding: Binding, keymap: dict[str, str]) -> tuple[str, ...]:
    """The keys of a binding after the user's keymap, formatted as the footer shows them."""
    remapped = bool(binding.id) and binding.id in keymap
    if binding.key_display and not remapped:
        return (binding.key_display,)
    keys = keymap[binding.id] if remapped and binding.id else binding.key
    shown = (app.get_key_display(replace(binding, key=k.strip(), key_display=None)) for k in keys.split(","))
    return tuple(dict.fromkeys(k for k in shown if k))


def key_text(app: App, bindings: Iterable[Binding], binding_id: str) -> str:
    """The key(s) of one binding as the footer shows them, after the user's keymap: what a sentence should name."""
    binding = next(b for b in bindings if b.id == binding_id)
    return "/".join(keys_of(app, binding, getattr(app, "user_keymap", {})))


def bound_actions(screen: Screen, keymap: dict[str, str] | None = None) -> list[BoundAction]:
    """Every binding with an id on this screen (focused widgets first, then the rest, the screen, the app)."""
    app = screen.app
    keymap = keymap if keymap is not None else getattr(app, "user_keymap", {})
    focus_chain: list[DOMNode] = list(screen.focused.ancestors_with_self) if screen.focused is not None else []
    others = [node for node in screen.walk_children(with_self=True) if node not in focus_chain]
    counts = Counter(type(node) for node in others)
    nodes: list[DOMNode] = [*focus_chain, *others, app]
    entries: dict[str, BoundAction] = {}
    for node in _unique(nodes):
        runnable = node in focus_chain or counts[type(node)] <= 1
        for binding in class_bindings(node):
            if not binding.id or binding.id in entries:
                continue
            if binding.system:
                continue
            entries[binding.id] = BoundAction(
                id=binding.id,
                keys=keys_of(app, binding, keymap),
                description=binding.description or binding.action,
                detail=action_detail(node, binding.action) or binding.description or binding.action,
                action=binding.action,
                node=node,
                group=group_of(binding.id),
                runnable=runnable,
            )
    return list(entries.values())


def _unique(nodes: Iterable[DOMNode]) -> Iterable[DOMNode]:
    seen: set[int] = set()
    for node in nodes:
        if id(node) not in seen:
            seen.add(id(node))
            yield node
