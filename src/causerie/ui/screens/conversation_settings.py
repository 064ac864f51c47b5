"""ConversationSettingsScreen: a modal to edit one conversation's system prompt, model, controls, context policy
and the tools it offers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, RadioButton, RadioSet, TextArea
from textual.widgets.option_list import Option

from causerie.core.chat.client import ChatClient
from causerie.core.chat.errors import ChatError
from causerie.core.chat.params import CONTROLS, DEFAULT_EFFORTS, ParamError
from causerie.core.engine.params_step import ModelOffer
from causerie.core.safe_text import sanitize, sanitize_line
from causerie.ui.text import outside
from causerie.ui.widgets.in_order import InOrderInput, InOrderTextArea
from causerie.ui.widgets.model_controls import ModelControls
from causerie.ui.widgets.tool_switches import ToolSwitches

if TYPE_CHECKING:
    from causerie.core.tools.servers import ToolServers

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
    params: dict[str, Any] = field(default_factory=dict)  # the conversation's controls (RequestParams' JSON form)
    disabled_tools: tuple[str, ...] = ()  # the tools switched off (core/tools/switches.py keys)


def offer_everything(model: str) -> ModelOffer:
    """Every control, for a screen opened without a model table."""
    return ModelOffer(frozenset(CONTROLS), DEFAULT_EFFORTS)


def filter_models(models: list[str], query: str) -> list[str]:
    """Models whose id contains every word of `query` (case-insensitive), in their order."""
    words = query.lower().split()
    return [m for m in models if all(w in m.lower() for w in words)]


class ConversationSettingsScreen(ModalScreen[ConversationSettings | None]):
    """System prompt editor, model picker (the server's /models, filtered by typing), the model's controls, the
    context policy, and the tool servers with a switch for each tool (when servers are configured)."""

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

    def __init__(
        self,
        current: ConversationSettings,
        client: ChatClient | None,
        focus: str = "system-prompt",
        offer: Callable[[str], ModelOffer] = offer_everything,
        tools: ToolServers | None = None,
    ) -> None:
        super().__init__()
        self.tools = tools
        self.offer = offer
        self._first_focus = focus
        self.current = current
        self.client = client
        self.models: list[str] = []
        self._typed = False
        self._real_ids: dict[str, str] = {}  # a model id as shown (cleaned) -> the id itself

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = "Conversation settings"
            yield Label("System prompt", classes="-heading")
            # A system prompt from a file is outside text: shown cleaned, given back byte for byte if left unchanged.
            shown_prompt = sanitize(self.current.system_prompt)
            yield InOrderTextArea(shown_prompt, id="system-prompt", soft_wrap=True, tab_behavior="focus")
            yield Label("Model (type to filter the server's list, or any model name)", classes="-heading")
            yield InOrderInput(self._shown_model(self.current.model), id="model", placeholder="model name")
            yield OptionList(id="models")
            yield Label("Loading the server's models…", id="models-status")
            yield Label("Model controls (empty: the profile's, or not sent)", classes="-heading")
            yield ModelControls(self.current.params, id="controls")
            yield Label("When the conversation is longer than the model's context", classes="-heading")
            with RadioSet(id="policy"):
                for name, text in POLICIES.items():
                    yield RadioButton(text, value=name == self.current.context_policy, name=name)
            if self.tools is not None:
                yield Label("Tools offered in this conversation", classes="-heading")
                yield ToolSwitches(self.current.disabled_tools, id="tools")
            with Horizontal(id="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(f"#{self._first_focus}").focus()
        self._offer_for(self.current.model)
        self._load_models()
        if self.tools is not None:
            self._follow_servers()

    @work(exclusive=True, group="tool-servers", exit_on_error=False)
    async def _follow_servers(self) -> None:
        """List the servers now and again each time one becomes ready or fails, while the screen is open.

        They start in the background after the first paint and may take seconds: a list taken once at opening
        would show "starting" until the screen is opened again.
        """
        assert self.tools is not None
        switches = self.query_one(ToolSwitches)
        while True:
            switches.show(self.tools.statuses(), self.tools.launched())
            if not self.tools.starting():
                return
            await self.tools.changed()

    def _offer_for(self, model: str) -> None:
        """Show the controls `model` takes (by the model table and what its server refused before)."""
        offer = self.offer(model.strip())
        self.query_one(ModelControls).offer(offer.controls, offer.efforts, model, offer.why)

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
        self._offer_for(self._real_model(event.value.strip()) or self.current.model)

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
        self._offer_for(event.option.id or "")
        self.query_one(ModelControls).focus_first()

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
        """Close and apply the settings (not while a control holds a value no server takes: it says which)."""
        controls = self.query_one(ModelControls)
        try:
            params = controls.read()
        except ParamError:
            controls.focus_problem()
            return
        model = self._real_model(self.query_one("#model", Input).value.strip()) or self.current.model
        prompt = self.query_one("#system-prompt", TextArea).text
        if prompt == sanitize(self.current.system_prompt):
            prompt = self.current.system_prompt  # unchanged: the stored text, not its cleaned display
        policy = self.selected_policy()
        switches = self.query(ToolSwitches)
        disabled = tuple(switches.first().switched_off()) if switches else self.current.disabled_tools
        self.dismiss(ConversationSettings(prompt, model, policy, params.to_dict(), disabled))

    def action_cancel(self) -> None:
        """Close without changing anything."""
        self.dismiss(None)
