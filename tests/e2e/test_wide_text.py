"""Wide, combining and right-to-left text in a real terminal: the layout's borders stay where they belong."""

from __future__ import annotations

from causerie.testing.fake_openai import FakeOpenAI, Reply

from .conftest import Launch

WIDE = "你好世界 こんにちは 한국어 🙂🚀 ｆｕｌｌ café ñandú שלום עולם مرحبا END-OF-REPLY"


def columns_of(cells: list[list[str]], char: str) -> list[set[int]]:
    """For each row, the columns (cells, not characters) showing `char`."""
    return [{x for x, cell in enumerate(row) if cell == char} for row in cells]


def test_wide_and_combining_text_keeps_the_layout(launch: Launch, server: FakeOpenAI) -> None:
    server.queue(Reply(text=(WIDE + " ") * 6 + "\n\n| 名前 | 🙂 |\n|---|---|\n| 東京 | e\u0301 |\n"))
    term = launch(server)
    term.wait_for("Message")
    term.type("日本語で答えて 🙂 e\u0301")
    term.press("enter")
    term.wait_for("END-OF-REPLY")
    term.wait_gone("writing…")
    screen = term.text()
    assert "你好世界" in screen and "日本語で答えて" in screen
    # The sidebar's edge is one column on every row, and the prompt box's corners and sides line up.
    cells = term.cells()
    edges = columns_of(cells, "▕")
    assert len(set().union(*edges)) == 1 and sum(map(len, edges)) >= 25, screen
    top = next(y for y, row in enumerate(cells) if "╭" in row)
    left, right = cells[top].index("╭"), max(columns_of(cells, "╮")[top])
    assert cells[top + 2][left] == "╰" and cells[top + 2][right] == "╯", screen
    assert cells[top + 1][left] == "│" and cells[top + 1][right] == "│", screen
    term.press("ctrl+q")
    assert term.wait_exit() == 0
