"""Store benchmarks (issues 3 and 16): the index database's first build, listing, search, saving, memory.

    python -m bench.store_bench                 # 10,000 conversations, 5 runs (generates the data once)
    python -m bench.store_bench --count 500 --runs 3

Prints a table (median and min-max in milliseconds, CPU time of the process, budget, verdict) and writes
bench/results/store.json. The synthetic history is cached in $TMPDIR/causerie-bench-store-N (see --data).
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
SELECTIVE = ("asyncio.sleep(0.1)", "zzqxw", '"hotel forêt"', "東京")
COMMON = ("resume", "cafe creme", "should return the value")  # words of nearly every conversation
BUDGETS_MS = {  # for 10,000 conversations
    "index, first build (CPU)": 20_000.0,
    "listing from the database": 50.0,
    "search, warm, selective": 50.0,
    "search, warm, common words": 200.0,
    "save 1,000 messages": 50.0,
}
MEMORY_BUDGET_MB = 60.0
BUILD_PEAK_BUDGET_MB = 150.0


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


def row(name: str, samples: list[float], budget: float | None, unit: str = "ms", on_cpu: bool = False) -> dict:
    """One result line (CPU time too when measured: the machine may be shared)."""
    result: dict[str, object] = {
        "name": name,
        "unit": unit,
        "median": round(statistics.median(samples), 2),
        "min": round(min(samples), 2),
        "max": round(max(samples), 2),
        "runs": len(samples),
        "budget": budget,
    }
    cpu = getattr(samples, "cpu", None)
    if cpu:
        result["cpu_median"] = round(statistics.median(cpu), 2)
    judged = result["cpu_median"] if on_cpu and cpu else result["median"]
    result["ok"] = None if budget is None else judged <= budget  # type: ignore[operator]
    return result


def child_env() -> dict[str, str]:
    """The environment of a measuring child: this checkout's sources first."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    source = str(Path(sys.modules["causerie"].__file__ or "").resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, root, env.get("PYTHONPATH")]))
    return env


BUILD_CHILD = """
import json, os, resource, sys, time
from pathlib import Path
from causerie.core.storage.store import ConversationStore

def status(key):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) * 1024 for line in handle if line.startswith(key))

data = Path(sys.argv[1])
before = status("VmRSS:")
start, cpu = time.perf_counter(), time.process_time()
summaries = ConversationStore(data).refresh_index()
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"count": len(summaries), "wall": wall, "cpu": cpu, "peak": status("VmHWM:"), "base": before}))
"""


def measure_build(data_dir: Path, runs: int) -> list[dict[str, object]]:
    """The first build of the index (no database), each in a fresh process: CPU, wall, peak resident memory."""
    walls, cpus, peaks, growth = Samples(), [], [], []
    for _ in range(runs):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{data_dir / 'index.sqlite3'}{suffix}").unlink(missing_ok=True)
        output = subprocess.run(
            [sys.executable, "-c", BUILD_CHILD, str(data_dir)],
            env=child_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(output)
        walls.append(result["wall"] * 1000)
        cpus.append(result["cpu"] * 1000)
        peaks.append(result["peak"] / 2**20)
        growth.append((result["peak"] - result["base"]) / 2**20)
    walls.cpu = cpus
    return [
        row("index, first build (CPU)", walls, BUDGETS_MS["index, first build (CPU)"] if runs else None, on_cpu=True),
        row("index, first build: peak RSS of the process", peaks, BUILD_PEAK_BUDGET_MB, "MB"),
        row("index, first build: RSS growth", growth, None, "MB"),
    ]


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
    held, peak, rss = [], [], []
    with tempfile.TemporaryDirectory() as empty:
        for _ in range(runs):
            output = subprocess.run(
                [sys.executable, "-c", MEMORY_CHILD, str(data_dir), empty],
                env=child_env(),
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
    index = data_dir / "index.sqlite3"
    rows: list[dict[str, object]] = []

    def budget(name: str) -> float | None:
        return BUDGETS_MS[name] if count == 10000 else None

    def drop_index() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)

    rows.extend(measure_build(data_dir, max(1, min(runs, 3))))
    if count != 10000:
        for item in rows:
            item["budget"] = item["ok"] = None
    index_bytes = sum(
        Path(f"{index}{suffix}").stat().st_size for suffix in ("", "-wal") if Path(f"{index}{suffix}").exists()
    )
    rows.append(
        row(
            "list, summaries only, no database (causerie list)",
            timed(lambda: ConversationStore(data_dir).list(), max(1, min(runs, 3)), drop_index),
            None,
        )
    )
    ConversationStore(data_dir).refresh_index()
    rows.append(
        row("list, warm (stat every file, compare)", timed(lambda: ConversationStore(data_dir).list(), runs), None)
    )
    rows.append(
        row(
            "reconcile, warm, with text (what the app does after its first paint)",
            timed(lambda: ConversationStore(data_dir).refresh_index(), runs),
            None,
        )
    )
    reader = ConversationStore(data_dir)
    reader.indexed()
    rows.append(row("listing from the database", timed(reader.indexed, runs), budget("listing from the database")))
    hits: dict[str, int] = {}
    for queries, kind in ((SELECTIVE, "search, warm, selective"), (COMMON, "search, warm, common words")):
        for query in queries:
            hits[query] = len(reader.search(query))
            rows.append(row(f"{kind}: {query!r}", timed(lambda q=query: reader.search(q), runs), budget(kind)))
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
        store.close()
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
        "index_bytes": index_bytes,
        "generated_seconds": round(generated, 1),
        "search_hits": hits,
        "save_file_bytes": size,
        "rows": rows,
    }


def print_table(report: dict[str, object]) -> None:
    """The report as a plain table."""
    print(
        f"store benchmark: {report['conversations']:,} conversations, "
        f"{int(report['data_bytes']) / 2**20:.0f} MB of JSON, "  # type: ignore[call-overload]
        f"index database {int(report['index_bytes']) / 2**20:.0f} MB"  # type: ignore[call-overload]
    )
    print(f"{'measure':<64} {'median':>9} {'min-max':>19} {'cpu':>9} {'budget':>8}  ok")
    for item in report["rows"]:  # type: ignore[attr-defined]
        unit = item["unit"]
        budget = f"{item['budget']:.0f}" if item["budget"] is not None else "-"
        verdict = {True: "yes", False: "NO", None: ""}[item["ok"]]
        spread = f"{item['min']:.1f}-{item['max']:.1f} {unit}"
        cpu = f"{item['cpu_median']:.1f}" if "cpu_median" in item else "-"
        print(f"{item['name']:<64} {item['median']:>6.1f} {unit:<2} {spread:>19} {cpu:>9} {budget:>8}  {verdict}")


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
