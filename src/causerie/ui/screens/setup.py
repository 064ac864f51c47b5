"""SetupScreen: the first run without a usable key or server: an API key, or a detected local server."""

from __future__ import annotations

from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from causerie.core.chat.probe import LOCAL_CANDIDATES, ProbeResult, check_connection, detect_servers
from causerie.core.settings.config import BUILTIN_PROFILES, Settings
from causerie.core.settings.config_check import ConfigError
from causerie.core.settings.config_edit import set_profile_key, set_top_level_key
from causerie.ui.text import outside
from causerie.ui.widgets.in_order import InOrderInput

TYPED_KEY_SOURCE = "the key typed in the setup screen"


def local_profile_for(url: str) -> str:
    """The built-in local profile serving `url` (same port on localhost/127.0.0.1), else "local"."""
    wanted = urlsplit(url)
    for name, profile in BUILTIN_PROFILES.items():
        if profile.local and profile.base_url:
            known = urlsplit(profile.base_url)
            if (
                known.port == wanted.port
                and wanted.hostname in ("localhost", "127.0.0.1", "::1")
                and known.path.rstrip("/") == wanted.path.rstrip("/")
            ):
                return name
    return "local"


class SetupScreen(ModalScreen[Settings | None]):
    """Choose OpenAI (paste a key) or a local server, test the connection, and optionally save the choice."""

    DEFAULT_CSS = """
    SetupScreen { align: center middle; }
    SetupScreen #setup-dialog {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 1 2; overflow-y: auto;
    }
    SetupScreen #setup-key-fields, SetupScreen #setup-local-fields { height: auto; }
    SetupScreen .setup-title { text-style: bold; margin-bottom: 1; }
    SetupScreen .-hidden { display: none; }
    SetupScreen #setup-local-row { height: auto; }
    SetupScreen #setup-url { width: 1fr; }
    SetupScreen #setup-found { height: auto; max-height: 6; }
    SetupScreen #setup-result { margin: 1 0; display: none; }
    SetupScreen #setup-result.-said { display: block; }
    SetupScreen #setup-buttons { height: auto; }
    SetupScreen #setup-buttons Button { margin-right: 1; }
    """
    BINDINGS = [Binding("escape", "skip", "Skip", id="setup.skip")]

    def __init__(self, settings: Settings, candidates: list[str] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.candidates = list(candidates) if candidates is not None else [url for _, url in LOCAL_CANDIDATES]
        self.models: list[str] = []
        self.tested: ProbeResult | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="setup-dialog"):
            yield Static("Set up causerie", classes="setup-title")
            yield Static(
                "No API key or server is configured yet. Saved conversations stay readable either way.",
                id="setup-intro",
            )
            with RadioSet(id="setup-kind"):
                # The profile's name is the config file's text: shown as written, never parsed as markup.
                key_choice = Content.assemble("An API key for profile ", outside(repr(self.settings.profile)))
                yield RadioButton(key_choice, value=True, id="setup-openai")
                yield RadioButton("A server on this machine (Ollama, llama.cpp, vLLM, LM Studio)", id="setup-local")
            with Vertical(id="setup-key-fields"):
                yield Label("API key (it is never shown, logged or written into conversations):")
                yield InOrderInput(password=True, placeholder="sk-...", id="setup-key")
            with Vertical(id="setup-local-fields", classes="-hidden"):
                yield Label("Server URL (the API root, ending in /v1):")
                with Horizontal(id="setup-local-row"):
                    yield InOrderInput(value=self.candidates[0] if self.candidates else "", id="setup-url")
                    yield Button("Detect", id="setup-detect")
                yield OptionList(id="setup-found")
            yield Checkbox("Remember it in config.toml (readable by you only)", id="setup-save")
            yield Static("", id="setup-result")
            with Horizontal(id="setup-buttons"):
                yield Button("Test connection", id="setup-test")
                yield Button("Use", variant="primary", id="setup-use")
                yield Button("Skip", id="setup-skip")

    @property
    def local(self) -> bool:
        """Whether the local-server choice is selected."""
        return self.query_one("#setup-local", RadioButton).value

    def _say(self, text: str, ok: bool | None = None) -> None:
        result = self.query_one("#setup-result", Static)
        result.set_class(bool(text), "-said")  # no empty rows until there is something to say (80x24 fits)
        result.update(outside(text))  # server error messages and URLs are part of it: never markup
        result.set_class(ok is True, "-ok")
        result.set_class(ok is False, "-error")

    def on_mount(self) -> None:
        self.query_one("#setup-key", Input).focus()

    @on(RadioSet.Changed, "#setup-kind")
    def _kind_changed(self) -> None:
        local = self.local
        self.query_one("#setup-key-fields").set_class(local, "-hidden")
        self.query_one("#setup-local-fields").set_class(not local, "-hidden")
        self.models, self.tested = [], None
        self._say("")
        if local:
            self.query_one("#setup-url", Input).focus()
            self.detect()
        else:
            self.query_one("#setup-key", Input).focus()

    # -- detection -----------------------------------------------------------------------------------------
    @on(Button.Pressed, "#setup-detect")
    def _detect_pressed(self) -> None:
        self.detect()

    @work(exclusive=True, group="setup-detect", exit_on_error=False)
    async def detect(self) -> None:
        """Look for local servers at the usual addresses (short timeouts) and list those that answer."""
        self._say("Looking for local servers…")
        found = await detect_servers(self.candidates)
        options = self.query_one("#setup-found", OptionList)
        options.clear_options()
        for result in found:
            options.add_option(
                Option(outside(f"{result.base_url}  ({len(result.models)} model(s))"), id=result.base_url)
            )
        if found:
            self.query_one("#setup-url", Input).value = found[0].base_url
            self._say(f"Found {len(found)} server(s): pick one, then Test connection or Use.", True)
        else:
            tried = ", ".join(self.candidates)
            self._say(f"No local server answered at {tried}. Start one, or type its URL.", False)

    @on(OptionList.OptionSelected, "#setup-found")
    def _server_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.query_one("#setup-url", Input).value = event.option.id

    # -- testing -------------------------------------------------------------------------------------------
    def _endpoint(self) -> tuple[str | None, str | None]:
        """(base URL, key) of the current choice."""
        if self.local:
            return self.query_one("#setup-url", Input).value.strip() or None, None
        return self.settings.base_url, self.query_one("#setup-key", Input).value.strip() or None

    @on(Button.Pressed, "#setup-test")
    def _test_pressed(self) -> None:
        self.test_connection()

    @work(exclusive=True, group="setup-test", exit_on_error=False)
    async def test_connection(self) -> None:
        """Call /models with the current choice and report success or the exact problem."""
        base_url, key = self._endpoint()
        if not self.local and not key:
            self._say("Paste an API key first.", False)
            return
        if self.local and not base_url:
            self._say("Type the server's URL first.", False)
            return
        self._say("Testing the connection…")
        result = await check_connection(base_url, key, key_source=TYPED_KEY_SOURCE)
        self.tested = result
        self.models = result.models if result.ok else []
        self._say(result.message, result.ok)

    # -- choosing ------------------------------------------------------------------------------------------
    def chosen_settings(self) -> Settings:
        """The settings of the current choice (for this session)."""
        base_url, key = self._endpoint()
        if self.local:
            model = self.settings.model
            if self.models and model not in self.models:
                model = self.models[0]
            return self.settings.with_overrides(
                profile=local_profile_for(base_url or ""),
                base_url=base_url,
                api_key=None,
                api_key_source="nowhere (this profile needs no key)",
                local=True,
                keyless=True,
                model=model,
            )
        return self.settings.with_overrides(api_key=key, api_key_source=TYPED_KEY_SOURCE)

    def _save(self, chosen: Settings) -> str:
        """Write the choice to config.toml; returns what was saved, in words. Raises ConfigError."""
        path = self.settings.config_path
        if path is None:
            raise ConfigError("no config file location is known")
        if not chosen.local:
            set_profile_key(path, chosen.profile, "api_key", chosen.api_key or "", private=True)
            return f"The key is saved in {path} (readable by you only)."
        if chosen.profile == "local":
            set_profile_key(path, "local", "base_url", chosen.base_url or "")
            set_profile_key(path, "local", "local", True)
        if chosen.model != self.settings.model:
            set_profile_key(path, chosen.profile, "model", chosen.model)
        set_top_level_key(path, "profile", chosen.profile)
        return f"Profile {chosen.profile!r} is saved as the default in {path}."

    @on(Button.Pressed, "#setup-use")
    def action_use(self) -> None:
        """Use the current choice (saving it first if asked)."""
        base_url, key = self._endpoint()
        if not self.local and not key:
            self._say("Paste an API key first (or Skip).", False)
            return
        if self.local and not base_url:
            self._say("Type the server's URL first (or Skip).", False)
            return
        chosen = self.chosen_settings()
        if self.query_one("#setup-save", Checkbox).value:
            try:
                saved = self._save(chosen)
            except ConfigError as exc:
                self._say(f"Not saved: {exc}", False)
                return
            if not chosen.local:
                chosen = chosen.with_overrides(
                    api_key_source=f"api_key in [profiles.{chosen.profile}] of {chosen.config_path}"
                )
            self.app.notify(saved, title="Setup")
        self.dismiss(chosen)

    @on(Button.Pressed, "#setup-skip")
    def action_skip(self) -> None:
        """Close without a key or server: history stays readable."""
        self.dismiss(None)
