"""CauserieApp: a thin App that takes Settings, a store and a client, registers themes and shows the chat."""

from __future__ import annotations

import time

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel

from causerie.core.chat.client import ChatClient
from causerie.core.engine.factory import make_client
from causerie.core.safe_text import encodable
from causerie.core.settings import paths
from causerie.core.settings.config import DEFAULT_THEME, Settings
from causerie.core.settings.config_check import ConfigError
from causerie.core.settings.config_edit import set_top_level_key
from causerie.core.settings.themes import load_themes
from causerie.core.storage.store import ConversationStore
from causerie.ui.commands import ActionsProvider, OpenConversationProvider
from causerie.ui.compat import teach_alt_enter
from causerie.ui.dates import Clock, system_clock
from causerie.ui.keymap import check_keymap
from causerie.ui.messages import ConversationChosen
from causerie.ui.screens.chat import ChatScreen
from causerie.ui.screens.help import HelpScreen
from causerie.ui.screens.theme_picker import ThemePicker
from causerie.ui.text import notice_text
from causerie.ui.themes import register_all, variable_defaults

teach_alt_enter()  # alt+enter in tmux is ESC CR: a newline, not a send (see ui/compat.py)


class CauserieApp(App):
    """The causerie terminal chat client."""

    CSS_PATH = "app.tcss"
    TITLE = "causerie"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("ctrl+t", "pick_theme", "Theme", id="app.pick_theme", show=False),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", id="app.command_palette", priority=True, show=False),
    ]
    COMMANDS = App.COMMANDS | {ActionsProvider, OpenConversationProvider}

    def __init__(
        self,
        settings: Settings,
        store: ConversationStore | None = None,
        client: ChatClient | None = None,
        *,
        open_id: str | None = None,
        clock: Clock | None = None,
        cursor_blink: bool = True,
        local_candidates: list[str] | None = None,
        offer_setup: bool = False,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.open_id = open_id
        self.clock: Clock = clock or system_clock
        """The time relative dates are computed against (tests and snapshots pass a fixed one)."""
        self.cursor_blink = cursor_blink
        """False stops every text cursor from blinking (deterministic snapshots)."""
        self.last_input = float("-inf")
        """`time.monotonic()` of the user's last key or mouse press (a streaming reply yields more meanwhile)."""
        self.user_keymap: dict[str, str] = {}
        """The `[keymap]` entries in force (binding id -> keys)."""
        self.local_candidates = local_candidates
        self.offer_setup = offer_setup
        """Show the first-run setup screen when nothing can be sent (the CLI asks for it; tests opt in)."""
        self.store = store or ConversationStore(paths.data_dir())
        self.client = client if client is not None else make_client(settings)
        specs, self._theme_errors = load_themes(paths.user_themes_dir())
        self._theme_names, rejected = register_all(self, specs)
        self._theme_errors += rejected
        self._theme_kinds = {s.name: "causerie" if s.source.startswith("bundled") else "yours" for s in specs}
        wanted = settings.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self._theme_errors.append(f"Unknown theme {wanted!r}: using {DEFAULT_THEME}.")
            self.theme = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, whoever raises it: cleaned, and never parsed as markup.

        Notifications carry titles, file names, model ids and error messages; one place makes all of them plain text
        (the `markup` argument is accepted for Textual's signature and ignored).
        """
        del markup
        kwargs = {} if timeout is None else {"timeout": timeout}
        super().notify(notice_text(message), title=notice_text(title), severity=severity, markup=False, **kwargs)

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy, whoever makes it: lone surrogates become U+FFFD (the terminal gets the text as UTF-8).

        Messages, code blocks, the conversation, and Textual's own copies (the prompt's selection, a selection on
        screen) all come here; half an emoji in a reply would otherwise end the app.
        """
        super().copy_to_clipboard(encodable(text))

    def rescue(self) -> list[str]:
        """After an unexpected exception ended the app: save what the chat screen holds; returns the ids saved.

        Each conversation is saved on its own: one that cannot be saved does not stop the others.
        """
        chat: ChatScreen | None = getattr(self, "_chat", None)
        saved: list[str] = []
        for conversation in chat.held_conversations() if chat is not None else []:
            if not conversation.messages or conversation.read_only:
                continue
            try:
                self.store.save(conversation)
            except Exception:  # noqa: BLE001 - rescuing what can be rescued; the traceback is printed already
                continue
            saved.append(conversation.id)
        return saved

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        keymap, keymap_errors = check_keymap(self.settings.keymap)
        self.user_keymap = keymap
        self.set_keymap(keymap)
        chat = ChatScreen(self.settings, self.store, self.client)
        self._chat = chat
        self.push_screen(chat)
        if self.open_id is not None:
            chat.post_message(ConversationChosen(self.open_id))
        if self.settings.config_notice:
            self.notify(self.settings.config_notice, title="Config file", severity="error", timeout=20)
        for error in self._theme_errors:
            self.notify(error, title="Theme", severity="warning", timeout=10, markup=False)
        if keymap_errors:
            where = self.settings.config_path or "config.toml"
            self.notify(
                "\n".join(keymap_errors), title=f"Keymap in {where}", severity="warning", timeout=15, markup=False
            )
        if self.offer_setup and not self.settings.can_send:
            from causerie.ui.screens.setup import SetupScreen  # only a first run needs it (and its HTTP client)

            self.push_screen(SetupScreen(self.settings, self.local_candidates), self._setup_done)

    async def _setup_done(self, chosen: Settings | None) -> None:
        """The setup screen closed: use its settings (a new client) on the chat screen."""
        if chosen is None:
            return
        if self.client is not None:
            await self.client.close()
        self.settings = chosen
        self.client = make_client(chosen)
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                screen.use_settings(chosen, self.client)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if not self.cursor_blink and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def action_help(self) -> None:
        """Show the keys of the current screen (or close the help)."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen(self.screen))

    def theme_choices(self) -> list[tuple[str, str]]:
        """(name, description) of every available theme: causerie's, the user's, then Textual's own."""
        order = {"causerie": 0, "yours": 1}
        choices = []
        for name, theme in self.available_themes.items():
            kind = self._theme_kinds.get(name, "Textual") if name in self._theme_names else "Textual"
            tone = "terminal colours" if theme.ansi else "dark" if theme.dark else "light"
            choices.append((order.get(kind, 2), name, f"{kind}, {tone}"))
        return [(name, description) for _, name, description in sorted(choices)]

    def action_pick_theme(self) -> None:
        """Open the theme picker (live preview; the choice is saved to the config file)."""
        if isinstance(self.screen, ThemePicker):
            return
        self.push_screen(ThemePicker(self.theme_choices(), self.theme), self._theme_chosen)

    def action_change_theme(self) -> None:
        """The command palette's "Theme" command opens causerie's picker, which remembers the choice."""
        self.action_pick_theme()

    def _theme_chosen(self, name: str | None) -> None:
        if name is not None:
            self.settings = self.settings.with_overrides(theme=name)
            self._save_theme(name)

    @work(thread=True, exclusive=True, group="save-theme", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        path = self.settings.config_path or paths.config_file()
        try:
            set_top_level_key(path, "theme", name)
        except ConfigError as exc:
            self.call_from_thread(
                self.notify,
                f"The theme is used for now but was not saved: {exc}",
                title="Theme",
                severity="error",
                markup=False,
            )
        else:
            self.call_from_thread(self.notify, f"{name}, saved in {path}", title="Theme", markup=False)

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.close()
