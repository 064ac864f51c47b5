"""ThemePicker: a list of themes applied live as the highlight moves; Enter keeps one, Esc restores the old one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from causerie.ui.text import outside

# A theme switch restyles every widget (hundreds of ms with a long conversation open): while the highlight moves
# quickly (a held arrow key), only the theme it rests on is applied.
PREVIEW_DELAY = 0.08


class ThemePicker(ModalScreen[str | None]):
    """Preview themes by moving the highlight; dismisses with the chosen name, or None when cancelled."""

    DEFAULT_CSS = """
    ThemePicker {
        align: right top;
        background: $background 0%;
    }
    ThemePicker > #theme-picker {
        width: 52;
        height: auto;
        max-height: 90%;
        margin: 1 2;
        padding: 0 1;
        background: $panel;
        border: round $primary;
        border-title-color: $text;
    }
    ThemePicker OptionList {
        height: auto;
        max-height: 24;
        border: none;
        background: $panel;
    }
    ThemePicker #theme-picker-help {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="theme_picker.cancel"),
    ]

    def __init__(self, themes: list[tuple[str, str]], current: str) -> None:
        """`themes` is (name, description) in display order; `current` is the theme to restore on cancel."""
        super().__init__()
        self._themes = themes
        self._original = current
        self._pending: str | None = None
        self._preview_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="theme-picker") as box:
            box.border_title = "Theme"
            yield OptionList(*(Option(self._label(n, d), id=n) for n, d in self._themes), id="theme-list")
            yield Static("↑↓ preview · Enter keep · Esc cancel", id="theme-picker-help")

    @staticmethod
    def _label(name: str, description: str) -> Content:
        # Theme names and descriptions come from the user's theme files: never markup.
        return Content.assemble(outside(name), "  ", outside(description, "dim")) if description else outside(name)

    @property
    def option_list(self) -> OptionList:
        return self.query_one("#theme-list", OptionList)

    def on_mount(self) -> None:
        names = [name for name, _ in self._themes]
        if self._original in names:
            self.option_list.highlighted = names.index(self._original)
        self.option_list.focus()

    @on(OptionList.OptionHighlighted, "#theme-list")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id in self.app.available_themes:
            self._pending = event.option.id
            if self._preview_timer is not None:
                self._preview_timer.stop()
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self._apply_pending)

    def _apply_pending(self) -> None:
        self._preview_timer = None
        if self._pending is not None and self.app.theme != self._pending:
            self.app.theme = self._pending

    def _stop_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        self._pending = None

    @on(OptionList.OptionSelected, "#theme-list")
    def _choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._stop_preview()
        if event.option.id and event.option.id in self.app.available_themes:
            self.app.theme = event.option.id
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Put the theme back as it was and close."""
        self._stop_preview()
        self.app.theme = self._original
        self.dismiss(None)
