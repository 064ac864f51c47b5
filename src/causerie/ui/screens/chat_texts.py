"""What the chat screen says when it opens: the welcome line, or how to configure a key or a server."""

from __future__ import annotations

from causerie.core.settings.config import Settings


def no_key_help(settings: Settings) -> str:
    """What to do when no key or server is configured."""
    return (
        "No API key is configured, so causerie cannot send messages yet. Saved conversations stay readable.\n\n"
        f"To use OpenAI: set the key in {settings.api_key_source} (for example "
        "`export OPENAI_API_KEY=sk-...` in your shell) and start causerie again.\n"
        "To use a local OpenAI-compatible server instead, start causerie with --base-url:\n"
        "  Ollama     causerie --base-url http://localhost:11434/v1\n"
        "  llama.cpp  causerie --base-url http://localhost:8080/v1\n"
        "  vLLM       causerie --base-url http://localhost:8000/v1\n"
        "  LM Studio  causerie --base-url http://localhost:1234/v1"
    )


WELCOME = "Type a message and press Enter to send it (ctrl+j or alt+enter for a new line; Esc stops a reply)."
