"""`python -m bench`: the rendering, typing and history scenarios of issue 5 (see bench/README.md)."""

from __future__ import annotations

import sys

from .render_bench import main

if __name__ == "__main__":
    sys.exit(main())
