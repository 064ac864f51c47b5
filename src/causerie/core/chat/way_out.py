"""For each kind of failure: the plain sentence the user reads and the ways out the UI offers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from causerie.core.chat.errors import ChatError

# The actions a notice can offer; the UI maps each to a button and a key.
RETRY = "retry"
SUMMARIZE = "summarize"
TRIM = "trim"
CONTINUE = "continue"
PICK_MODEL = "pick_model"
WITHOUT_TOOLS = "without_tools"  # send the same request again without `tools`
WITHOUT_ATTACHMENTS = "without_attachments"

# What servers say when a model cannot read an image or a file part: OpenAI ("Invalid content type. image_url is
# only supported by certain models"), vLLM / llama.cpp / Ollama ("does not support image input", "no vision",
# "multimodal", "image input is not supported", "unsupported content part type").
_REFUSES_ATTACHMENTS_RE = re.compile(
    r"image_url|image input|images? (?:are |is )?not supported|vision|multimodal|mmproj|content type|"
    r"content part|file_data|input_file|does not support (?:images?|files?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WayOut:
    """What to tell the user after a failure and what they can do next."""

    text: str
    actions: tuple[str, ...]


def key_hint(api_key: str | None) -> str:
    """The most of a key that may be shown: its last four characters (and only of a key long enough)."""
    if not api_key:
        return "the API key (none is set)"
    return f"the API key ending in …{api_key[-4:]}" if len(api_key) >= 12 else "the API key"


def way_out(
    error: ChatError,
    *,
    api_key: str | None = None,
    key_source: str = "",
    partial: bool = False,
    policy: str = "summarize",
    attachments: bool = False,
) -> WayOut:
    """The sentence and the ways out for `error` (`partial`: some of the reply had arrived; `attachments`: the
    request carried images or files)."""
    kind = error.kind
    if attachments and refuses_attachments(error):
        return WayOut(
            "The model or server did not accept the attached image or file (it reads text only, or not this "
            "kind of file). Send the message again without its attachments, or pick a model that reads images.",
            (WITHOUT_ATTACHMENTS, PICK_MODEL),
        )
    if kind == "auth":
        where = f" It is read from {key_source}." if key_source else ""
        return WayOut(
            f"The server refused {key_hint(api_key)}: it is wrong, revoked or missing.{where} "
            "Set a valid key (see `causerie config`), restart causerie, then press ctrl+r to send again.",
            (RETRY,),
        )
    if kind == "quota":
        return WayOut(
            "The account's quota or credit is used up. Check the plan and billing page of your provider; "
            "nothing is retried automatically. Your message is kept: press ctrl+r once it is sorted out.",
            (RETRY,),
        )
    if kind == "context_length":
        limit = f" ({error.context_limit:,} tokens)" if error.context_limit else ""
        if policy == "off":
            hint = "The context policy is off: summarize or trim the older messages and send again."
        else:
            hint = "Press ctrl+r to shorten the context and send again."
        return WayOut(
            f"The conversation is longer than the model's context window{limit}. {hint}",
            (SUMMARIZE, TRIM),
        )
    if kind == "model_not_found":
        return WayOut(
            "The model is not available on this server (the name is wrong, or it has been shut down). "
            "Pick another model, then press ctrl+r.",
            (PICK_MODEL, RETRY),
        )
    if kind == "tools_rejected":
        return WayOut(
            f"{error.message} Your message is kept: send it again without tools, or pick another model.",
            (WITHOUT_TOOLS, PICK_MODEL),
        )
    if kind == "rate_limit":
        return WayOut(f"{error.message} Press ctrl+r to try again.", (RETRY,))
    if partial:
        return WayOut(
            f"{error.message} The reply so far is kept and marked as interrupted: "
            "press ctrl+r to ask again, or continue it from where it stopped.",
            (RETRY, CONTINUE),
        )
    return WayOut(f"{error.message} Your message is kept: press ctrl+r to try again.", (RETRY,))


def refuses_attachments(error: ChatError) -> bool:
    """Whether a 4xx answer says the model or server cannot take an image or file content part."""
    if error.kind not in ("bad_request", "unknown"):
        return False
    return bool(_REFUSES_ATTACHMENTS_RE.search(f"{error.message} {error.detail or ''}"))
