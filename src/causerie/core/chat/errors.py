"""ChatError: every failure of a chat request, classified into a kind with a plain sentence and a way out."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

KINDS = (
    "auth",
    "quota",
    "rate_limit",
    "context_length",
    "model_not_found",
    "bad_request",
    "server",
    "timeout",
    "network",
    "stream",
    "tools_rejected",
    "unknown",
)

_HTML_RE = re.compile(r"<\s*(html|!doctype|head|body)\b", re.IGNORECASE)


@dataclass
class ChatError(Exception):
    """A failed chat request: `kind` (one of KINDS), a plain `message`, and what helps."""

    kind: str
    message: str
    retry_after: float | None = None
    request_id: str | None = None
    status: int | None = None
    detail: str = ""
    context_limit: int | None = None  # the window the server named in a context_length error
    param: str | None = None  # the request parameter the server refused (400 "Unsupported parameter: 'x'")

    def __str__(self) -> str:
        return self.message

    @property
    def retryable(self) -> bool:
        """Whether retrying the same request automatically can help."""
        return self.kind in ("rate_limit", "server", "timeout", "network", "stream")


_TOOLS_REJECTED_PHRASES = (
    "does not support tools",
    "does not support tool",
    "tools param requires",
    "tools are not supported",
    "tool calling is not supported",
    "tool use is not supported",
    "argument supplied: tools",
    "unrecognized request argument supplied: tool",
    'auto" tool choice requires',
)


def tools_rejection(error: ChatError) -> ChatError:
    """`error` as kind `tools_rejected` when it is a refusal of the request's `tools` (a model or server that cannot
    call tools: Ollama, llama.cpp without --jinja, vLLM without --enable-auto-tool-choice), else `error` unchanged.
    """
    if error.kind not in ("bad_request", "server", "model_not_found", "unknown"):
        return error
    text = f"{error.detail} {error.message}".lower()
    if not any(phrase in text for phrase in _TOOLS_REJECTED_PHRASES):
        return error
    return ChatError(
        "tools_rejected",
        "The server or the model does not accept tools: send again without them, or pick a model that calls tools.",
        error.retry_after,
        error.request_id,
        error.status,
        error.detail,
    )


def short_detail(text: str, limit: int = 200) -> str:
    """A one-line excerpt of a server's message, never a dump of HTML."""
    if not text:
        return ""
    if _HTML_RE.search(text):
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        return f"the server answered with an HTML page{f' ({title.group(1).strip()})' if title else ''}"
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def redact(text: str, secret: str | None) -> str:
    """Remove a secret (the API key) from text that may be shown or logged."""
    if secret and len(secret) >= 4 and secret in text:
        text = text.replace(secret, f"…{secret[-4:]}")
    return text


def parse_retry_after(headers: dict[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds), if the server said."""
    if not headers:
        return None
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        if "retry-after-ms" in lower:
            return max(0.0, float(lower["retry-after-ms"]) / 1000.0)
        if "retry-after" in lower:
            return max(0.0, float(lower["retry-after"]))
    except ValueError:
        return None
    return None


_CONTEXT_PHRASES = (
    "maximum context length",
    "exceeds the available context size",
    "exceed context window",
    "exceeds the context window",
    "exceeds context window",
    "prompt is too long",
    "input length exceeds",
    "context size has been exceeded",
)
_LIMIT_RES = (
    re.compile(r"maximum context length is (\d[\d,]*) tokens"),
    re.compile(r"context window of (\d[\d,]*)"),
    re.compile(r"context length (?:of |is )?(\d[\d,]*)"),
)


def is_context_overflow(lowered: str) -> bool:
    """Whether an error message (lower case) says the prompt is longer than the model's window.

    Covers OpenAI and vLLM ("maximum context length is N tokens"), llama.cpp ("the request exceeds the available
    context size"), llama-cpp-python ("Requested tokens (N) exceed context window of M"), Ollama ("input length
    exceeds the context length") and similar wordings.
    """
    if any(phrase in lowered for phrase in _CONTEXT_PHRASES):
        return True
    return ("context length" in lowered or "context window" in lowered or "context size" in lowered) and (
        "exceed" in lowered or "too long" in lowered
    )


def context_limit_of(text: str) -> int | None:
    """The window size a context-length error names ("maximum context length is 8192 tokens"), if any."""
    lowered = text.lower()
    for pattern in _LIMIT_RES:
        match = pattern.search(lowered)
        if match:
            return int(match.group(1).replace(",", ""))
    return None


def _parsed(body: object) -> object:
    """An error body given as text, parsed if it is JSON (nested too deep to parse: kept as text)."""
    if isinstance(body, str):
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            return body
    return body


def _int_field(body: object, name: str) -> int | None:
    body = _parsed(body)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get(name), int):
            return int(inner[name])
    return None


def _body_fields(body: object) -> tuple[str, str, str]:
    """(code, type, message) from an error body of any of the usual shapes."""
    body = _parsed(body)
    if isinstance(body, str):
        return "", "", body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return (
                str(inner.get("code") or ""),
                str(inner.get("type") or ""),
                str(inner.get("message") or ""),
            )
        if isinstance(inner, str):
            return "", "", inner
    return "", "", ""


_REFUSED_RE = re.compile(
    r"(?:unsupported (?:parameter|value)|unrecognized request argument supplied|unknown parameter|"
    r"extra inputs are not permitted)\W+'?([A-Za-z_][A-Za-z0-9_.]{0,99})",
    re.IGNORECASE,
)


def refused_param(status: int | None, code: str, body: object, text: str) -> str | None:
    """The parameter a 400 names as not accepted (OpenAI's `unsupported_parameter` / `unsupported_value`, or
    the wording of compatible servers), else None."""
    if status != 400:
        return None
    param = None
    if isinstance(body, dict) and isinstance(body.get("error", body), dict):
        candidate = body.get("error", body).get("param")
        param = candidate if isinstance(candidate, str) and candidate else None
    if param and code in ("unsupported_parameter", "unsupported_value"):
        return param.split(".")[0]
    match = _REFUSED_RE.search(text)
    if match is None:
        return None
    return match.group(1).split(".")[0]


def classify(
    *,
    status: int | None,
    body: object = None,
    code: str | None = None,
    message: str = "",
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
    base_url: str = "",
    key_source: str = "",
) -> ChatError:
    """Turn a server answer (status, body, headers) into a ChatError with a plain sentence."""
    body_code, body_type, body_message = _body_fields(body)
    code = str(code or body_code or "").lower()
    kind_hint = body_type.lower()
    text = body_message or message or ""
    lowered = text.lower()
    detail = short_detail(text)
    retry_after = parse_retry_after(headers)

    def make(kind: str, sentence: str) -> ChatError:
        return ChatError(kind, sentence, retry_after, request_id, status, detail)

    if status == 401 or code == "invalid_api_key" or "incorrect api key" in lowered or "invalid api key" in lowered:
        where = f" It is read from {key_source}." if key_source else ""
        return make("auth", f"The server refused the API key (it is wrong, revoked or missing).{where}")
    if code == "insufficient_quota" or kind_hint == "insufficient_quota" or "exceeded your current quota" in lowered:
        return make("quota", "The account's quota or credit is used up: check the billing page of your provider.")
    if (
        code in ("context_length_exceeded", "string_above_max_length")
        or kind_hint == "exceed_context_size_error"
        or (is_context_overflow(lowered))
    ):
        error = make("context_length", "The conversation is longer than the model's context window.")
        error.context_limit = context_limit_of(text) or _int_field(body, "n_ctx")
        return error
    if status == 400 and "stream_options" in lowered:
        return make("bad_request", "The server does not accept the stream_options parameter.")
    refused = refused_param(status, code, body, text)
    if refused is not None:
        error = make("bad_request", f"The server does not accept the parameter {refused!r} for this model.")
        error.param = refused
        return error
    if status == 429 or code in ("rate_limit_exceeded", "rate_limit") or "rate limit" in lowered:
        wait = f" The server asks to wait {retry_after:.0f} s." if retry_after and retry_after >= 1 else ""
        return make("rate_limit", f"The server is rate-limiting requests.{wait}")
    if code == "model_not_found" or status == 404 or ("model" in lowered and "not found" in lowered):
        return make("model_not_found", "The model is not available on this server (wrong name or shut down).")
    if status is not None and status >= 500:
        if _HTML_RE.search(text):
            return make("server", f"The server or a proxy in front of it failed (HTTP {status}, an HTML error page).")
        return make("server", f"The server had an error (HTTP {status}).")
    if status is not None and 400 <= status < 500:
        return make("bad_request", f"The server rejected the request (HTTP {status}).")
    if status is None and text:
        return make("stream", "The server reported an error in the middle of the reply.")
    return make("unknown", "The request failed.")
