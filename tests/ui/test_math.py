"""Formulas in replies on screen: rendered as Unicode, one key from their source, never changing the stored text."""

from __future__ import annotations

from textual.app import App, ComposeResult

from causerie.core.conversation.models import Conversation, Message
from causerie.core.settings.config import Settings
from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.bindings import bound_actions
from causerie.ui.themes import variable_defaults
from causerie.ui.widgets.conversation import ConversationView

from .helpers import SIZE, Recorder, make_app, type_text, wait_for

MATH_REPLY = (
    "The energy is $E = mc^2$ and it costs $5 and $10.\n\n"
    "The mean:\n\n"
    "$$\n\\mu = \\frac{1}{n}\\sum_{i=1}^{n} x_i\n$$\n\n"
    "In code `$x^2$` stays.\n"
)


def text_of(lines: list[str]) -> str:
    return "\n".join(lines)


async def test_a_reply_shows_its_formulas_as_unicode_and_m_shows_their_source(server: FakeOpenAI) -> None:
    server.queue(Reply(text=MATH_REPLY, delay=0.001))
    recorder = Recorder()
    app = make_app(server)
    async with app.run_test(size=SIZE, message_hook=recorder.hook) as pilot:
        screen = app.screen
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
        reply = screen.view.message_views()[1]
        await wait_for(pilot, lambda: reply.body.rendered_up_to_date, what="final render")
        shown = reply.body.plain_lines()
        rendered = text_of(shown)
        assert "The energy is E = mc² and it costs $5 and $10." in rendered
        assert "In code $x^2$ stays." in rendered
        # The display formula: 1 over a rule over n, the sum's limits above and below it, on consecutive lines.
        rule = next(index for index, line in enumerate(shown) if "───" in line)
        assert shown[rule - 1].strip().startswith("1") and shown[rule + 1].strip().startswith("n")
        assert "∑" in shown[rule] and "xᵢ" in shown[rule] and "i=1" in shown[rule + 1]
        assert "\\frac" not in rendered

        assert "messages.toggle_math" in {action.id for action in bound_actions(screen)}  # F1 and the palette
        await pilot.press("shift+tab")
        assert app.focused is reply
        await pilot.press("m")
        await wait_for(pilot, lambda: "$E = mc^2$" in text_of(reply.body.plain_lines()), what="the source view")
        source = text_of(reply.body.plain_lines())
        assert "\\mu = \\frac{1}{n}\\sum_{i=1}^{n} x_i" in source and "───" not in source
        assert any(n.message == "Formulas shown as their source." for n in recorder.notifications())

        await pilot.press("y")
        assert app.clipboard == MATH_REPLY  # copy keeps the LaTeX, whichever view is on screen
        await pilot.press("m")
        await wait_for(pilot, lambda: text_of(reply.body.plain_lines()) == rendered, what="rendered again")
        assert reply.message.content == MATH_REPLY
        assert screen.conversation.active_path()[-1].content == MATH_REPLY  # what is saved and exported


class PaneApp(App):
    """The conversation pane alone, with the settings the app would carry."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        yield ConversationView(id="conversation")


def conversation_with(reply: Message) -> Conversation:
    conversation = Conversation()
    conversation.append(Message(role="user", content="hi"))
    conversation.append(reply)
    return conversation


async def test_the_setting_turns_rendering_off() -> None:
    reply = Message(role="assistant", content="Greek $\\alpha^2$ here.")
    app = PaneApp(Settings(render_math=False))
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation_with(reply))
        body = view.message_views()[1].body
        await wait_for(pilot, lambda: body.rendered_up_to_date, what="render")
        assert "Greek $\\alpha^2$ here." in text_of(body.plain_lines())
    app = PaneApp(Settings())
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation_with(reply))
        body = view.message_views()[1].body
        await wait_for(pilot, lambda: body.rendered_up_to_date, what="render")
        assert "Greek α² here." in text_of(body.plain_lines())


async def test_a_streaming_formula_stays_source_until_it_closes() -> None:
    reply = Message(role="assistant", content="")
    app = PaneApp(Settings())
    async with app.run_test(size=SIZE) as pilot:
        view = app.query_one(ConversationView)
        view.show(conversation_with(reply))
        message = view.message_views()[1]
        message.streaming = True

        async def grow(text: str) -> list[str]:
            reply.content += text
            message.append(text)
            await wait_for(
                pilot,
                lambda: (
                    message.body.rendered_up_to_date and text.strip().split()[-1] in text_of(message.body.plain_lines())
                ),
                what=f"{text!r} on screen",
            )
            return message.body.plain_lines()

        first = await grow("A finished paragraph with $\\beta_1$.\n\nNow $\\alpha^2 + ")
        assert first[0] == "A finished paragraph with β₁."
        assert "Now $\\alpha^2 +" in first[-1]  # unclosed: as written, not half-converted
        after = await grow("\\gamma$ closed")
        assert after[-1] == "Now α² + γ closed"
        assert after[: len(first) - 1] == first[:-1]  # what was above did not move
        message.finish()
        await wait_for(pilot, lambda: message.body.rendered_up_to_date, what="final render")
        assert message.body.plain_lines() == after
