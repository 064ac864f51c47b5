"""ConversationSettingsScreen: a modal to edit one conversation's system prompt, model and context policy."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, TextArea
from textual.widgets.option_list import Option

from causerie.core.chat.client import ChatClient
from causerie.core.chat.errors import ChatError
from causerie.core.safe_text import sanitize, sanitize_line
from causerie.ui.text import outside

POLICIES: dict[str, str] = {
    "summarize": "Summarize the oldest turns",
    "trim": "Leave out the oldest turns",
    "off": "Send everything (the server may refuse)",
}


@dataclass(frozen=True)
class ConversationSettings:
    """The per-conversation settings edited by the modal."""

    system_prompt: str
    model: str
    context_policy: str


def filter_models(models: list[str], query: str) -> list[str]:
    """Models whose id contains every word of `query` (case-insensitive), in their order."""
    words = query.lower().split()
    return [m for m in models if all(w in m.lower() for w in words)]


class ConversationSettingsScreen(ModalScreen[ConversationSettings | None]):
    """System prompt editor, model picker (the server's /models, filtered by typing) and context policy."""

    DEFAULT_CSS = """
    ConversationSettingsScreen {
        align: center middle;
    }
    ConversationSettingsScreen > #dialog {
        width: 80;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        padding: 1 2;
        border: round $primary;
        background: $surface;
    }
    ConversationSettingsScreen Label.-heading {
        margin-top: 1;
        text-style: bold;
    }
    ConversationSettingsScreen #system-prompt {
        height: 6;
    }
    ConversationSettingsScreen #models {
        height: 6;
    }
    ConversationSettingsScreen #models-status {
        color: $text-muted;
    }
    ConversationSettingsScreen #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    ConversationSettingsScreen Button {
        margin-left: 1;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="conversation_settings.cancel"),
        Binding("ctrl+s", "save", "Save", id="conversation_settings.save"),
    ]

    def __init__(self, current: ConversationSettings, client: ChatClient | None, focus: str = "system-prompt") -> None:
        super().__init__()
        self._first_focus = focus
        self.current = current
        self.client = client
        self.models: list[str] = []
        self._typed = False
        self._real_ids: dict[str, str] = {}  # a model id as shown (cleaned) -> the id itself

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = "Conversation settings"
            yield Label("System prompt", classes="-heading")
            # A system prompt from a file is outside text: shown cleaned, given back byte for byte if left unchanged.
            shown_prompt = sanitize(self.current.system_prompt)
            yield TextArea(shown_prompt, id="system-prompt", soft_wrap=True, tab_behavior="focus")
            yield Label("Model (type to filter the server's list, or any model name)", classes="-heading")
            yield Input(self._shown_model(self.current.model), id="model", placeholder="model name")
            yield OptionList(id="models")
            yield Label("Loading the server's models…", id="models-status")
            yield Label("When the conversation is longer than the model's context", classes="-heading")
            with RadioSet(id="policy"):
                for name, text in POLICIES.items():
                    yield RadioButton(text, value=name == self.current.context_policy, name=name)
            with Horizontal(id="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#{self._first_focus}").focus()
        self._load_models()

    @work(exclusive=True, group="models", exit_on_error=False)
    async def _load_models(self) -> None:
        status = self.query_one("#models-status", Label)
        if self.client is None:
            status.update("No server is configured: type a model name.")
            return
        try:
            self.models = await self.client.list_models()
        except ChatError as error:
            status.update(outside(f"Could not list the server's models ({error.message}). Type a model name."))
            return
        status.update(f"{len(self.models)} models on the server.")
        self._refilter(show_all=True)

    def _refilter(self, show_all: bool = False) -> None:
        query = "" if show_all else self.query_one("#model", Input).value
        shown = filter_models(self.models, query)
        options = self.query_one("#models", OptionList)
        options.clear_options()
        options.add_options([Option(outside(m), id=m) for m in shown])
        current = self.query_one("#model", Input).value.strip()
        if current in shown:
            options.highlighted = shown.index(current)

    @on(Input.Changed, "#model")
    def _model_typed(self, event: Input.Changed) -> None:
        # The Input announces its initial value once mounted; that is not typing, and filtering by it would hide every
        # other model whenever the server's list arrived first.
        if event.value != sanitize_line(self.current.model):
            self._typed = True
        if self.models and self._typed:
            self._refilter()

    @on(Input.Submitted, "#model")
    def _model_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#models", OptionList)
        if options.option_count:
            if options.highlighted is None:
                options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#models")
    def _model_picked(self, event: OptionList.OptionSelected) -> None:
        model_input = self.query_one("#model", Input)
        with model_input.prevent(Input.Changed):
            model_input.value = self._shown_model(event.option.id or "")
        self.query_one("#policy", RadioSet).focus()

    def _shown_model(self, model: str) -> str:
        """The model id as the input shows it: cleaned, remembered so that saving gives back the id byte for byte."""
        shown = sanitize_line(model)
        if shown != model:
            self._real_ids[shown] = model
        return shown

    def _real_model(self, shown: str) -> str:
        return self._real_ids.get(shown, shown)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def selected_policy(self) -> str:
        """The context policy chosen in the radio set."""
        pressed = self.query_one("#policy", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else self.current.context_policy

    def action_save(self) -> None:
        """Close and apply the settings."""
        model = self._real_model(self.query_one("#model", Input).value.strip()) or self.current.model
        prompt = self.query_one("#system-prompt", TextArea).text
        if prompt == sanitize(self.current.system_prompt):
            prompt = self.current.system_prompt  # unchanged: the stored text, not its cleaned display
        self.dismiss(ConversationSettings(system_prompt=prompt, model=model, context_policy=self.selected_policy()))

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
