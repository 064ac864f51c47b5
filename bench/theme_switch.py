"""How long a theme switch takes (what the picker's live preview costs per step), by conversation length.

    python -m bench.theme_switch                  # 0, 20 and 100 turns open, 5 rounds over 5 themes
    python -m bench.theme_switch --turns 0 200 --rounds 3

Runs the app headless at 120x40 with a saved conversation open, sets `app.theme` and waits until Textual has
restyled and repainted (`pilot.pause()`); prints the median and max per switch in milliseconds and writes
bench/results/themes.json. CPU time (of this process) is reported beside wall time: on a shared machine the
wall clock mostly measures the other jobs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

THEMES = ["causerie-dark", "causerie-light", "causerie-high-contrast", "causerie-ansi", "nord"]
RESULTS = Path(__file__).parent / "results"
REPLY = """Here is one way to do it:

```python
def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]
```

- it is **lazy**: nothing is copied until you iterate;
- the last chunk may be shorter.

| size | chunks |
|---|---|
| 2 | 5 |
"""


def seed(turns: int) -> str:
    from causerie.core.conversation.models import Conversation, Message
    from causerie.core.settings import paths
    from causerie.core.storage.store import ConversationStore

    conversation = Conversation(title="bench", model="gpt-6-luna", profile="openai")
    for n in range(turns):
        conversation.append(Message("user", f"Question {n}: how do I split a list into chunks?"))
        conversation.append(Message("assistant", REPLY, model="gpt-6-luna", finish_reason="stop"))
    ConversationStore(paths.data_dir()).save(conversation)
    return conversation.id


async def measure(turns: int, rounds: int) -> tuple[list[float], list[float]]:
    from causerie.core.settings.config import load_settings
    from causerie.ui.app import CauserieApp
    from causerie.ui.messages import ConversationChosen

    conversation_id = seed(turns)
    app = CauserieApp(load_settings({}))
    timings: list[float] = []
    cpu: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        while screen.sidebar.ids != [conversation_id]:
            await pilot.pause(0.05)
        screen.post_message(ConversationChosen(conversation_id))
        while len(screen.view.message_views()) < 2 * turns:
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        for _ in range(rounds):
            for theme in THEMES:
                start, start_cpu = time.perf_counter(), time.process_time()
                app.theme = theme
                await pilot.pause()
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
    return timings, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[0, 20, 100])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    report = {"machine": f"{platform.machine()} {os.cpu_count()} cpu", "python": platform.python_version()}
    rows = {}
    for turns in args.turns:
        with tempfile.TemporaryDirectory() as home:
            os.environ["CAUSERIE_HOME"] = home
            timings, cpu = asyncio.run(measure(turns, args.rounds))
        row = rows[turns] = {
            "median_ms": round(statistics.median(timings), 1),
            "max_ms": round(max(timings), 1),
            "median_cpu_ms": round(statistics.median(cpu), 1),
        }
        print(
            f"{turns:>4} turns open: switch median {row['median_ms']:7.1f} ms (CPU {row['median_cpu_ms']:.1f} ms), "
            f"max {row['max_ms']:7.1f} ms"
        )
    report["switch"] = rows
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "themes.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
