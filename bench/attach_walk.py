"""The attachment picker's walk on a large tree: time to the first batch of files, to the stop, and one ranking.

    PYTHONPATH=src python -m bench.attach_walk              # 50,000 files in 500 directories, 5 runs
    PYTHONPATH=src python -m bench.attach_walk --files 2000 --runs 1

The tree (built once under $TMPDIR) has 500 directories of 100 files each, a .gitignore at the top ignoring one
directory in ten, and a hidden .git directory with files of its own. Figures are wall-clock and process CPU
seconds, median and min-max over the runs: the walk to its first 500 files (the picker's first batch), the walk
to its stop at 20,000 files (or the end of a smaller tree), and ranking the found paths for one typed query.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from causerie.core.attachments.walk import DEFAULT_LIMIT, Walk, fuzzy_score


def build(files: int) -> Path:
    """A deterministic tree of `files` files (cached between runs)."""
    root = Path(tempfile.gettempdir()) / f"causerie-bench-walk-{files}"
    marker = root / ".complete"
    if marker.exists():
        return root
    per_directory = 100
    for index in range(files):
        directory = root / f"pkg{index // per_directory // 50:02d}" / f"mod{index // per_directory:04d}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"file_{index:06d}.py").write_text("x = 1\n")
    (root / ".gitignore").write_text("".join(f"mod{i:04d}/\n" for i in range(0, files // per_directory, 10)))
    for index in range(200):
        (root / ".git" / "objects").mkdir(parents=True, exist_ok=True)
        (root / ".git" / "objects" / f"{index:04d}").write_text("blob")
    marker.write_text("")
    return root


def timed(action) -> tuple[float, float, object]:  # noqa: ANN001
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def first_batch(root: Path) -> int:
    found = 0
    for _ in Walk(root):
        found += 1
        if found == 500:
            break
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    root = build(args.files)
    rows: dict[str, list[tuple[float, float]]] = {"first 500 files": [], "walk to the stop": [], "rank one query": []}
    listed: list[str] = []
    truncated = False
    for _ in range(args.runs):
        wall, cpu, _ = timed(lambda: first_batch(root))
        rows["first 500 files"].append((wall, cpu))
        walk = Walk(root, limit=DEFAULT_LIMIT)
        wall, cpu, listed = timed(lambda: list(walk))  # noqa: B023
        truncated = walk.truncated
        rows["walk to the stop"].append((wall, cpu))
        wall, cpu, _ = timed(lambda: sorted(s for p in listed if (s := fuzzy_score("mod12file", p)) is not None))  # noqa: B023
        rows["rank one query"].append((wall, cpu))
    print(f"{args.files:,} files, {len(listed):,} listed, stopped early: {truncated}")
    print("| measure | wall median (min-max) | CPU median |")
    print("|---|---|---|")
    for name, samples in rows.items():
        walls = [w for w, _ in samples]
        cpus = [c for _, c in samples]
        print(
            f"| {name} | {statistics.median(walls) * 1000:.0f} ms ({min(walls) * 1000:.0f}-{max(walls) * 1000:.0f})"
            f" | {statistics.median(cpus) * 1000:.0f} ms |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
