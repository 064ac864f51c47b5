"""The store benchmark runs end to end at a tiny size (no timing asserted: figures belong in bench/)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import store_bench


def test_store_bench_runs_once_at_tiny_size(tmp_path: Path, capsys) -> None:
    out = tmp_path / "store.json"
    assert store_bench.main(["--count", "12", "--runs", "1", "--data", str(tmp_path / "data"), "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    names = {row["name"] for row in report["rows"]}
    assert {"index, first build (CPU)", "listing from the database", "save 1,000 messages"} <= names
    assert sum(name.startswith("search, warm") for name in names) == 7
    assert report["conversations"] == 12 and report["save_file_bytes"] > 100_000
    held = next(row for row in report["rows"] if row["name"].startswith("memory held by the listing (trace"))
    assert held["median"] > 0
    assert report["index_bytes"] > 0
    assert "listing from the database" in capsys.readouterr().out
