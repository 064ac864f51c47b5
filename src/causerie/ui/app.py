"""CauserieApp: a thin App that takes Settings, a store and a client, registers themes and shows the chat."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from causerie.core import paths
from causerie.core.client import ChatClient
from causerie.core.config import DEFAULT_THEME, Settings
from causerie.core.store import ConversationStore
from causerie.core.themes import load_themes
from causerie.ui.messages import ConversationChosen
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.themes import register_all, variable_defaults


def make_client(settings: Settings) -> ChatClient | None:
    """The chat client for these settings, or None when nothing can be sent."""
    if not settings.can_send:
        return None
    return ChatClient(
        base_url=settings.base_url,
        api_key=settings.api_key,
        read_timeout=settings.read_timeout,
        max_retries=0,
        stream_options=settings.stream_options,
        key_source=settings.api_key_source,
        max_tokens_param=settings.max_tokens_param,
    )


class CauserieApp(App):
    """The causerie terminal chat client."""

    CSS_PATH = "app.tcss"
    TITLE = "causerie"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        settings: Settings,
        store: ConversationStore | None = None,
        client: ChatClient | None = None,
        *,
        open_id: str | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.open_id = open_id
        self.store = store or ConversationStore(paths.data_dir())
        self.client = client if client is not None else make_client(settings)
        self._theme_errors: list[str] = []
        specs, self._theme_errors = load_themes(paths.user_themes_dir())
        self._theme_names = register_all(self, specs)
        wanted = settings.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self._theme_errors.append(f"Unknown theme {wanted!r}: using {DEFAULT_THEME}.")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        chat = ChatScreen(self.settings, self.store, self.client)
        self.push_screen(chat)
        if self.open_id is not None:
            chat.post_message(ConversationChosen(self.open_id))
        if self.settings.config_notice:
            self.notify(self.settings.config_notice, title="Config file", severity="error", timeout=20)
        for error in self._theme_errors:
            self.notify(error, title="Theme", severity="warning", timeout=10)

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()
