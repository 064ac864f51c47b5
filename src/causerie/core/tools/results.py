"""Checking a call's arguments against the tool's schema, and a tool's answer as the text the model reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_RESULT_CHARS = 20_000  # about 5,000 tokens: larger results are cut, with a note saying so

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


@dataclass(frozen=True)
class ToolResult:
    """What a call gave: the text sent back to the model, whether it is an error, and how long it took."""

    text: str
    is_error: bool
    duration_s: float


def parse_arguments(arguments_json: str, schema: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """(arguments, "") when `arguments_json` is a JSON object matching the schema's top level, else (None, why).

    The check is the part models get wrong (not JSON, a missing required property, a wrong basic type); the server
    validates the rest and answers with an error result of its own.
    """
    text = arguments_json.strip() or "{}"
    try:
        arguments = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, f"The arguments are not valid JSON ({exc}). Call the tool again with a JSON object."
    if not isinstance(arguments, dict):
        return None, "The arguments must be a JSON object."
    required = schema.get("required") if isinstance(schema, dict) else None
    missing = [name for name in required or () if isinstance(name, str) and name not in arguments]
    if missing:
        return None, f"Missing required argument(s): {', '.join(missing)}."
    properties = schema.get("properties") if isinstance(schema, dict) else None
    for name, value in arguments.items():
        spec = properties.get(name) if isinstance(properties, dict) else None
        wanted = spec.get("type") if isinstance(spec, dict) else None
        kinds = [wanted] if isinstance(wanted, str) else wanted if isinstance(wanted, list) else []
        known = [k for k in kinds if k in _JSON_TYPES]
        if known and not any(_is_type(value, kind) for kind in known):
            return None, f"Argument {name!r} must be of type {' or '.join(known)}."
    return arguments, ""


def _is_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES[kind])


def result_text(content: list[Any], structured: Any) -> str:
    """The text of a tool's answer: text blocks as they are, other blocks named, structured content as JSON."""
    parts: list[str] = []
    for block in content or ():
        kind = getattr(block, "type", "")
        if kind == "text":
            parts.append(str(getattr(block, "text", "")))
        elif kind in ("image", "audio"):
            parts.append(f"[{kind} ({getattr(block, 'mime_type', '') or 'unknown type'}) not shown]")
        elif kind == "resource_link":
            parts.append(f"[resource {getattr(block, 'uri', '')}]")
        elif kind == "resource":
            resource = getattr(block, "resource", None)
            text = getattr(resource, "text", None)
            parts.append(text if isinstance(text, str) else f"[resource {getattr(resource, 'uri', '')}]")
        else:
            parts.append(f"[{kind or 'unknown'} content not shown]")
    if not parts and structured is not None:
        parts.append(json.dumps(structured, ensure_ascii=False))
    return "\n".join(parts)


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and a note giving the full size."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[cut by causerie: the result was {len(text):,} characters; the first {limit:,} are shown]"
