"""The markup guard itself: it flags outside text parsed as markup and lets the program's own strings through."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from causerie.ui.text import escaped, outside


def test_the_guard_flags_outside_text_and_passes_our_own(markup_guard: list[str]) -> None:
    found = markup_guard  # the autouse fixture's record; cleared below, or the test would fail at teardown
    title = "".join(["[@click=app.quit]", "x[/]"])  # built at run time, as text from a file is
    Content.from_markup("Type to search the text of every conversation.")  # a literal of ours
    Content.from_markup(f"{3:,} models on the server.")  # an f-string of ours, with a number in its field
    Content.from_markup(escaped(title))
    Static(outside(title)).render()
    assert found == []
    Content.from_markup(f"Nothing matches “{title}”.")  # a field holding brackets is outside text
    Content.from_markup(title)
    assert found == [f"Nothing matches “{title}”.", title]
    found.clear()
