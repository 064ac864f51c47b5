"""The bundled themes ship inside the wheel and load from an installed (not editable) package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hatchling import build as hatchling_build  # in the test extra

ROOT = Path(__file__).resolve().parents[1]
THEME_FILES = sorted(p.name for p in (ROOT / "themes").glob("*.toml"))

PROBE = """
import json, causerie
from causerie.core.settings.themes import bundled_themes_dir, load_themes
from causerie.ui.themes import check_spec
specs, errors = load_themes(None)
for spec in specs:
    check_spec(spec)
print(json.dumps({"package": causerie.__file__, "themes_dir": str(bundled_themes_dir()),
                  "names": [s.name for s in specs], "errors": errors}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this tree through hatchling's PEP 517 hook, as `pip install .` would."""
    out = tmp_path_factory.mktemp("dist")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        name = hatchling_build.build_wheel(str(out))
    finally:
        os.chdir(cwd)
    return out / name


def test_the_wheel_contains_every_theme_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        shipped = sorted(n.removeprefix("causerie/themes/") for n in names if n.startswith("causerie/themes/"))
        assert shipped == THEME_FILES
        for name in THEME_FILES:
            assert archive.read(f"causerie/themes/{name}") == (ROOT / "themes" / name).read_bytes()
        assert "causerie/ui/app.tcss" in names


def test_an_installed_wheel_loads_its_bundled_themes(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target)]
        + [str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, check=True, capture_output=True, text=True
    )
    report = json.loads(done.stdout)
    assert Path(report["package"]).is_relative_to(target), "the probe must import the installed copy"
    assert Path(report["themes_dir"]) == target / "causerie" / "themes"
    assert sorted(f"{n}.toml" for n in report["names"]) == THEME_FILES
    assert report["errors"] == []
