"""The picker's walk: hidden files and .gitignore skipped, breadth first, stopping at its limit; fuzzy matching."""

from __future__ import annotations

from pathlib import Path

from causerie.core.attachments.walk import Walk, fuzzy_score


def _tree(root: Path, files: list[str]) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_hidden_files_git_and_gitignored_paths_are_skipped(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        [
            "README.md", ".env", ".git/config", ".github/workflows/ci.yml", "src/app.py", "src/app.pyc",
            "build/out.txt", "docs/index.md", "docs/draft.tmp", "docs/keep.tmp", "node_modules/x/index.js",
        ],
    )  # fmt: skip
    (tmp_path / ".gitignore").write_text("*.pyc\nbuild/\nnode_modules\n")
    (tmp_path / "docs" / ".gitignore").write_text("*.tmp\n!keep.tmp\n")
    assert list(Walk(tmp_path)) == ["README.md", "docs/index.md", "docs/keep.tmp", "src/app.py"]


def test_a_symlinked_directory_is_not_walked_into(tmp_path: Path) -> None:
    _tree(tmp_path, ["real/a.txt"])
    (tmp_path / "loop").symlink_to(tmp_path)
    assert list(Walk(tmp_path)) == ["real/a.txt"]


def test_the_walk_is_breadth_first_and_stops_at_its_limit(tmp_path: Path) -> None:
    _tree(tmp_path, [f"deep/{i:02d}.txt" for i in range(30)] + ["top.txt"])
    walk = Walk(tmp_path, limit=10)
    found = list(walk)
    assert found[0] == "top.txt" and len(found) == 10 and walk.truncated
    complete = Walk(tmp_path, limit=31)
    assert len(list(complete)) == 31 and not complete.truncated


def test_fuzzy_matching_prefers_names_and_runs() -> None:
    paths = ["src/causerie/core/attachments/store.py", "src/causerie/core/storage/store.py", "README.md", "setup.cfg"]
    ranked = sorted(
        (p for p in paths if fuzzy_score("attstore", p) is not None), key=lambda p: -fuzzy_score("attstore", p)
    )
    assert ranked == ["src/causerie/core/attachments/store.py"]
    assert fuzzy_score("rdme", "README.md") is not None and fuzzy_score("zz", "README.md") is None
    assert fuzzy_score("store", paths[1]) > fuzzy_score("store", "src/s/t/o/r/e.py")
    assert fuzzy_score("", "anything") == 0
