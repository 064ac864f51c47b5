"""Rich's Markdown elements as causerie draws them: numbered items with their dot, code boxes and tables without
blank rows of their own (the message body puts exactly one blank line between blocks), tables that wrap their cells
instead of cutting them. Rich only, no Textual: the CLI prints with them too."""

from __future__ import annotations

from typing import ClassVar

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.markdown import CodeBlock, ListItem, Markdown, MarkdownElement, TableElement
from rich.measure import Measurement
from rich.segment import Segment
from rich.syntax import Syntax, SyntaxTheme
from rich.table import Table
from rich.text import Text

from causerie.core.conversation.math_markdown import rewrite

CODE_PADDING = (0, 1)  # a code box is shaded from its first line of code to its last, one column each side


class DottedListItem(ListItem):
    """An ordered list item drawn " 1. text" (Rich draws " 1 text": without the dot "1 Pick" reads as a count)."""

    def render_number(self, console: Console, options: ConsoleOptions, number: int, last_number: int) -> RenderResult:
        # Rich passes one past the last number; the widest number sets the indent of every item's text.
        width = len(str(max(last_number - 1, number))) + 3
        lines = console.render_lines(self.elements, options.update(width=options.max_width - width), style=self.style)
        number_style = console.get_style("markdown.item.number", default="none")
        numeral = Segment(f"{number}.".rjust(width - 1) + " ", number_style)
        padding = Segment(" " * width, number_style)
        new_line = Segment("\n")
        for index, line in enumerate(lines):
            yield numeral if index == 0 else padding
            yield from line
            yield new_line


class CodeBox(CodeBlock):
    """A fenced or indented code block: highlighted on the code background, with no blank padding rows."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield code_syntax(str(self.text).rstrip(), self.lexer_name, self.theme)  # type: ignore[arg-type]


def code_syntax(code: str, language: str, theme: SyntaxTheme) -> Syntax:
    """The Rich renderable of a code box (shared by finished blocks and a fence still streaming in)."""
    return Syntax(code, language, theme=theme, word_wrap=True, padding=CODE_PADDING)


class WrappingTable(TableElement):
    """A Markdown table whose cells wrap, never cut: every character of every cell is on screen.

    A table that fits is drawn as Rich draws it. One wider than the message wraps its cells at spaces first (Rich's
    own narrowing); when even the longest words do not fit, the columns whose words are short keep them whole and
    the others share the rest of the width, their words folded onto the next line instead of ending in "…".
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        headings: list[Text] = []
        if self.header is not None and self.header.row is not None:
            for cell in self.header.row.cells:
                heading = cell.content.copy()
                heading.stylize("markdown.table.header")
                headings.append(heading)
        rows = [[cell.content for cell in row.cells] for row in self.body.rows] if self.body is not None else []
        table = _table(headings, rows)
        widths = _word_widths(table, headings, rows, console, options)
        if widths is not None:
            # Too wide: Rich would narrow the columns below their longest words and cut them with "…". Wrap each
            # cell here instead (folding a word only when no column can hold it whole).
            headings = [_folded(cell, width, console) for cell, width in zip(headings, widths, strict=True)]
            rows = [[_folded(cell, width, console) for cell, width in zip(row, widths, strict=False)] for row in rows]
            table = _table(headings, rows, widths)
        # The edge rows of Rich's SIMPLE box are blank: the spacing between blocks is the body's to draw.
        lines = console.render_lines(table, options, pad=False)
        new_line = Segment.line()
        for line in lines[1:-1]:
            yield from line
            yield new_line


def _table(headings: list[Text], rows: list[list[Text]], widths: list[int] | None = None) -> Table:
    """A table as Rich's Markdown draws one, with columns of fixed `widths` if given."""
    table = Table(box=box.SIMPLE, pad_edge=False, style="markdown.table.border", show_edge=True, collapse_padding=True)
    for index, heading in enumerate(headings):
        table.add_column(heading, overflow="fold", width=None if widths is None else widths[index])
    for row in rows:
        table.add_row(*row)
    return table


def _word_widths(
    table: Table, headings: list[Text], rows: list[list[Text]], console: Console, options: ConsoleOptions
) -> list[int] | None:
    """Column widths for a table wider than the message; None when it fits."""
    if not headings:
        return None
    columns = [[heading, *(row[index] for row in rows if index < len(row))] for index, heading in enumerate(headings)]
    measures = [[Measurement.get(console, options, cell) for cell in cells] for cells in columns]
    words = [max(measure.minimum for measure in column) for column in measures]
    widest = [max(measure.maximum for measure in column) for column in measures]
    natural = Measurement.get(console, options.update_width(sum(widest) + 4 * len(widest) + 4), table)
    room = options.max_width - (natural.maximum - sum(widest))  # less the borders and padding between cells
    if sum(widest) <= room:
        return None  # it fits as it is
    if sum(words) <= room:
        return share_width(words, widest, room)  # wrapped at spaces, no word cut
    return share_width([1] * len(words), words, room)


def _folded(cell: Text, width: int, console: Console) -> Text:
    """`cell` cut into lines of at most `width` cells, long words folded (Rich's fold of a word followed by a space
    can leave an empty line: dropped)."""
    lines = [line for line in cell.wrap(console, width, overflow="fold") if line.plain.strip()]
    return Text("\n").join(lines) if lines else cell


def share_width(low: list[int], high: list[int], room: int) -> list[int]:
    """Column widths within `room` cells: each column between its `low` and `high` widths, the narrow ones whole
    and the wide ones sharing what is left evenly (at least `low`, even past `room`)."""

    def total(level: int) -> int:
        return sum(min(max(level, lo), hi) for lo, hi in zip(low, high, strict=True))

    bottom, top = 0, max(high, default=0)
    while bottom < top:  # the highest level whose widths fit
        middle = (bottom + top + 1) // 2
        bottom, top = (middle, top) if total(middle) <= room else (bottom, middle - 1)
    widths = [min(max(bottom, lo), hi) for lo, hi in zip(low, high, strict=True)]
    left = room - sum(widths)
    for index, width in enumerate(widths):
        if left <= 0:
            break
        if width < high[index]:
            widths[index] += 1
            left -= 1
    return widths


ELEMENTS: dict[str, type[MarkdownElement]] = {
    "list_item_open": DottedListItem,
    "fence": CodeBox,
    "code_block": CodeBox,
    "table_open": WrappingTable,
}
"""The elements causerie draws its own way, over Rich's: the app's messages and the terminal output of the CLI."""


class TerminalMarkdown(Markdown):
    """Markdown as `causerie ask` and `causerie show` print it on a terminal: the app's elements, links shown.

    A link shows its target, never a disguised OSC 8 hyperlink. Imports Rich only (never Textual): the CLI starts
    without it.
    """

    elements: ClassVar[dict[str, type[MarkdownElement]]] = {**Markdown.elements, **ELEMENTS}

    def __init__(self, markup: str, *, math: bool = True) -> None:
        """`math`: formulas shown as Unicode math, on one line each, as the app does (False: as written)."""
        super().__init__(rewrite(markup) if math else markup, hyperlinks=False)
