"""Every third-party module the package imports is a declared dependency with bounds."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_top_level_modules() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "src" / "causerie").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n != "causerie" and n not in sys.stdlib_module_names}


def _declared() -> dict[str, str]:
    """{normalized distribution name: requirement} of the runtime dependencies and the non-test extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra, items in project.get("optional-dependencies", {}).items():
        if extra != "test":
            requirements += items
    declared = {}
    for requirement in requirements:
        name = re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]
        declared[re.sub(r"[-_.]+", "-", name).lower()] = requirement
    return declared


def test_every_imported_package_is_declared_with_bounds() -> None:
    declared = _declared()
    distributions = packages_distributions()
    missing = []
    for module in sorted(_imported_top_level_modules()):
        owners = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        if not owners & declared.keys():
            missing.append(f"{module} (from {', '.join(sorted(owners))})")
    assert not missing, f"imported but not declared: {missing}"
    unbounded = [r for r in declared.values() if ">=" not in r or "<" not in r]
    assert not unbounded, f"declared without a lower and an upper bound: {unbounded}"
