"""Store benchmarks (issue 3): listing with and without index.json, search, saving, memory of the listing.

    python -m bench.store_bench                 # 10,000 conversations, 5 runs (generates the data once)
    python -m bench.store_bench --count 500 --runs 3

Prints a table (median and min-max in milliseconds, budget, verdict) and writes bench/results/store.json.
The synthetic history is cached in $TMPDIR/causerie-bench-store-N (see --data).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.store_data import generate, long_conversation
from causerie.core.conversation.models import Message
from causerie.core.storage.store import ConversationStore

RESULTS = Path(__file__).parent / "results"
QUERIES = ("resume", "cafe creme", "asyncio.sleep(0.1)", "should return the value", "zzqxw")
BUDGETS_MS = {  # for 10,000 conversations
    "list, warm index": 150.0,
    "list, no index": 3000.0,
    "search, warm": 500.0,
    "save 1,000 messages": 50.0,
}
MEMORY_BUDGET_MB = 60.0


class Samples(list):
    """Wall-clock milliseconds, with the process CPU milliseconds of the same runs in `.cpu`."""

    cpu: list[float]


def timed(action: Callable[[], object], runs: int, setup: Callable[[], None] | None = None) -> Samples:
    """Milliseconds of `runs` calls of action (setup, untimed, before each)."""
    samples = Samples()
    samples.cpu = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start, cpu = time.perf_counter(), time.process_time()
        action()
        samples.append((time.perf_counter() - start) * 1000)
        samples.cpu.append((time.process_time() - cpu) * 1000)
    return samples


def row(name: str, samples: list[float], budget: float | None, unit: str = "ms") -> dict[str, object]:
    """One result line (CPU time too when measured: the machine may be shared)."""
    result: dict[str, object] = {
        "name": name,
        "unit": unit,
        "median": round(statistics.median(samples), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
        "runs": len(samples),
        "budget": budget,
        "ok": None if budget is None else statistics.median(samples) <= budget,
    }
    cpu = getattr(samples, "cpu", None)
    if cpu:
        result["cpu_median"] = round(statistics.median(cpu), 2)
    return result


MEMORY_CHILD = """
import gc, json, os, sys, tracemalloc
from pathlib import Path
from causerie.core.storage.store import ConversationStore

def rss():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

data = Path(sys.argv[1])
gc.collect()
tracemalloc.start()
empty = ConversationStore(Path(sys.argv[2]))
empty.list()
base_traced, base_rss = tracemalloc.get_traced_memory()[0], rss()
store = ConversationStore(data)
summaries = store.list()
gc.collect()
traced, peak = tracemalloc.get_traced_memory()
print(json.dumps({"count": len(summaries), "held": traced - base_traced, "peak": peak - base_traced,
                  "rss": rss() - base_rss}))
"""


def measure_memory(data_dir: Path, runs: int) -> list[dict[str, object]]:
    """Memory held by the listing, measured in fresh processes (tracemalloc and RSS)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    source = str(Path(sys.modules["causerie"].__file__ or "").resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, root, env.get("PYTHONPATH")]))
    held, peak, rss = [], [], []
    with tempfile.TemporaryDirectory() as empty:
        for _ in range(runs):
            output = subprocess.run(
                [sys.executable, "-c", MEMORY_CHILD, str(data_dir), empty],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(output)
            held.append(result["held"] / 2**20)
            peak.append(result["peak"] / 2**20)
            rss.append(result["rss"] / 2**20)
    return [
        row("memory held by the listing (tracemalloc)", held, MEMORY_BUDGET_MB, "MB"),
        row("memory peak while listing (tracemalloc)", peak, None, "MB"),
        row("memory held by the listing (RSS delta)", rss, MEMORY_BUDGET_MB, "MB"),
    ]


def run(count: int, runs: int, data_root: Path | None) -> dict[str, object]:
    """All store benchmarks at `count` conversations; returns the report."""
    data_dir = data_root or Path(tempfile.gettempdir()) / f"causerie-bench-store-{count}"
    started = time.perf_counter()
    generate(data_dir, count)
    generated = time.perf_counter() - started
    files = list((data_dir / "conversations").iterdir())
    total_bytes = sum(path.stat().st_size for path in files)
    index = data_dir / "index.json"
    scale = count / 10000
    rows: list[dict[str, object]] = []

    def budget(name: str) -> float | None:
        return BUDGETS_MS[name] if count == 10000 else None

    def drop_index() -> None:
        index.unlink(missing_ok=True)

    rows.append(
        row(
            "list, no index",
            timed(lambda: ConversationStore(data_dir).list(), runs, drop_index),
            budget("list, no index"),
        )
    )
    rows.append(
        row("list, warm index", timed(lambda: ConversationStore(data_dir).list(), runs), budget("list, warm index"))
    )
    same = ConversationStore(data_dir)
    same.list()
    rows.append(row("list again, same store", timed(same.list, runs), None))
    search_dir = data_dir / "search"

    def drop_search_cache() -> None:
        shutil.rmtree(search_dir, ignore_errors=True)

    def first_search() -> None:
        ConversationStore(data_dir).search("resume")

    few = max(1, min(runs, 3))
    rows.append(row("search, building the cache (first ever)", timed(first_search, few, drop_search_cache), None))
    rows.append(row("search, first of a session (cache on disk)", timed(first_search, runs), None))
    searcher = ConversationStore(data_dir)
    searcher.search("warm up")
    hits: dict[str, int] = {}
    for query in QUERIES:
        hits[query] = len(searcher.search(query))
        rows.append(
            row(f"search, warm: {query!r}", timed(lambda q=query: searcher.search(q), runs), budget("search, warm"))
        )
    with tempfile.TemporaryDirectory() as scratch:
        store = ConversationStore(Path(scratch))
        conversation = long_conversation(1000)
        store.save(conversation)
        size = store.path_for(conversation.id).stat().st_size

        def grow() -> None:
            conversation.append(Message(role="user", content="one more question?"))

        rows.append(
            row(
                "save 1,000 messages",
                timed(lambda: store.save(conversation), runs, grow),
                budget("save 1,000 messages"),
            )
        )
    memory = measure_memory(data_dir, runs)
    if count != 10000:
        for item in memory:
            item["budget"] = item["ok"] = None
    rows.extend(memory)
    return {
        "benchmark": "store",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": platform.python_version(),
            "system": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        },
        "conversations": count,
        "data_bytes": total_bytes,
        "generated_seconds": round(generated, 1),
        "scale": scale,
        "search_hits": hits,
        "save_file_bytes": size,
        "rows": rows,
    }


def print_table(report: dict[str, object]) -> None:
    """The report as a plain table."""
    print(
        f"store benchmark: {report['conversations']:,} conversations, "
        f"{int(report['data_bytes']) / 2**20:.0f} MB of JSON"  # type: ignore[call-overload]
    )
    print(f"{'measure':<48} {'median':>9} {'min-max':>19} {'cpu':>9} {'budget':>8}  ok")
    for item in report["rows"]:  # type: ignore[attr-defined]
        unit = item["unit"]
        budget = f"{item['budget']:.0f}" if item["budget"] is not None else "-"
        verdict = {True: "yes", False: "NO", None: ""}[item["ok"]]
        spread = f"{item['min']:.1f}-{item['max']:.1f} {unit}"
        cpu = f"{item['cpu_median']:.1f}" if "cpu_median" in item else "-"
        print(f"{item['name']:<48} {item['median']:>6.1f} {unit:<2} {spread:>19} {cpu:>9} {budget:>8}  {verdict}")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10000, help="conversations (default 10,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (default 5)")
    parser.add_argument("--data", type=Path, default=None, help="where to generate the history")
    parser.add_argument("--out", type=Path, default=RESULTS / "store.json", help="JSON report path")
    parser.add_argument("--clean", action="store_true", help="delete the generated history afterwards")
    args = parser.parse_args(argv)
    report = run(args.count, args.runs, args.data)
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written to {args.out}")
    if args.clean:
        shutil.rmtree(args.data or Path(tempfile.gettempdir()) / f"causerie-bench-store-{args.count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
