"""The scenarios of issue 5 (long replies, typing, big histories), each run several times, with their floors."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import Any

import textual

from . import pty_bench, ui_bench
from .histories import fresh_history
from .server import END_MARK, BenchServer, prompt, reply_text

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Sizes:
    """How big each scenario is (the full sizes of the issue, or tiny ones for the smoke test)."""

    long: int = 5000
    rate_delay: float = 0.005  # 200 tokens/s
    rate_tokens: int = 5000
    short: int = 1000
    huge: int = 20000
    histories: tuple[int, ...] = (0, 1000, 10000)
    open_messages: int = 500
    memory_histories: int = 10000
    warm_up: bool = True  # one untimed start per store size (builds the index, warms the file cache)


TINY = Sizes(
    long=150,
    rate_delay=0.005,
    rate_tokens=60,
    short=60,
    huge=240,
    histories=(0, 5, 20),
    open_messages=30,
    memory_histories=20,
    warm_up=False,
)


@dataclass
class Row:
    """One line of the table: samples, the budget and the floor."""

    name: str
    unit: str
    samples: list[float]
    budget: str = ""
    floor: float | None = None
    floor_name: str = ""
    ok: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": median(self.samples),
            "min": min(self.samples),
            "max": max(self.samples),
            "samples": self.samples,
            "budget": self.budget,
            "floor": self.floor,
            "floor_name": self.floor_name,
            "ratio_to_floor": (median(self.samples) / self.floor) if self.floor else None,
            "within_budget": self.ok,
        }


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| scenario | median | min-max | budget | ok | floor | ratio to floor |",
        "|---|---:|---:|---|---|---|---:|",
    ]
    for row in rows:
        data = row.as_dict()
        floor = f"{_fmt(row.floor)} {row.unit} ({row.floor_name})" if row.floor is not None else "—"
        ratio = f"{data['ratio_to_floor']:.1f}x" if data["ratio_to_floor"] else "—"
        ok = {True: "yes", False: "**no**", None: ""}[row.ok]
        lines.append(
            f"| {row.name} | {_fmt(data['median'])} {row.unit} | {_fmt(data['min'])}-{_fmt(data['max'])} | "
            f"{row.budget} | {ok} | {floor} | {ratio} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "textual": textual.__version__,
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
    }


def _runs(count: int, action: Any) -> list[Any]:
    return [action() for _ in range(count)]


def run(sizes: Sizes, runs: int, only: set[str] | None, log: Any) -> tuple[list[Row], dict[str, Any]]:
    """Every scenario `runs` times; the table rows and the raw figures."""
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    want = lambda name: only is None or name in only  # noqa: E731
    scratch = Path(tempfile.mkdtemp(prefix="causerie-bench-"))
    try:
        with BenchServer() as server:
            groups = [
                ("reply", lambda: _reply_scenarios(server, sizes, runs, raw, log)),
                ("math", lambda: _math_scenario(server, sizes, runs, raw, log)),
                ("scaling", lambda: _scaling(server, sizes, runs, raw, log)),
                ("open", lambda: _open(server, sizes, runs, raw, scratch, log)),
                ("startup", lambda: _startup(server, sizes, runs, raw, scratch, log)),
                ("first", lambda: _first_token(server, runs, raw, scratch, log)),
                ("memory", lambda: _memory(server, sizes, runs, raw, scratch, log)),
            ]
            for name, group in groups:
                if want(name):
                    try:
                        rows += group()
                    except Exception as exc:  # one failed scenario must not lose the others' figures
                        log(f"{name}: failed: {exc!r}")
                        raw.setdefault("failures", {})[name] = repr(exc)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows, raw


def _reply(server: BenchServer, tokens: int, delay: float, echo: bool, math: bool = False) -> dict[str, Any]:
    home = ui_bench.new_home()
    try:
        return asyncio.run(ui_bench.reply_run(server, tokens, delay, echo, home, math))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _reply_scenarios(server: BenchServer, sizes: Sizes, runs: int, raw: dict, log: Any) -> list[Row]:
    log(f"reply: {sizes.long} tokens as fast as possible, {runs} runs")
    fast = _runs(runs, lambda: _reply(server, sizes.long, 0.0, True))
    log(f"reply: {sizes.rate_tokens} tokens at {1 / sizes.rate_delay:.0f} tokens/s, {runs} runs")
    rate = _runs(runs, lambda: _reply(server, sizes.rate_tokens, sizes.rate_delay, True))
    log("floors: Rich once, Textual Markdown once, idle echo")
    rich = _runs(runs, lambda: ui_bench.rich_floor(sizes.long))
    textual_md = _runs(runs, lambda: asyncio.run(ui_bench.textual_markdown_floor(sizes.long)))
    home = ui_bench.new_home()
    idle = [asyncio.run(ui_bench.idle_echo_run(server, home)) for _ in range(runs)]
    shutil.rmtree(home, ignore_errors=True)
    raw.update(fast=fast, rate=rate, rich_floor=rich, textual_markdown_floor=textual_md, idle_echo=idle)
    idle_echo = ui_bench.summarize_echo(idle)
    walls = [r["wall"] for r in fast]
    cpus = [r["cpu"] for r in fast]
    late = [r["after_last_byte"] for r in rate]
    share = [100 * r["cpu"] / r["wall"] for r in rate]
    fast_echo = [ui_bench.summarize_echo([r["echo"]]) for r in fast]
    rate_echo = [ui_bench.summarize_echo([r["echo"]]) for r in rate]
    k = f"{sizes.long:,}"
    return [
        Row(
            f"{k} tokens, fast: Enter to last token on screen",
            "s",
            walls,
            "≤ 2 s",
            median(rich),
            "Rich once, CPU",
            max(walls) <= 2.0,
        ),
        Row(f"{k} tokens, fast: CPU", "CPU-s", cpus, "< 2.5 CPU-s", median(rich), "Rich once", max(cpus) < 2.5),
        Row("floor: Textual Markdown widget renders it once", "CPU-s", textual_md),
        Row(
            f"{sizes.rate_tokens:,} tokens at 200/s: last token after server's last byte",
            "s",
            late,
            "≤ 0.5 s",
            median([r["server_send"] for r in rate]),
            "server send time",
            max(late) <= 0.5,
        ),
        Row(f"{sizes.rate_tokens:,} tokens at 200/s: CPU share", "% core", share, "< 25%", None, "", max(share) < 25),
        Row(
            "key echo during fast reply: median",
            "ms",
            [1000 * e["median"] for e in fast_echo],
            "≤ 50 ms",
            1000 * idle_echo["median"],
            "idle app",
            max(e["median"] for e in fast_echo) <= 0.05,
        ),
        Row(
            "key echo during fast reply: worst",
            "ms",
            [1000 * e["worst"] for e in fast_echo],
            "≤ 200 ms",
            1000 * idle_echo["worst"],
            "idle app",
            max(e["worst"] for e in fast_echo) <= 0.2,
        ),
        Row(
            "key echo during 200/s reply: median",
            "ms",
            [1000 * e["median"] for e in rate_echo],
            "≤ 50 ms",
            1000 * idle_echo["median"],
            "idle app",
            max(e["median"] for e in rate_echo) <= 0.05,
        ),
        Row(
            "key echo during 200/s reply: worst",
            "ms",
            [1000 * e["worst"] for e in rate_echo],
            "≤ 200 ms",
            1000 * idle_echo["worst"],
            "idle app",
            max(e["worst"] for e in rate_echo) <= 0.2,
        ),
    ]


def _math_scenario(server: BenchServer, sizes: Sizes, runs: int, raw: dict, log: Any) -> list[Row]:
    """The 5,000-token reply full of formulas (issue 21), under the same budgets as the ordinary one."""
    log(f"math: {sizes.long} tokens full of formulas as fast as possible, {runs} runs")
    fast = _runs(runs, lambda: _reply(server, sizes.long, 0.0, True, math=True))
    rich = _runs(runs, lambda: ui_bench.rich_floor(sizes.long, math=True))
    raw.update(math_fast=fast, math_rich_floor=rich)
    walls = [r["wall"] for r in fast]
    cpus = [r["cpu"] for r in fast]
    k = f"{sizes.long:,}"
    return [
        Row(
            f"{k} tokens of formulas, fast: Enter to last token on screen",
            "s",
            walls,
            "≤ 2 s",
            median(rich),
            "Rich once, CPU",
            max(walls) <= 2.0,
        ),
        Row(
            f"{k} tokens of formulas, fast: CPU",
            "CPU-s",
            cpus,
            "< 2.5 CPU-s",
            median(rich),
            "Rich once",
            max(cpus) < 2.5,
        ),
    ]


def _scaling(server: BenchServer, sizes: Sizes, runs: int, raw: dict, log: Any) -> list[Row]:
    log(f"scaling: {sizes.short} and {sizes.huge} tokens, {runs} runs each")
    short = _runs(runs, lambda: _reply(server, sizes.short, 0.0, False))
    huge = _runs(runs, lambda: _reply(server, sizes.huge, 0.0, False))
    raw.update(scaling_short=short, scaling_huge=huge)
    per_short = [1e6 * r["cpu"] / sizes.short for r in short]
    per_huge = [1e6 * r["cpu"] / sizes.huge for r in huge]
    ratios = [h / median(per_short) for h in per_huge]
    return [
        Row(f"CPU per token, {sizes.short:,}-token reply", "µs", per_short),
        Row(f"CPU per token, {sizes.huge:,}-token reply", "µs", per_huge),
        Row(
            f"CPU per token, {sizes.huge:,} vs {sizes.short:,}", "x", ratios, "≤ 1.5x", None, "", median(ratios) <= 1.5
        ),
    ]


def _open(server: BenchServer, sizes: Sizes, runs: int, raw: dict, scratch: Path, log: Any) -> list[Row]:
    log(f"open a {sizes.open_messages}-message conversation, {runs} runs")
    home = scratch / "open"
    conversation_id, last_id = ui_bench.prepare_open_store(home, sizes.open_messages)
    results = [asyncio.run(ui_bench.open_run(server, home, conversation_id, last_id)) for _ in range(runs)]
    raw["open"] = results
    walls = [1000 * r["wall"] for r in results]
    return [
        Row(
            f"open a {sizes.open_messages}-message conversation: last message on screen",
            "ms",
            walls,
            "≤ 300 ms",
            None,
            "",
            max(walls) <= 300,
        ),
    ]


def _startup(server: BenchServer, sizes: Sizes, runs: int, raw: dict, scratch: Path, log: Any) -> list[Row]:
    rows: list[Row] = []
    log(f"startup floor: empty Textual app, {runs} runs")
    floor = [pty_bench.start_empty_app(scratch) for _ in range(runs)]
    raw["startup_floor"] = floor
    rows.append(Row("floor: empty Textual app starts", "s", floor))
    by_count: dict[int, list[float]] = {}
    for count in sizes.histories:
        home = scratch / f"histories-{count}"
        fresh_history(home / "data", count)
        log(f"startup with {count} conversations: {int(sizes.warm_up)} warm-up + {runs} runs")
        if sizes.warm_up:
            pty_bench.start_causerie(home, server.base_url)
        by_count[count] = [pty_bench.start_causerie(home, server.base_url) for _ in range(runs)]
    raw["startup"] = {str(k): v for k, v in by_count.items()}
    zero = median(by_count[sizes.histories[0]])
    for count, samples in by_count.items():
        last = count == sizes.histories[-1]
        rows.append(
            Row(
                f"start to usable screen, {count:,} conversations",
                "s",
                samples,
                "≤ 1.3x the 0 start" if last else "",
                median(floor),
                "empty Textual app",
                (median(samples) <= 1.3 * zero) if last else None,
            )
        )
    return rows


FIRST_TOKEN_DELAYS = (0.0, 0.6)  # Enter at the first paint, and 0.6 s after it
FIRST_TOKEN_BUDGETS = {0.0: 0.4, 0.6: 0.2}


def _first_token(server: BenchServer, runs: int, raw: dict, scratch: Path, log: Any) -> list[Row]:
    """A fresh process, the prompt typed at the first paint, Enter after a set delay: Enter to the first token."""
    home = scratch / "first-token"
    fresh_history(home / "data", 0)
    first_words = reply_text(20).split("\n")[0].lstrip("# ")
    rows: list[Row] = []
    for delay in FIRST_TOKEN_DELAYS:
        log(f"first token, Enter {delay:g} s after the first paint: {runs} runs")
        samples = [
            pty_bench.first_token_run(home, server.base_url, prompt(20), first_words, delay) for _ in range(runs)
        ]
        raw[f"first_token_{delay:g}"] = samples
        budget = FIRST_TOKEN_BUDGETS[delay]
        rows.append(
            Row(
                f"first token after start, Enter {delay:g} s after the first paint",
                "s",
                samples,
                f"≤ {budget:g} s",
                None,
                "",
                median(samples) <= budget,
            )
        )
    return rows


def _memory(server: BenchServer, sizes: Sizes, runs: int, raw: dict, scratch: Path, log: Any) -> list[Row]:
    log(f"memory: {sizes.memory_histories} conversations listed and a {sizes.huge}-token reply, {runs} runs")
    home = scratch / f"memory-{sizes.memory_histories}"
    fresh_history(home / "data", sizes.memory_histories)
    floor = [pty_bench.empty_app_rss(scratch) for _ in range(runs)]
    samples, finished = [], []
    for _ in range(runs):
        peak, done = pty_bench.memory_run(home, server.base_url, prompt(sizes.huge), END_MARK)
        samples.append(peak)
        finished.append(done)
    raw.update(memory=samples, memory_finished=finished, memory_floor=floor)
    if not all(finished):
        log(f"memory: the reply's end was not on screen within the deadline in {finished.count(False)} run(s)")
    return [
        Row(
            f"peak RSS, {sizes.memory_histories:,} listed + {sizes.huge:,}-token reply",
            "MB",
            samples,
            "< 200 MB",
            median(floor),
            "empty Textual app",
            max(samples) < 200,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    """`python -m bench`: run the scenarios, print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (default 5)")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes (the smoke test; figures mean nothing)")
    parser.add_argument("--only", nargs="*", choices=["reply", "math", "scaling", "open", "startup", "first", "memory"])
    parser.add_argument("--out", type=Path, help="JSON file to write (default bench/results/render-<time>.json)")
    args = parser.parse_args(argv)
    sizes = TINY if args.tiny else Sizes()

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    before = machine()
    started = datetime.now(UTC)
    rows, raw = run(sizes, args.runs, set(args.only) if args.only else None, log)
    report = {
        "date": started.isoformat(timespec="seconds"),
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": before,
        "load_average_after": os.getloadavg(),
        "runs": args.runs,
        "sizes": sizes.__dict__,
        "rows": [row.as_dict() for row in rows],
        "raw": raw,
    }
    out = args.out or RESULTS / f"render-{started.strftime('%Y%m%dT%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str))
    print(table(rows))
    print(
        f"\n{before['cores']} cores, Python {before['python']}, Textual {before['textual']}; "
        f"load average before {before['load_average'][0]:.2f}, after {report['load_average_after'][0]:.2f}"
    )
    print(f"JSON: {out}")
    return 0
