"""`causerie ask "prompt"`: one turn from the shell, streamed to stdout and saved in the same history as the app."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from causerie.commands import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NO_SERVER,
    EXIT_OK,
    EXIT_REQUEST,
    EXIT_USAGE,
    CommandError,
    guarded,
    last_conversation_id,
    load_conversation,
    open_store,
    settings_from,
)
from causerie.core.conversation.models import Conversation, Message
from causerie.core.safe_text import sanitize
from causerie.core.settings.config import Settings
from causerie.core.storage.store import ConversationStore, StoreError


def fence(text: str) -> str:
    """`text` in a code fence longer than any backtick run inside it."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    marks = "`" * max(3, longest + 1)
    return f"{marks}\n{text.rstrip(chr(10))}\n{marks}"


def build_prompt(words: list[str], stdin: TextIO | None) -> str:
    """The prompt: the words, then piped input attached in a code fence (or the piped input alone)."""
    prompt = " ".join(words).strip()
    piped = ""
    if stdin is not None and not stdin.isatty():
        piped = stdin.buffer.read().decode("utf-8", errors="replace") if hasattr(stdin, "buffer") else stdin.read()
    if piped.strip():
        return f"{prompt}\n\n{fence(piped)}" if prompt else piped
    return prompt


class _Output:
    """Where the reply goes: plain text as it arrives, or Markdown rendered live on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text = ""
        self._live = None
        if stream.isatty():
            from rich.console import Console
            from rich.live import Live
            from rich.markdown import Markdown

            self._markdown = Markdown
            self._live = Live(
                Markdown(""), console=Console(file=stream), refresh_per_second=8, vertical_overflow="visible"
            )
            self._live.start()

    def write(self, text: str) -> None:
        self.text += text
        if self._live is not None:
            self._live.update(self._markdown(self.text))
        else:
            self.stream.write(text)
            self.stream.flush()

    def close(self) -> None:
        if self._live is not None:
            self._live.update(self._markdown(self.text), refresh=True)
            self._live.stop()
        elif self.text and not self.text.endswith("\n"):
            self.stream.write("\n")
            self.stream.flush()


async def _stream_reply(settings: Settings, store: ConversationStore, conversation: Conversation, model: str) -> int:
    from causerie.core.chat.client import ChatClient
    from causerie.core.chat.errors import ChatError
    from causerie.core.engine.turn import stream_reply

    client = ChatClient(
        base_url=settings.base_url,
        api_key=settings.api_key,
        read_timeout=settings.read_timeout,
        stream_options=settings.stream_options,
        key_source=settings.api_key_source,
        max_tokens_param=settings.max_tokens_param,
    )
    output = _Output(sys.stdout)
    try:
        await stream_reply(
            conversation,
            client,
            store,
            model=model,
            on_delta=lambda text: output.write(sanitize(text)),
            local=settings.local,
        )
    except ChatError as exc:
        output.close()
        print(
            f"causerie: {sanitize(exc.message)}" + (f" ({sanitize(exc.detail)})" if exc.detail else ""), file=sys.stderr
        )
        return EXIT_REQUEST
    except StoreError as exc:
        output.close()
        raise CommandError(f"not saved: {exc}", EXIT_FAILED) from None
    except asyncio.CancelledError:
        output.close()
        raise
    finally:
        await client.close()
    output.close()
    return EXIT_OK


@guarded
def run_ask(args: argparse.Namespace) -> int:
    """Ask once: stream the reply to stdout, save the conversation, exit 0 (or a distinct error code)."""
    settings = settings_from(args)
    prompt = build_prompt(args.prompt, None if args.no_stdin else sys.stdin)
    if not prompt.strip():
        raise CommandError('nothing to ask: give a prompt (causerie ask "...") or pipe text in', EXIT_USAGE)
    if not settings.can_send:
        raise CommandError(
            f"no API key or server is configured for profile {settings.profile!r}: set the key in "
            f"{settings.api_key_source}, or pick a local server with --profile ollama (or --base-url URL)",
            EXIT_NO_SERVER,
        )
    store = open_store()
    explicit_model = getattr(args, "model", None)
    if args.continue_last:
        conversation = load_conversation(store, last_conversation_id(store))
        if conversation.read_only:
            raise CommandError("the last conversation was written by a newer causerie and is read-only")
        model = explicit_model or (conversation.model if conversation.profile == settings.profile else "")
        model = model or settings.model
        if args.system is not None:
            conversation.system_prompt = args.system
    else:
        system = args.system if args.system is not None else settings.system_prompt
        conversation = Conversation(model=settings.model, profile=settings.profile, system_prompt=system)
        model = settings.model
    conversation.append(Message(role="user", content=prompt))
    conversation.title = conversation.title or conversation.default_title()
    try:
        store.save(conversation)
        return asyncio.run(_stream_reply(settings, store, conversation, model))
    except StoreError as exc:
        raise CommandError(f"not saved: {exc}", EXIT_FAILED) from None
    except KeyboardInterrupt:
        print("causerie: interrupted; the partial reply is saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        store.close()
