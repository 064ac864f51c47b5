"""Paint probes: note the moment a widget paints the line we wait for (the headless app still composes every frame).

`render_line` is what Textual's compositor calls when it paints a widget's line for the screen, so "the last
token is on screen" is the first paint of the reply's bottom line after the whole reply was rendered, and "the key
is echoed" is the first paint of the prompt after the key reached its text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from causerie.ui.widgets.message_body import MessageBody
from causerie.ui.widgets.prompt import PromptInput


class Probe:
    """Waits for a condition checked at paint time; records perf_counter, process_time and monotonic then."""

    def __init__(self) -> None:
        self.condition: Callable[[Any, int], bool] | None = None
        self.event: asyncio.Event | None = None
        self.wall = self.cpu = self.monotonic = 0.0

    def arm(self, condition: Callable[[Any, int], bool]) -> asyncio.Event:
        self.condition = condition
        self.event = asyncio.Event()
        return self.event

    def check(self, widget: Any, y: int) -> None:
        if self.condition is not None and self.condition(widget, y):
            self.wall, self.cpu, self.monotonic = time.perf_counter(), time.process_time(), time.monotonic()
            self.condition = None
            assert self.event is not None
            self.event.set()


REPLY = Probe()
ECHO = Probe()
_installed = False


def install() -> None:
    """Wrap the render_line of message bodies and of the prompt (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    body_render_line = MessageBody.render_line
    prompt_render_line = PromptInput.render_line

    def body_line(self: MessageBody, y: int):  # noqa: ANN202
        strip = body_render_line(self, y)
        if REPLY.condition is not None:
            REPLY.check(self, y)
        return strip

    def prompt_line(self: PromptInput, y: int):  # noqa: ANN202
        strip = prompt_render_line(self, y)
        if ECHO.condition is not None:
            ECHO.check(self, y)
        return strip

    MessageBody.render_line = body_line  # type: ignore[method-assign]
    PromptInput.render_line = prompt_line  # type: ignore[method-assign]


def reply_complete(text_length: int) -> Callable[[Any, int], bool]:
    """The reply body holds the whole reply, has nothing left to render, and paints its bottom line."""

    def condition(body: MessageBody, y: int) -> bool:
        return (
            body.markdown
            and len(body.message.content) == text_length
            and body.rendered_up_to_date
            and y >= body.line_count - 1
        )

    return condition


def message_painted(message_id: str) -> Callable[[Any, int], bool]:
    """A message's body paints its bottom line."""

    def condition(body: MessageBody, y: int) -> bool:
        return body.message.id == message_id and body.rendered_up_to_date and y >= body.line_count - 1

    return condition


def prompt_holds(length: int) -> Callable[[Any, int], bool]:
    """The prompt paints a line while its text has at least `length` characters."""

    def condition(prompt: PromptInput, y: int) -> bool:
        return len(prompt.text) >= length

    return condition
