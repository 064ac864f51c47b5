"""The controls of one turn: profile defaults < conversation settings < command line, and what a refusal changes.

Values from config.toml or the command line are sent exactly as set: a server that refuses one fails the turn
with a sentence saying where it was set. A conversation's own setting that the model does not take (by the model
table, or by a refusal the server gave before) is left out with a note, and a new refusal of one is learned and
the request sent again without it, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from causerie.core.chat.errors import ChatError
from causerie.core.chat.params import CONTROLS, ParamError, RequestParams, controls_offered, efforts_offered
from causerie.core.chat.refusals import Refusals
from causerie.core.conversation.models import Conversation
from causerie.core.usage.pricing import PriceTable


@dataclass
class TurnParams:
    """The layers of one turn's controls; `sent` is what goes on the wire."""

    profile: RequestParams = field(default_factory=RequestParams)
    chosen: RequestParams = field(default_factory=RequestParams)  # the conversation's, as far as the model takes
    command: RequestParams = field(default_factory=RequestParams)
    notes: list[str] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)

    @property
    def sent(self) -> RequestParams:
        """Profile < conversation < command line."""
        return self.profile.merged(self.chosen).merged(self.command)

    def drop_refused(self, error: ChatError) -> str | None:
        """After a refusal: drop the conversation's setting it names (once), and say so; None when it cannot be."""
        name = error.param
        if name is None or name in self.dropped or name not in self.chosen.names() or name in self.command.names():
            return None
        if name in self.profile.names():
            return None  # the profile's own value would be sent instead: that one is sent as set
        self.dropped.add(name)
        self.chosen = self.chosen.without(name)
        return f"The server does not accept {name} for this model: sent again without it, and remembered."

    def explain(self, error: ChatError) -> None:
        """Say in `error` where a refused value was set (it was not dropped: the user set it on purpose)."""
        name = error.param
        if name is None or name not in self.sent.names():
            return
        if name in self.command.names():
            where = "on the command line"
        elif name in self.chosen.names():
            where = "in this conversation's settings (F3)"
        else:
            where = "in the profile's settings in config.toml"
        error.message = f"The server does not accept {name} for this model; it is set {where}: remove it there."


def turn_params(
    conversation: Conversation,
    model: str,
    *,
    profile_name: str,
    defaults: RequestParams,
    command: RequestParams | None,
    prices: PriceTable,
    refusals: Refusals,
) -> TurnParams:
    """The layers for a turn of `conversation` with `model`, with notes about what is left out and why."""
    turn = TurnParams(profile=defaults, command=command or RequestParams())
    try:
        chosen = RequestParams.from_dict(conversation.params or None)
    except ParamError as exc:
        turn.notes.append(f"This conversation's model settings were not used: {exc}.")
        return turn
    entry = prices.lookup(model)
    refused = refusals.refused(profile_name, model)
    offered = controls_offered(entry.efforts if entry is not None else None, refused)
    left_out = [
        name
        for name in chosen.names()
        if (name in CONTROLS and name not in offered) or (name not in CONTROLS and name in refused)
    ]
    if left_out:
        why = "the server refused it for" if set(left_out) <= refused else "the model table says it does not suit"
        turn.notes.append(f"Not sent: {', '.join(left_out)} ({why} {model}).")
        chosen = chosen.without(*left_out)
    turn.chosen = chosen
    return turn


@dataclass(frozen=True)
class ModelOffer:
    """What conversation settings offer for one model: the controls, the efforts, and why some are left out."""

    controls: frozenset[str]
    efforts: tuple[str, ...]
    why: str = ""


def model_offer(prices: PriceTable, refusals: Refusals, profile: str, model: str) -> ModelOffer:
    """The controls and efforts `model` takes on `profile`, by the model table and the refusals remembered."""
    entry = prices.lookup(model)
    efforts = entry.efforts if entry is not None else None
    refused = refusals.refused(profile, model)
    offered = controls_offered(efforts, refused)
    notes = []
    by_table = [name for name in CONTROLS if name not in controls_offered(efforts)]
    if by_table:
        notes.append(f"{', '.join(by_table)}: not taken by {model} (the model table)")
    if refused:
        notes.append(f"{', '.join(sorted(refused))}: refused by the server for {model}")
    shown_efforts = tuple(e for e in efforts_offered(efforts) if e not in refused)
    return ModelOffer(frozenset(offered), shown_efforts, "Not offered: " + "; ".join(notes) + "." if notes else "")
