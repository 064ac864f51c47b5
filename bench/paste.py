"""How long a 1 MB paste blocks the app, and how long the next key takes, with and without the paste placeholder.

    PYTHONPATH=src python bench/paste.py            # placeholder on (the product)
    PYTHONPATH=src python bench/paste.py --inline   # everything inserted into the TextArea (the old behaviour)

Two shapes: 10,000 lines of 100 characters, and one 1 MB line (a minified file). Times are wall-clock seconds from
posting the Paste event until the app is idle again, then for one key press; the app runs headless at 100x30.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from textual import events

from causerie.core.settings.config import load_settings
from causerie.testing.fake_openai import FakeOpenAI
from causerie.ui.app import CauserieApp

SHAPES = {
    "10,000 lines": ("x" * 99 + "\n") * 10_000,
    "one 1 MB line": "word " * 200_000,
}


async def measure(text: str) -> tuple[float, float]:
    with FakeOpenAI() as server:
        app = CauserieApp(load_settings({"base_url": server.base_url}))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            start = time.perf_counter()
            app.post_message(events.Paste(text))
            await pilot.pause()
            pasted = time.perf_counter()
            await pilot.press("a")
            keyed = time.perf_counter()
    return pasted - start, keyed - pasted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inline", action="store_true", help="disable the placeholder (insert everything)")
    args = parser.parse_args()
    os.environ["CAUSERIE_HOME"] = tempfile.mkdtemp(prefix="causerie-bench-")
    if args.inline:
        from causerie.ui.widgets import prompt

        prompt.PASTE_INLINE_LIMIT = 10**9
    for name, text in SHAPES.items():
        paste, key = asyncio.run(measure(text))
        print(f"{name:>14}: paste {paste:5.2f} s, next key {key:5.2f} s ({'inline' if args.inline else 'placeholder'})")


if __name__ == "__main__":
    main()
