"""Parse many conversation files in worker processes (first start, rebuilt caches), falling back to one process.

JSON parsing holds the GIL, so threads would not help; `spawn` processes are safe from a program that runs
threads (the UI). Used only when there is enough work to pay for starting them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

PARALLEL_THRESHOLD = 800  # files before worker processes pay off
BATCH = 200
MAX_WORKERS = 8


def map_batches(
    work: Callable[[Path, list[str]], list[T]], directory: Path, names: list[str], threshold: int | None = None
) -> Iterator[list[T]]:
    """Yield `work(directory, batch)` for batches of `names`, in any order.

    `work` must be a top-level function (worker processes import it by name). Small jobs, or a machine where
    processes cannot be started, run here one name at a time (so that progress stays smooth).
    """
    limit = PARALLEL_THRESHOLD if threshold is None else threshold
    batches = [names[start : start + BATCH] for start in range(0, len(names), BATCH)]
    workers = min(MAX_WORKERS, os.cpu_count() or 1, len(batches))
    pending = {tuple(batch) for batch in batches}
    if workers >= 2 and len(names) >= limit:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        try:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                futures = {pool.submit(work, directory, batch): tuple(batch) for batch in batches}
                for future in as_completed(futures):
                    results = future.result()
                    # Dropped once yielded: a finished future holds its results (all files' data by the end).
                    pending.discard(futures.pop(future))
                    del future
                    yield results
        except Exception:  # noqa: BLE001 - no worker processes here (sandbox, no semaphores...): go on below
            pass
    for batch in batches:
        if tuple(batch) in pending:
            for name in batch:
                yield work(directory, [name])
