"""UsageScreen: tokens and cost per day, per model and per reasoning effort across all saved conversations, with a
chart."""

from __future__ import annotations

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from causerie.core.chat.params import EFFORTS
from causerie.core.settings.config import BUILTIN_PROFILES
from causerie.core.storage.store import ConversationStore, StoreError
from causerie.core.usage.pricing import PriceTable, format_cost
from causerie.core.usage.usage_report import Bucket, UsageSummary, summarize_usage
from causerie.ui.text import outside_cell

DAYS_SHOWN = 30


def cost_cell(bucket: Bucket) -> str:
    """The cost of a bucket, saying when part of it is unknown or estimated."""
    if bucket.unpriced and not bucket.cost:
        return "cost unknown"
    text = format_cost(bucket.cost, estimated=bucket.estimated)
    return f"{text} + unknown" if bucket.unpriced else text


class UsageScreen(Screen):
    """Totals per day and per model, read from every conversation file (in a thread)."""

    DEFAULT_CSS = """
    UsageScreen {
        padding: 1 2;
    }
    UsageScreen #usage-title {
        text-style: bold;
        height: auto;
    }
    UsageScreen #usage-chart-label {
        color: $text-muted;
        height: 1;
        margin-top: 1;
    }
    UsageScreen Sparkline {
        height: 4;
        margin-bottom: 1;
    }
    UsageScreen Horizontal {
        height: 1fr;
    }
    UsageScreen DataTable {
        width: 1fr;
        height: 1fr;
        margin-right: 1;
    }
    UsageScreen #usage-right {
        width: 1fr;
    }
    UsageScreen.-narrow Horizontal {
        layout: vertical;
    }
    UsageScreen.-narrow DataTable, UsageScreen.-narrow #usage-right {
        width: 1fr;
        margin-right: 0;
    }
    UsageScreen #usage-efforts {
        width: 1fr;
        height: auto;
        max-height: 50%;
        margin-top: 1;
    }
    """

    BINDINGS = [Binding("escape,q", "close", "Back", id="usage.close")]
    SIDE_BY_SIDE = 100  # columns from which the per-day and per-model tables stand side by side

    def __init__(self, store: ConversationStore, prices: PriceTable, local_profiles: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.store = store
        self.prices = prices
        self.local_profiles = tuple(local_profiles) or tuple(n for n, p in BUILTIN_PROFILES.items() if p.local)
        self.summary: UsageSummary | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Usage: reading conversations…", id="usage-title")
            yield Static(f"Tokens per day, last {DAYS_SHOWN} days", id="usage-chart-label")
            yield Sparkline([], id="usage-chart")
            with Horizontal():
                yield DataTable(id="usage-days", cursor_type="row", zebra_stripes=True)
                with Vertical(id="usage-right"):
                    yield DataTable(id="usage-models", cursor_type="row", zebra_stripes=True)
                    yield DataTable(id="usage-efforts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        # Side by side, the tables need about 100 columns: narrower, one above the other, every column in sight.
        self.set_class(event.size.width < self.SIDE_BY_SIDE, "-narrow")

    def on_mount(self) -> None:
        days = self.query_one("#usage-days", DataTable)
        days.add_columns("Day", "Replies", "Input", "Output", "Cost")
        models = self.query_one("#usage-models", DataTable)
        models.add_columns("Model", "Replies", "Input", "Output", "Cost")
        efforts = self.query_one("#usage-efforts", DataTable)
        efforts.add_columns("Effort", "Replies", "Output", "Reasoning", "Cost")
        efforts.display = False  # until a reply asked with an effort is found
        self._load()

    @work(thread=True, exclusive=True, group="usage", exit_on_error=False)
    def _load(self) -> None:
        conversations = []
        for summary in self.store.list():
            try:
                conversations.append(self.store.load(summary.id))
            except StoreError:
                continue  # already reported by the sidebar; never touched
        result = summarize_usage(conversations, self.prices, local_profiles=self.local_profiles)
        self.app.call_from_thread(self.show_summary, result)

    def show_summary(self, summary: UsageSummary) -> None:
        """Fill the chart and the tables."""
        self.summary = summary
        total = summary.total
        mark = "≈" if total.estimated else ""
        conversations = f"{summary.conversations} conversation{'s' if summary.conversations != 1 else ''}"
        replies = f"{total.replies} repl{'ies' if total.replies != 1 else 'y'}"
        self.query_one("#usage-title", Static).update(
            f"Usage across {conversations}: {replies}, {mark}{total.prompt_tokens:,} tokens in, "
            f"{mark}{total.completion_tokens:,} out, {cost_cell(total)}. Prices: table of {self.prices.date}; "
            "≈ marks estimates. Esc to go back."
        )
        series = summary.daily_series(DAYS_SHOWN)
        self.query_one(Sparkline).data = [float(tokens) for _, tokens in series]
        if series:
            self.query_one("#usage-chart-label", Static).update(
                f"Tokens per day, {series[0][0]} to {series[-1][0]} (peak {max(t for _, t in series):,})"
            )
        days = self.query_one("#usage-days", DataTable)
        days.clear()
        for day in sorted(summary.days, reverse=True):
            bucket = summary.days[day]
            days.add_row(
                *map(
                    outside_cell,
                    (
                        day,
                        bucket.replies,
                        f"{bucket.prompt_tokens:,}",
                        f"{bucket.completion_tokens:,}",
                        cost_cell(bucket),
                    ),
                )
            )
        models = self.query_one("#usage-models", DataTable)
        models.clear()
        for model, bucket in sorted(summary.models.items(), key=lambda item: -item[1].total_tokens):
            models.add_row(  # model names come from conversation files: never markup
                *map(
                    outside_cell,
                    (
                        model,
                        bucket.replies,
                        f"{bucket.prompt_tokens:,}",
                        f"{bucket.completion_tokens:,}",
                        cost_cell(bucket),
                    ),
                )
            )

        self._show_efforts(summary)

    def _show_efforts(self, summary: UsageSummary) -> None:
        """The cost split by reasoning effort (the replies asked with one), when there are any."""
        efforts = self.query_one("#usage-efforts", DataTable)
        efforts.clear()
        efforts.display = bool(summary.efforts)
        order = {effort: n for n, effort in enumerate(EFFORTS)}
        for effort, bucket in sorted(summary.efforts.items(), key=lambda item: (order.get(item[0], 99), item[0])):
            efforts.add_row(  # the effort comes from conversation files: never markup
                *map(
                    outside_cell,
                    (
                        effort,
                        bucket.replies,
                        f"{bucket.completion_tokens:,}",
                        f"{bucket.reasoning_tokens:,}",
                        cost_cell(bucket),
                    ),
                )
            )

    def action_close(self) -> None:
        """Back to the conversation."""
        self.dismiss()
