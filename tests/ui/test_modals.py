"""Dialogs show what they act on: every modal sits over the dimmed conversation, not an opaque screen."""

from __future__ import annotations

import pytest
from textual.screen import ModalScreen

from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.screens.chat import ChatScreen

from .helpers import SIZE, make_app, wait_for


@pytest.mark.parametrize("key", ["f1", "ctrl+t", "ctrl+f"])
async def test_a_modal_lets_the_conversation_show_through(server: FakeOpenAI, key: str) -> None:
    app = make_app(server)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.styles.background.a == 1  # the main screen itself is opaque
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, ModalScreen), what=f"the dialog of {key}")
        assert app.screen.styles.background.a < 1, f"{type(app.screen).__name__} hides the conversation"
