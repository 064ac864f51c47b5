"""The conversation pane's renderer: block splitting, streamed vs final renders, lazy history, untrusted text."""

from __future__ import annotations

import random

from textual.app import App, ComposeResult

from causerie.core.conversation.models import Conversation, Message
from causerie.testing.fake_openai import FakeOpenAI, Reply, tokens_of
from causerie.ui.themes import variable_defaults
from causerie.ui.widgets.blocks import BlockSplitter, split_blocks
from causerie.ui.widgets.conversation import ConversationView, MessageView

from .helpers import SIZE, make_app, type_text, wait_for

DOCUMENT = (
    """# Title

Intro paragraph with **bold** and `code`.

- one
- two

```python
"""
    + "\n".join(f"value_{i} = {i} * 2  # line {i}" for i in range(80))
    + """
```

| a | b |
|---|---|
| 1 | 2 |

> quoted

1. first
2. second

Last words.
"""
)


def test_streamed_blocks_equal_the_blocks_of_the_whole_text() -> None:
    whole = [block.strip() for block in split_blocks(DOCUMENT)]
    for seed in range(20):
        rng = random.Random(seed)
        splitter, pieces, out = BlockSplitter(), tokens_of(DOCUMENT), []
        index = 0
        while index < len(pieces):
            step = rng.randint(1, 30)
            out += splitter.feed("".join(pieces[index : index + step]))
            index += step
        out += splitter.close()
        assert [block.strip() for block in out] == whole


def test_an_open_fence_is_reported_until_it_closes() -> None:
    splitter = BlockSplitter()
    assert splitter.feed("Intro\n\n```python\nx = 1\n") == ["Intro\n\n"]
    assert splitter.fence is not None and splitter.fence.language == "python"
    assert splitter.feed("y = 2\n") == [] and splitter.fence is not None
    finished = splitter.feed("```\n\nAfter")
    assert finished == ["```python\nx = 1\ny = 2\n```\n"] and splitter.fence is None


class PaneApp(App):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        yield ConversationView(id="conversation")


async def streamed_reply(app, pilot) -> MessageView:  # type: ignore[no-untyped-def]
    """Send a prompt and wait until the streamed reply has ended and its final render is done."""
    screen = app.screen
    await type_text(pilot, "go")
    await pilot.press("enter")
    await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
    streamed = screen.view.message_views()[1]
    await wait_for(pilot, lambda: streamed.body.rendered_up_to_date, what="final render")
    return streamed


async def test_a_streamed_reply_ends_exactly_as_a_fresh_render_of_its_text(server: FakeOpenAI) -> None:
    server.queue(Reply(text=DOCUMENT, delay=0.001))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        streamed = await streamed_reply(app, pilot)
        streamed_lines = streamed.body.plain_lines()
        fresh = MessageView(streamed.message)
        await screen.view.mount(fresh)
        await pilot.pause()
        assert fresh.body.plain_lines() == streamed_lines
        assert any("value_79 = 79 * 2" in line for line in streamed_lines)
        assert any(line.strip() == "Last words." for line in streamed_lines)


async def test_model_output_control_sequences_are_made_visible() -> None:
    message = Message(role="assistant", content="red \x1b[31mtext\x07 and \x9b bytes\r\nnext")
    conversation = Conversation()
    conversation.append(Message(role="user", content="hi"))
    conversation.append(message)
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation)
        await pilot.pause()
        lines = "\n".join(view.message_views()[1].body.plain_lines())
        assert "\x1b" not in lines and "\x07" not in lines and "\x9b" not in lines
        assert "␛[31mtext␇" in lines


async def test_a_long_history_mounts_its_end_first_and_the_rest_on_demand() -> None:
    conversation = Conversation()
    for index in range(400):
        conversation.append(Message(role="user" if index % 2 == 0 else "assistant", content=f"message {index}"))
    first_id = conversation.active_path()[0].id
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation)
        await pilot.pause()
        shown = view.message_views()
        assert 0 < len(shown) < 400 and shown[-1].text == "message 399"
        assert view.unmounted_count == 400 - len(shown)
        revealed = view.reveal(first_id)
        await pilot.pause()
        assert revealed is not None and revealed.text == "message 0"
        assert len(view.message_views()) == 400 and view.unmounted_count == 0


async def test_short_messages_that_do_not_fill_the_view_bring_older_ones_after_the_first_paint() -> None:
    # The first batch is kept small so a long conversation opens fast; when it is too short to scroll, older
    # messages follow until the view can be scrolled up (PageUp and the mouse wheel then reach them).
    conversation = Conversation()
    for index in range(400):
        conversation.append(Message(role="user" if index % 2 == 0 else "assistant", content=f"m{index}"))
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation)
        first = len(view.message_views())
        await wait_for(pilot, lambda: view.max_scroll_y > view.size.height, what="a view that can scroll")
        assert len(view.message_views()) > first and view.unmounted_count > 0
        assert view.message_views()[-1].text == "m399"


async def test_resize_and_theme_change_render_again() -> None:
    conversation = Conversation()
    conversation.append(Message(role="user", content="hi"))
    conversation.append(Message(role="assistant", content="# Heading\n\n" + "word " * 200))
    app = PaneApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation)
        await pilot.pause()
        body = view.message_views()[1].body
        wide = body.plain_lines()
        await pilot.resize_terminal(60, 30)
        await pilot.pause()
        narrow = body.plain_lines()
        assert len(narrow) > len(wide) and max(map(len, narrow)) < 60

        def heading_colour():
            return next(segment.style.color for segment in body.render_line(0) if "Heading" in segment.text)

        before = heading_colour()
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await pilot.pause()
        assert heading_colour() != before  # the cached lines were rendered again in the new theme's colours


async def test_a_growing_reply_renders_only_its_new_lines_again() -> None:
    # A streaming reply grows a few times a second; its message (border, padding, background) and its body keep
    # the lines they had drawn: only the new lines, and the old last one, are rendered again.
    conversation = Conversation()
    conversation.append(Message(role="user", content="hi"))
    reply = Message(role="assistant", content="")
    conversation.append(reply)
    app = PaneApp()
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation)
        await pilot.pause()
        message = view.message_views()[1]

        def grow(indices: range) -> None:
            for index in indices:
                piece = f"Paragraph {index} " + "word " * 12 + "\n\n"
                reply.content += piece  # the reply flow extends the message, then tells its view
                message.append(piece)

        drawn: dict[str, list[int]] = {"message": [], "body": []}
        for name, widget in (("message", message), ("body", message.body)):

            def spy(y: int, widget=widget, name=name):  # type: ignore[no-untyped-def]
                drawn[name].append(y)
                return type(widget).render_line(widget, y)

            widget.render_line = spy  # type: ignore[method-assign]

        def painted(lines: int) -> bool:
            """The body is `lines` tall and its last line has been drawn (growth is frame-capped)."""
            body = message.body
            return (
                body.line_count >= lines
                and body.size.height == body.line_count
                and body.line_count - 1 in drawn["body"]
            )

        grow(range(4))
        await wait_for(pilot, lambda: painted(7), what="the first lines drawn")
        before = message.body.line_count
        drawn["message"].clear()
        drawn["body"].clear()
        grow(range(4, 8))
        await wait_for(pilot, lambda: painted(before + 6), what="the new lines drawn")
        assert drawn["body"] and min(drawn["body"]) >= before - 2
        assert drawn["message"] and min(drawn["message"]) >= before - 1
        assert "Paragraph 7" in "\n".join(message.body.plain_lines())


LONG_REPLY = (
    "\n\n".join(f"Paragraph {i}: " + "some words to fill the line " * 4 for i in range(1_200))
    + "\n\nThe very last words."
)
HUGE_BLOCK = "Before.\n\n```python\n" + "".join(f"line_{i} = {i}\n" for i in range(3_000)) + "```\n\nAfter the block."


async def test_a_long_reply_is_shown_to_its_end_and_only_a_huge_block_is_cut() -> None:
    assert len(LONG_REPLY) > 150_000  # longer than a 20,000-token reply
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        shown = []
        for text in (LONG_REPLY, HUGE_BLOCK):
            conversation = Conversation()
            conversation.append(Message(role="user", content="hi"))
            conversation.append(Message(role="assistant", content=text))
            view.show(conversation)
            await pilot.pause()
            shown.append(view.message_views()[-1])
        long_view, huge_view = shown
        assert long_view.body.plain_lines()[-1] == "The very last words." and long_view.body.left_out == 0
        assert not long_view.note.has_class("-shown")
        huge = "\n".join(huge_view.body.plain_lines())
        assert "line_1990 = 1990" in huge and "line_2500 = 2500" not in huge  # the block's beginning only
        assert "more characters of this block not shown" in huge
        assert huge.rstrip().endswith("After the block.")  # what follows the block is shown


async def test_a_streamed_huge_block_is_cut_and_what_follows_it_shown(server: FakeOpenAI) -> None:
    server.queue(Reply(text=HUGE_BLOCK, delay=0.0))
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        shown = "\n".join((await streamed_reply(app, pilot)).body.plain_lines())
        assert "line_2500 = 2500" not in shown and "more characters of this block not shown" in shown
        assert shown.rstrip().endswith("After the block.")
