"""How a reply's blocks are laid out in the pane: numbered items keep their dot, exactly one blank line between
blocks, wide tables wrap their cells instead of cutting them; streamed and reopened alike, at 80x24 and 100x30."""

from __future__ import annotations

from collections import Counter

import pytest

from causerie.testing.fake_openai import FakeOpenAI, Reply
from causerie.ui.widgets.conversation import MessageView

from .helpers import make_app, type_text, wait_for

SIZES = [(80, 24), (100, 30)]

BLOCKS = """## A short answer

Here is a list:

- one item
- another item with `inline code`

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

| column | value |
|---|---|
| a | 1 |

> A quote to finish.

Steps:

1. Pick
2. Mix

3. Bake
4. Eat

Last words.
"""

WIDE_TABLE = """| Algorithm | Key size | Used by | Notes |
|---|---|---|---|
| RSA-2048 | 2048 bits | Red Hat Enterprise Linux | RSASSA-PKCS1-v1_5 signatures everywhere |
| Ed25519 | 256 bits | OpenSSH | deterministic-signatures-without-randomness |
| ECDSA-P256 | 256 bits | Let's Encrypt certificates | needs a good random number generator |

After the table.
"""


async def reply_lines(server: FakeOpenAI, size: tuple[int, int], text: str) -> tuple[list[str], list[str]]:
    """The lines of `text` streamed as a reply, and of the same reply rendered afresh (as when reopened)."""
    server.queue(Reply(text=text, delay=0.001))
    app = make_app(server)
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        await type_text(pilot, "go")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not screen.streaming and len(screen.view.message_views()) == 2, what="reply")
        streamed = screen.view.message_views()[1]
        await wait_for(pilot, lambda: streamed.body.rendered_up_to_date, what="final render")
        fresh = MessageView(streamed.message)
        await screen.view.mount(fresh)
        await pilot.pause()
        return streamed.body.plain_lines(), fresh.body.plain_lines()


def index_of(lines: list[str], text: str) -> int:
    return next(index for index, line in enumerate(lines) if line.strip() == text)


@pytest.mark.parametrize("size", SIZES)
async def test_numbered_items_show_their_number_with_a_dot(server: FakeOpenAI, size: tuple[int, int]) -> None:
    lines, _ = await reply_lines(server, size, "1. Pick\n2. Mix\n\nThen:\n\n3. Bake\n4. Eat\n")
    stripped = [line.strip() for line in lines]
    for item in ("1. Pick", "2. Mix", "3. Bake", "4. Eat"):
        assert item in stripped, lines
    assert "1 Pick" not in stripped


@pytest.mark.parametrize("size", SIZES)
async def test_blocks_are_separated_by_exactly_one_blank_line(server: FakeOpenAI, size: tuple[int, int]) -> None:
    streamed, fresh = await reply_lines(server, size, BLOCKS)
    assert streamed == fresh  # the streamed render ends as a fresh one
    lines = streamed
    assert lines[0].strip() == "A short answer" and lines[-1].strip() == "Last words."
    blank_runs = [index for index in range(1, len(lines)) if not lines[index].strip() and not lines[index - 1].strip()]
    assert blank_runs == [], lines
    # Each block's first line follows one blank line after the previous block's last line.
    pairs = [
        ("A short answer", "Here is a list:"),
        ("Here is a list:", "• one item"),
        ("• another item with inline code", "def greet(name: str) -> str:"),
        ('return f"Hello, {name}!"', "column  value"),
        ("a       1", "▌ A quote to finish."),
        ("▌ A quote to finish.", "Steps:"),
        ("4. Eat", "Last words."),
    ]
    for before, after in pairs:
        assert index_of(lines, after) == index_of(lines, before) + 2, (before, after, lines)


@pytest.mark.parametrize("size", SIZES)
async def test_a_narrow_table_is_drawn_as_before(server: FakeOpenAI, size: tuple[int, int]) -> None:
    lines, _ = await reply_lines(server, size, "| column | value |\n|---|---|\n| a | 1 |\n")
    assert lines == [" column  value", " ─────────────", " a       1"]


@pytest.mark.parametrize("size", SIZES)
async def test_a_wide_table_wraps_its_cells_and_shows_every_character(
    server: FakeOpenAI, size: tuple[int, int]
) -> None:
    streamed, fresh = await reply_lines(server, size, WIDE_TABLE)
    assert streamed == fresh
    table = streamed[: index_of(streamed, "After the table.") - 1]
    assert not any("…" in line for line in table), table
    cells = [cell.strip() for line in WIDE_TABLE.splitlines()[:5] if "---" not in line for cell in line.split("|")]
    wanted = Counter("".join(cells).replace(" ", ""))
    shown = Counter("".join(table).replace(" ", "").replace("─", ""))
    assert shown == wanted, table  # every character of every cell, and nothing else
    assert max(map(len, table)) <= size[0]
