"""The core never imports textual or rich: it must be usable without a terminal."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import causerie.core


def test_core_modules_do_not_import_textual_or_rich() -> None:
    # walk_packages descends into the subpackages (iter_modules lists only the top level).
    modules = [m.name for m in pkgutil.walk_packages(causerie.core.__path__, "causerie.core.")]
    assert "causerie.core.storage.store" in modules and "causerie.core.chat.client" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core pulled in: {result.stdout.strip()}"
