"""`causerie ask "prompt"`: one turn from the shell, streamed to stdout and saved in the same history as the app."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import signal
import sys
import time
from collections.abc import Callable
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
from causerie.core.attachments.record import Attachment
from causerie.core.chat.params import CONTROLS, ParamError, RequestParams, check, parse_assignment
from causerie.core.conversation.models import Conversation, Message
from causerie.core.safe_text import sanitize
from causerie.core.settings.config import Settings
from causerie.core.storage.store import ConversationStore, StoreError
from causerie.core.terminal_modes import ChangedModes, change_local_modes


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


class _LastLines:
    """The bottom of a renderable, at most the terminal's height less one line.

    A live region taller than the screen cannot be redrawn in place (the cursor cannot go above the screen's top):
    an open code block taller than the terminal then wiped what was printed before it and was drawn again and again.
    """

    def __init__(self, renderable: object) -> None:
        self.renderable = renderable

    def __rich_console__(self, console, options):  # noqa: ANN001, ANN204 - Rich's protocol, imported lazily
        from rich.segment import Segment

        lines = console.render_lines(self.renderable, options, pad=False)
        for line in lines[-max(1, console.size.height - 1) :]:
            yield from line
            yield Segment.line()


class _Output:
    """Where the reply goes: plain text as it arrives, or Markdown rendered on a terminal.

    On a terminal each finished block (up to a blank line outside a code fence) is printed once, and only the open
    tail is redrawn, a few times a second: the cost stays linear in the reply's length.
    """

    REFRESH_INTERVAL = 0.125

    def __init__(self, stream: TextIO, *, math: bool = True) -> None:
        """`math`: formulas shown as Unicode math on a terminal (the `render_math` setting)."""
        self.stream = stream
        self.text = ""
        self._live = None
        self._printed = 0  # text before this offset is printed for good
        self._scanned = 0  # complete lines before this offset have been looked at
        self._fence = ""  # the marker of the code fence open at `_scanned`, if any
        self._drawn_at = 0.0
        self._echo: ChangedModes | None = None
        if stream.isatty():
            from rich.console import Console
            from rich.live import Live

            from causerie.ui.widgets.markdown_elements import TerminalMarkdown

            self._markdown = functools.partial(TerminalMarkdown, math=math)
            self._live = Live(
                TerminalMarkdown(""), console=Console(file=stream), auto_refresh=False, vertical_overflow="visible"
            )
            # The echo of ^C (or of keys typed ahead) moved the cursor under the redrawn region, and the reply's
            # open tail was then printed twice. Ctrl-C still interrupts: only the echo is off.
            self._echo = change_local_modes(stream, off=("ECHO", "ECHOCTL"))
            self._live.start()

    def write(self, text: str) -> None:
        self.text += text
        if self._live is None:
            self.stream.write(text)
            self.stream.flush()
            return
        boundary = self._finished_up_to()
        if boundary > self._printed:
            finished, self._printed = self.text[self._printed : boundary], boundary
            # The live region is drawn again right under what is printed: it must show the rest, not the block.
            self._live.update(_LastLines(self._markdown(self.text[boundary:])), refresh=True)
            self._live.console.print(self._markdown(finished))
            self._live.console.print()  # the blank line between two blocks, printed apart
        now = time.monotonic()
        if now - self._drawn_at >= self.REFRESH_INTERVAL:
            self._drawn_at = now
            self._live.update(_LastLines(self._markdown(self.text[self._printed :])), refresh=True)

    def _finished_up_to(self) -> int:
        """The offset after the last blank line outside a code fence, scanning only the new complete lines."""
        boundary = self._printed
        while (end := self.text.find("\n", self._scanned)) != -1:
            line = self.text[self._scanned : end].strip()
            self._scanned = end + 1
            if self._fence:
                if line.startswith(self._fence) and not line.strip(self._fence[0]):
                    self._fence = ""
            elif line.startswith(("```", "~~~")):
                self._fence = line[: len(line) - len(line.lstrip(line[0]))]
            elif not line:
                boundary = self._scanned
        return boundary

    def close(self) -> None:
        if self._live is not None:
            self._live.update(self._markdown(self.text[self._printed :]), refresh=True)
            self._live.stop()
            self._live = None
            self._printed = len(self.text)
            if self._echo is not None:
                self._echo.restore()
                self._echo = None
        elif self.text and not self.text.endswith("\n"):
            self.stream.write("\n")
            self.stream.flush()
            self.text += "\n"


def _watch_interrupts() -> Callable[[], bool]:
    """Whether Ctrl-C was pressed during the turn.

    asyncio.run turns the first Ctrl-C into a cancellation of the turn. A cancellation that lands inside a library's
    own cancel scope can be absorbed there, and the reply then streamed on to its end: the turn is cancelled again
    at each event that still arrives. The handler asyncio installed keeps running first, unchanged.
    """
    pressed = False
    previous = signal.getsignal(signal.SIGINT)
    if not callable(previous):  # not the main thread's asyncio.run (a test's loop): nothing to watch
        return lambda: False

    def on_interrupt(signum: int, frame: object) -> None:
        nonlocal pressed
        pressed = True
        previous(signum, frame)

    signal.signal(signal.SIGINT, on_interrupt)
    return lambda: pressed


def _cancel_again() -> None:
    task = asyncio.current_task()
    if task is not None:
        task.cancel()


def _say(text: str) -> None:
    """A note on stderr (stdout carries only the reply)."""
    print(f"causerie: {sanitize(text)}", file=sys.stderr, flush=True)


_WAITING_FOR = {
    "rate_limit": "rate limited",
    "server": "the server failed",
    "timeout": "the server did not answer in time",
    "network": "the server could not be reached",
    "stream": "the reply stream broke",
}


def command_params(args: argparse.Namespace) -> RequestParams:
    """The controls given on the command line, checked; raises CommandError (usage) naming the option."""
    values = {}
    for name in CONTROLS:
        value = getattr(args, name, None)
        if value is not None:
            try:
                values[name] = check(name, value)
            except ParamError as exc:
                raise CommandError(f"--{name.replace('_', '-')}: {exc}", EXIT_USAGE) from None
    extra = {}
    for assignment in getattr(args, "param", None) or []:
        try:
            key, value = parse_assignment(assignment)
        except ParamError as exc:
            raise CommandError(f"--param: {exc}", EXIT_USAGE) from None
        extra[key] = value
    return RequestParams(**values, extra=extra)


async def _run_turn(
    settings: Settings,
    store: ConversationStore,
    conversation: Conversation,
    model: str,
    params: RequestParams | None = None,
) -> int:
    """Run one turn through the engine, the reply to stdout and every note to stderr."""
    from causerie.core.chat.way_out import refuses_attachments
    from causerie.core.engine import events
    from causerie.core.engine.factory import make_client, make_engine
    from causerie.core.engine.saving import SaveQueue

    client = make_client(settings)
    assert client is not None  # can_send was checked
    from causerie.core.tools.shell_approval import ShellApprover

    saves = SaveQueue(store)
    engine = make_engine(settings, client, saves, approver=ShellApprover(config_path=settings.config_path))
    if engine.tools is not None:
        engine.tools.servers.launch()
    output = _Output(sys.stdout, math=settings.render_math)
    code = EXIT_OK
    interrupted = _watch_interrupts()
    try:
        async with contextlib.aclosing(engine.run(conversation, model, params=params)) as turn:
            async for event in turn:
                if interrupted():
                    _cancel_again()
                if isinstance(event, events.TextAdded):
                    output.write(sanitize(event.text))
                elif isinstance(event, events.ContextNote):
                    _say(event.text)
                elif isinstance(event, events.RetryScheduled):
                    why = _WAITING_FOR.get(event.error.kind, event.error.kind)
                    _say(f"{why}, retrying in {event.delay:.0f} s (attempt {event.attempt} of {event.attempts})")
                elif isinstance(event, events.ToolRound):
                    calls = ", ".join(f"{call.name}({call.arguments})" for call in event.reply.tool_calls)
                    _say(f"tool round {event.number} of at most {event.limit}: {calls}")
                elif isinstance(event, events.ToolAnswered):
                    first_line = (event.message.content.strip().splitlines() or [""])[0][:120]
                    _say(f"{event.message.name}: {first_line}")
                elif isinstance(event, events.OptionDropped):
                    _say(f"the server does not accept {event.option}: sent again without it")
                elif isinstance(event, events.SaveFailed):
                    output.close()
                    raise CommandError(f"not saved: {event.error}", EXIT_FAILED)
                elif isinstance(event, events.Failed):
                    output.close()
                    error = event.error
                    detail = f" ({sanitize(error.detail)})" if error.detail else ""
                    print(f"causerie: {sanitize(error.message)}{detail}", file=sys.stderr)
                    if refuses_attachments(error) and any(m.attachments for m in conversation.active_path()):
                        _say("the model did not accept the attachments: ask again without -a, or pick one with --model")
                    code = EXIT_REQUEST
    finally:
        output.close()
        if engine.tools is not None:
            await engine.tools.servers.stop()
        saves.close()
        await client.close()
    return code


def _attach(files: list[str], settings: Settings) -> list[Attachment]:
    """Store each `-a FILE` and return their records; a file that cannot be attached stops everything first."""
    if not files:
        return []
    from causerie.core.attachments.intake import AttachmentError, attach_file, limits_from
    from causerie.core.attachments.store import default_store

    store, limits = default_store(), limits_from(settings)
    attached = []
    for name in files:
        try:
            result = attach_file(name, store, limits=limits)
        except AttachmentError as exc:
            raise CommandError(f"cannot attach {exc}; nothing was sent", EXIT_USAGE) from None
        if result.note:
            _say(result.note)
        attached.append(result.attachment)
    return attached


@guarded
def run_ask(args: argparse.Namespace) -> int:
    """Ask once: stream the reply to stdout, save the conversation, exit 0 (or a distinct error code)."""
    settings = settings_from(args)
    params = command_params(args)
    prompt = build_prompt(args.prompt, None if args.no_stdin else sys.stdin)
    attachments = _attach(getattr(args, "attach", None) or [], settings)
    if not prompt.strip() and not attachments:
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
    conversation.append(Message(role="user", content=prompt, attachments=attachments))
    conversation.title = conversation.title or conversation.default_title()
    try:
        store.save(conversation)
        return asyncio.run(_run_turn(settings, store, conversation, model, params))
    except StoreError as exc:
        raise CommandError(f"not saved: {exc}", EXIT_FAILED) from None
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C (a turn cancelled twice ends as CancelledError)
        print("causerie: interrupted; the partial reply is saved", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        store.close()
