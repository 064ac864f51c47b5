"""The main screen in each bundled theme, with a saved conversation open (fixed dates, so fixed sidebar text)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from causerie.core.conversation.models import Conversation, Message, Usage
from causerie.core.settings import paths
from causerie.core.settings.themes import bundled_theme_files
from causerie.core.storage.store import ConversationStore
from causerie.ui.messages import ConversationChosen
from causerie.ui.screens.chat import ChatScreen

from ..ui.helpers import wait_for
from ..ui.seed import fixed_app

SIZE = (100, 30)
BUNDLED = [name.removesuffix(".toml") for name, _ in bundled_theme_files()]
WHEN = "2025-03-01T10:00:00.000000Z"  # long before the fixed clock: the sidebar shows the date
REPLY = """Use a `with` block and iterate over the file object:

```python
with open("notes.txt") as f:
    for line in f:
        print(line.rstrip())
```

The file is closed **even if** an error occurs. See the [docs](https://docs.python.org/3/tutorial/)."""


def saved_conversation() -> str:
    """Save one conversation with fixed ids and dates; return its id."""
    conversation = Conversation(
        id="20250301-100000000-abcdef", title="Reading files", created_at=WHEN, model="gpt-6-luna", profile="openai"
    )
    question = Message("user", "How do I read a file line by line in Python?", id="m1", created_at=WHEN)
    conversation.append(question, parent=None)
    answer = Message(
        "assistant",
        REPLY,
        id="m2",
        created_at=WHEN,
        model="gpt-6-luna",
        usage=Usage(prompt_tokens=180, completion_tokens=52, total_tokens=232),
        finish_reason="stop",
    )
    conversation.append(answer, parent="m1")
    conversation.updated_at = WHEN
    ConversationStore(paths.data_dir()).save(conversation)
    return conversation.id


@pytest.mark.parametrize("theme", BUNDLED)
def test_main_screen_in_each_bundled_theme(theme: str, snap_compare) -> None:
    conversation_id = saved_conversation()
    app = fixed_app(theme=theme)  # fixed clock; the prompt's cursor never blinks (a blink phase is cached by TextArea)

    async def open_the_conversation(pilot: Pilot) -> None:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: screen.sidebar.ids == [conversation_id], what="history")
        screen.post_message(ConversationChosen(conversation_id))
        await wait_for(pilot, lambda: len(screen.view.message_views()) == 2, what="messages")
        await wait_for(pilot, lambda: screen.prompt.has_focus, what="focus back in the prompt")
        # TextArea caches a line drawn in a blink's "off" phase under the same key as a steady cursor: drop the
        # cache so the cursor is always drawn, however slowly the test ran.
        screen.prompt.notify_style_update()
        screen.prompt.refresh()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_the_conversation)
