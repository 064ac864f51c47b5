"""`python -m bench.endless_line`: the CPU a server's line that never ends costs the SSE reader (issue 17).

A hostile or broken server streams `data: xxxx...` without a line end. The reader now stops at `sse.MAX_LINE` with an
error; before, it re-split the whole growing buffer on every read. The script feeds MIB mebibytes in 64 KiB reads
(the size httpx hands over) and reports the CPU time until the reader raised or the stream ended.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import AsyncIterator

from causerie.core.chat.sse import paced_lines

CHUNK = 64 * 1024


async def _chunks(total: int) -> AsyncIterator[bytes]:
    yield b"data: "
    for _ in range(total // CHUNK):
        yield b"x" * CHUNK


async def _consume(total: int) -> str:
    try:
        async for _line in paced_lines(_chunks(total), interval=0):
            pass
    except ValueError as exc:  # sse.LineTooLong
        return f"stopped: {exc}"
    return "read to the end"


def main() -> int:
    """Run once per size given; print size, outcome and CPU seconds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mib", nargs="*", type=int, default=[4, 16, 64])
    for mib in parser.parse_args().mib:
        start = time.process_time()
        outcome = asyncio.run(_consume(mib * 1024 * 1024))
        print(f"{mib:>5} MiB  {time.process_time() - start:8.2f} CPU-s  {outcome}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
