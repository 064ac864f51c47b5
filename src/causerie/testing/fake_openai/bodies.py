"""Error bodies exactly as OpenAI and other OpenAI-compatible servers send them, and the fake's token count."""

from __future__ import annotations

from typing import Any


def error_body(code: str | None, message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    """An error body shaped exactly like OpenAI's."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


INVALID_KEY = error_body(
    "invalid_api_key",
    "Incorrect API key provided: sk-test****. You can find your API key at https://platform.openai.com/account/api-keys.",
)
INSUFFICIENT_QUOTA = error_body(
    "insufficient_quota",
    "You exceeded your current quota, please check your plan and billing details.",
    "insufficient_quota",
)
RATE_LIMITED = error_body(
    "rate_limit_exceeded",
    "Rate limit reached for gpt-6-luna in organization org-x on requests per min (RPM): Limit 3, Used 3.",
    "requests",
)
CONTEXT_TOO_LONG = error_body(
    "context_length_exceeded",
    "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
)
MODEL_NOT_FOUND = error_body(
    "model_not_found", "The model `gpt-3.5-turbo` does not exist or you do not have access to it."
)
STREAM_OPTIONS_REJECTED = error_body(
    None,
    "Unrecognized request argument supplied: stream_options",
)


def unsupported_param(name: str, value: object = None) -> dict[str, Any]:
    """OpenAI's 400 for a parameter the model does not take (`value` given: for a value it does not take)."""
    if value is None:
        message, code = f"Unsupported parameter: '{name}' is not supported with this model.", "unsupported_parameter"
    else:
        message, code = f"Unsupported value: '{name}' does not support {value!r} with this model.", "unsupported_value"
    return {"error": {"message": message, "type": "invalid_request_error", "param": name, "code": code}}


# A model or server that cannot call tools, as Ollama words it.
TOOLS_REJECTED = {
    "error": {
        "message": "registry.ollama.ai/library/gemma:2b does not support tools",
        "type": "api_error",
        "param": None,
        "code": None,
    }
}
# Context overflow as other OpenAI-compatible servers word it.
LLAMACPP_CONTEXT = {
    "error": {
        "code": 400,
        "message": "the request exceeds the available context size. try increasing the context size or enable "
        "context shift",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 14429,
        "n_ctx": 8192,
    }
}
VLLM_CONTEXT = {
    "object": "error",
    "message": "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens "
    "(4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
    "type": "BadRequestError",
    "param": None,
    "code": 400,
}
OLLAMA_CONTEXT = {"error": {"message": "input length exceeds the context length", "type": "api_error", "param": None}}
HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    b"</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def context_error(window: int, tokens: int) -> dict[str, Any]:
    """OpenAI's context_length_exceeded body for a prompt of `tokens` against a `window`."""
    return error_body(
        "context_length_exceeded",
        f"This model's maximum context length is {window} tokens. However, your messages resulted in {tokens} "
        "tokens. Please reduce the length of the messages.",
    )


def prompt_tokens_of(body: Any) -> int:
    """The fake's own token count of a request: about 4 characters a token, plus 4 per message."""
    messages = body.get("messages", []) if isinstance(body, dict) else []
    return sum(len(str(m.get("content", ""))) // 4 + 4 for m in messages)
