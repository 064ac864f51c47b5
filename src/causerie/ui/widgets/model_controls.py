"""ModelControls: the request controls of one conversation (effort, sampling, output cap, seed, extra body fields).

Only the controls the model takes are shown; a value that no server would take is named under the fields, and
`read()` refuses it (the settings screen then stays open: an invalid value is never saved).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from causerie.core.chat.params import CONTROLS, ParamError, RequestParams, check, parse_extra_json
from causerie.core.safe_text import sanitize_line
from causerie.ui.text import outside
from causerie.ui.widgets.in_order import InOrderInput

# Field id, label, control, placeholder.
_NUMBER_FIELDS = (
    ("temperature", "Temperature", "temperature", "0 to 2"),
    ("top-p", "Top p", "top_p", "0 to 1"),
    ("max-tokens", "Max output tokens", "max_tokens", "e.g. 4000"),
    ("seed", "Seed", "seed", "whole number"),
)


def _shown(value: Any) -> str:
    return "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


class ModelControls(Vertical):
    """Reasoning effort (a Select), temperature, top_p, max output tokens, seed, and extra body fields as JSON."""

    DEFAULT_CSS = """
    ModelControls {
        height: auto;
    }
    ModelControls > Horizontal {
        height: auto;
    }
    ModelControls .control {
        width: 1fr;
        height: auto;
        margin-right: 1;
    }
    ModelControls .control > Label {
        color: $text-muted;
    }
    ModelControls #controls-hint {
        color: $text-muted;
    }
    ModelControls #controls-error {
        color: $error;
        display: none;
    }
    ModelControls #controls-error.-shown {
        display: block;
    }
    """

    def __init__(self, params: dict[str, Any], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        try:
            self.initial = RequestParams.from_dict(params or None)
        except ParamError:
            self.initial = RequestParams()  # a hand-edited file: shown as unset, the engine says why it is not sent
        self._offered: set[str] = set(CONTROLS)
        self.problem = ""  # the first value no server would take, as shown under the fields

    def compose(self) -> ComposeResult:
        effort = self.initial.reasoning_effort
        with Horizontal():
            with Vertical(classes="control", id="control-reasoning-effort"):
                yield Label("Reasoning effort")
                options = [(e, e) for e in (effort,) if e]
                yield Select(options, prompt="unset", allow_blank=True, value=effort or Select.NULL, id="effort")
            for field_id, label, name, hint in _NUMBER_FIELDS[:2]:
                with Vertical(classes="control", id=f"control-{field_id}"):
                    yield Label(label)
                    yield InOrderInput(_shown(getattr(self.initial, name)), placeholder=hint, id=field_id)
        with Horizontal():
            for field_id, label, name, hint in _NUMBER_FIELDS[2:]:
                with Vertical(classes="control", id=f"control-{field_id}"):
                    yield Label(label)
                    yield InOrderInput(_shown(getattr(self.initial, name)), placeholder=hint, id=field_id)
        yield Label("Extra body fields (JSON, for compatible servers)", classes="control-label")
        extra = json.dumps(self.initial.extra, ensure_ascii=False) if self.initial.extra else ""
        self._shown_extra = sanitize_line(extra)  # from a file: shown cleaned, given back as it was if unchanged
        yield InOrderInput(self._shown_extra, placeholder='e.g. {"top_k": 40}', id="extra-body")
        yield Label("", id="controls-hint")
        yield Label("", id="controls-error")

    def offer(self, controls: Iterable[str], efforts: tuple[str, ...], model: str, why: str = "") -> None:
        """Show only `controls` (and these efforts) for `model`; `why` says what is left out and why."""
        self._offered = set(controls)
        for name in CONTROLS:
            self.query_one(f"#control-{name.replace('_', '-')}").display = name in self._offered
        select = self.query_one("#effort", Select)
        current = select.value
        with select.prevent(Select.Changed):
            select.set_options([(e, e) for e in efforts])
            if current in efforts:
                select.value = current
        self.query_one("#controls-hint", Label).update(outside(why) if why else "")
        self._check()

    def read(self) -> RequestParams:
        """The controls as typed (hidden ones unset); raises ParamError naming the field."""
        values: dict[str, Any] = {}
        select = self.query_one("#effort", Select)
        if "reasoning_effort" in self._offered and select.value is not Select.NULL:
            values["reasoning_effort"] = select.value
        for field_id, label, name, _hint in _NUMBER_FIELDS:
            text = self.query_one(f"#{field_id}", Input).value.strip()
            if not text or name not in self._offered:
                continue
            try:
                number: Any = float(text) if name in ("temperature", "top_p") else int(text)
            except ValueError:
                kind = "a number" if name in ("temperature", "top_p") else "a whole number"
                raise ParamError(f"{label}: {text!r} is not {kind}") from None
            try:
                values[name] = check(name, number)
            except ParamError as exc:
                raise ParamError(f"{label}: {exc}") from None
        typed = self.query_one("#extra-body", Input).value
        try:
            extra = self.initial.extra if typed == self._shown_extra else parse_extra_json(typed)
        except ParamError as exc:
            raise ParamError(f"Extra body fields: {exc}") from None
        return RequestParams(**values, extra=extra)

    def focus_first(self) -> None:
        """Put the cursor in the first control shown for the model."""
        for name in CONTROLS:
            if name in self._offered:
                field_id = "effort" if name == "reasoning_effort" else name.replace("_", "-")
                self.screen.set_focus(self.query_one(f"#{field_id}"))
                return

    def focus_problem(self) -> None:
        """Scroll the problem into view and put the cursor in the first field that does not parse."""
        error = self.query_one("#controls-error", Label)
        error.scroll_visible()
        text = self.problem
        for field_id, label, _name, _hint in (*_NUMBER_FIELDS, ("extra-body", "Extra body fields", "", "")):
            if text.startswith(label):
                self.query_one(f"#{field_id}", Input).focus()
                return

    @on(Input.Changed)
    def _typed(self) -> None:
        self._check()

    def _check(self) -> bool:
        """Show the first problem under the fields; whether everything is valid."""
        error = self.query_one("#controls-error", Label)
        try:
            self.read()
        except ParamError as exc:
            self.problem = str(exc)
            error.update(outside(self.problem))
            error.set_class(True, "-shown")
            return False
        self.problem = ""
        error.update("")
        error.set_class(False, "-shown")
        return True
