"""Every benchmark scenario runs once at tiny sizes, so bench/ cannot rot (no timing asserted: figures belong in
bench/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import render_bench


def test_every_render_scenario_runs_once_at_tiny_sizes(tmp_path: Path) -> None:
    out = tmp_path / "render.json"
    assert render_bench.main(["--tiny", "--runs", "1", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert "failures" not in report["raw"], report["raw"].get("failures")
    names = [row["name"] for row in report["rows"]]
    for part in (
        "fast: Enter to last token",
        "tokens of formulas, fast: CPU",
        "at 200/s: last token",
        "key echo during",
        "CPU per token",
        "start to usable screen, 20 conversations",
        "open a 30-message conversation",
        "peak RSS",
    ):
        assert any(part in name for name in names), part
    for row in report["rows"]:
        assert row["samples"] and all(value == value and value >= 0 for value in row["samples"]), row["name"]


def test_the_tools_bench_runs_once_at_tiny_sizes(capsys) -> None:  # noqa: ANN001
    from bench import tools_bench

    assert tools_bench.main(["--runs", "1", "--calls", "2"]) == 0
    out = capsys.readouterr().out
    for part in ("mcp SDK import", "stdio server start to tools listed", "one call (forecast)", "assembling"):
        assert part in out, part


def test_the_attachment_walk_bench_runs_at_a_tiny_size() -> None:
    from bench import attach_walk

    assert attach_walk.main(["--files", "300", "--runs", "1"]) == 0
