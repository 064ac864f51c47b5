"""MessageBody: the text of one message as cached lines (Textual's Line API), cheap to stream into.

While a reply streams, each finished top-level Markdown block is rendered once and kept; only the open tail block is
rendered again, at most ~15 times a second (less when it is expensive). A flush renders for about 8 ms and then
yields to the event loop with a timer, so keys typed meanwhile are echoed. A long open code fence is highlighted in
chunks of complete lines that are kept. The caches are dropped when the width or the theme changes; when the reply
ends, whatever is still open is rendered whole, once.
"""

from __future__ import annotations

from time import perf_counter

from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.theme import Theme
from textual.timer import Timer
from textual.widget import Widget

from causerie.core.conversation.models import Message
from causerie.core.safe_text import sanitize
from causerie.ui.compat import SettledLayout
from causerie.ui.widgets.block_render import (
    RenderStyles,
    blank_strip,
    render_code,
    render_plain,
    render_styles,
)
from causerie.ui.widgets.blocks import BlockSplitter, OpenFence
from causerie.ui.widgets.display_caps import BLOCK_CHARS, BLOCK_LINES, is_rule, shown_end, shown_part
from causerie.ui.widgets.math_render import RENDER, SOURCE, render_block

FRAME_INTERVAL = 1 / 15  # at most this often the open tail is rendered again
FLUSH_BUDGET = 0.008  # seconds of rendering before yielding to the event loop
YIELD_DELAY = 0.001
TAIL_COST_FACTOR = 4  # an expensive tail is rendered less often: at most ~1/4 of the time goes to it
FENCE_CHUNK_LINES = 24  # complete lines of an open code fence highlighted together and kept
# While a reply streams, the body grows taller at most this often: growing relays out and scrolls the whole pane
# (~13 ms a frame at 120x40); in between only changed lines within the height are repainted (0.25 s cost ~4 points).
GROW_INTERVAL = 0.5


class MessageBody(SettledLayout, Widget):
    """The body of a message; Markdown for replies, plain text for the user's messages."""

    DEFAULT_CSS = """
    MessageBody {
        height: auto;
    }
    """

    def __init__(self, message: Message, *, markdown: bool, streaming: bool = False, math: str = RENDER) -> None:
        super().__init__()
        self.message = message
        self.markdown = markdown
        self.math = math  # how formulas are shown: RENDER, SOURCE or OFF (see math_render)
        self.streaming = streaming
        self._reset_source()
        self._width = 0
        self._styles: RenderStyles | None = None
        self._timer: Timer | None = None
        self._next_tail = 0.0
        self._draining = False  # the stream ended and finished blocks still wait to be rendered
        self._shown_lines = -1  # the line count the last layout used
        self._last_refresh = 0.0
        self._unpainted = False  # lines changed since the last repaint
        self._dirty_from = 0  # the first line changed since the last repaint
        self._last_growth = 0.0

    # -- state -----------------------------------------------------------------------------------------------
    def _reset_source(self) -> None:
        self._splitter = BlockSplitter()
        self._consumed = 0  # characters of message.content taken in
        self.left_out = 0  # characters past the display limit (not rendered)
        self._all_taken = False  # the whole text is in _blocks
        self._blocks: list[str] = []  # finished blocks (sanitized source)
        self._drop_rendered()

    def _drop_rendered(self) -> None:
        self._rendered = 0  # how many of _blocks are in _lines
        self._lines: list[Strip] = []
        self._styled: dict[int, Strip] = {}  # line index -> the line with the base style applied
        self._styled_base: Style | None = None
        self._last_rule = False
        self._tail_lines: list[Strip] = []
        self._tail_dirty = True
        self._fence: OpenFence | None = None
        self._fence_lines: list[Strip] = []
        self._fence_done = 0  # characters of the open fence's code already in _fence_lines

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        self._styles = None
        self._redraw()

    def toggle_math(self) -> str:
        """Show the formulas as their source instead of rendered, or back; returns the new mode."""
        self.math = SOURCE if self.math == RENDER else RENDER
        self._redraw()
        return self.math

    def _redraw(self) -> None:
        """Render every line again (the theme or the way formulas are shown changed)."""
        self._drop_rendered()
        if self._progressive:
            self._schedule(YIELD_DELAY)
        self.refresh(layout=True)

    @property
    def _progressive(self) -> bool:
        """Whether lines are rendered by time-boxed flushes (while streaming and until they caught up)."""
        return self.streaming or self._draining

    def _schedule(self, delay: float) -> None:
        if self._timer is None:
            self._timer = self.set_timer(delay, self._flush)

    @property
    def styles_for_render(self) -> RenderStyles:
        """The Rich styles of the current theme."""
        if self._styles is None:
            app = self.app
            theme = app.current_theme
            self._styles = render_styles(app.theme_variables, theme.dark, theme.name, theme.ansi)
        return self._styles

    # -- input -----------------------------------------------------------------------------------------------
    def _take_new_text(self, final: bool) -> list[str]:
        """Feed the splitter what message.content gained; returns newly finished blocks."""
        content = self.message.content
        if len(content) < self._consumed:
            # The text was replaced, not extended (an edit): start again.
            self._reset_source()
        end = shown_end(content)
        self.left_out = len(content) - end
        if not final and end > self._consumed and content[end - 1] == "\r":
            end -= 1  # hold a CR back: with the next "\n" it is one line break
        if end <= self._consumed and not final:
            return []
        new = sanitize(content[self._consumed : end])
        self._consumed = end
        blocks = self._splitter.feed(new) if new else []
        if final:
            blocks.extend(self._splitter.close())
            self._all_taken = True
        self._blocks.extend(blocks)
        if blocks or new:
            self._tail_dirty = True
        return blocks

    def append(self) -> None:
        """The message's content grew: render it soon (frame-capped)."""
        if not self.streaming:
            self.restart()
        self._schedule(max(YIELD_DELAY, self._next_tail - perf_counter()))

    def finish(self) -> None:
        """The stream ended: take everything in and render what is still open, whole."""
        self.streaming = False
        self._take_new_text(final=True)
        self._fence = None
        self._fence_lines = []
        self._tail_dirty = False
        if self._width and self._rendered < len(self._blocks):
            # Render the rest in time-boxed flushes too: a fast server can leave many blocks waiting. The open
            # tail stays on screen until its final render replaces it.
            self._draining = True
            if self._timer is not None:
                self._timer.stop()  # a frame-capped tail render may be waiting: the final render goes first
                self._timer = None
            self._schedule(YIELD_DELAY)
        else:
            self._tail_lines = []
        self.refresh(layout=True)

    def restart(self) -> None:
        """The text is growing again (a reply is continued): stream it from its start."""
        self.streaming = True
        self._draining = False
        self._reset_source()
        self.refresh(layout=True)

    def rerender(self) -> None:
        """Render the message again from its current content (after an edit)."""
        self._reset_source()
        self.refresh(layout=True)

    # -- rendering -------------------------------------------------------------------------------------------
    def _flush(self) -> None:
        self._timer = None
        if not self.is_attached:
            return
        start = perf_counter()
        if self.streaming:
            self._take_new_text(final=False)
        if not self._width:
            return  # not laid out yet: the first layout renders everything
        rendered = self._rendered
        done = self._render_blocks(deadline=start + FLUSH_BUDGET)
        changed = self._rendered != rendered
        final = False
        if not done:
            # More finished blocks are waiting: show what is ready and come back after other events ran.
            self._schedule(YIELD_DELAY)
        elif not self.streaming:
            self._draining = False
            self._tail_lines, self._tail_dirty = [], False
            changed = final = True
        elif self._tail_dirty:
            now = perf_counter()
            if now >= self._next_tail:
                self._render_tail()
                changed = True
                finished = perf_counter()
                self._next_tail = finished + max(FRAME_INTERVAL, TAIL_COST_FACTOR * (finished - now))
            else:
                self._schedule(self._next_tail - now)
        # Repaint only when the lines changed, and at most ~15 times a second (always at the end): every repaint
        # of a scrolling pane redraws all of it.
        self._unpainted = self._unpainted or changed
        if self._unpainted:
            now = perf_counter()
            if final or now - self._last_refresh >= FRAME_INTERVAL:
                self._last_refresh = now
                self._repaint(final, now)
            else:
                self._schedule(self._last_refresh + FRAME_INTERVAL - now)

    def _repaint(self, final: bool, now: float) -> None:
        """Show the changed lines: grow (relayout) when due, else repaint in place what fits the current height."""
        self._unpainted = False
        count, shown = self.line_count, self._shown_lines
        if count != shown and (final or count < shown or shown < 0 or now - self._last_growth >= GROW_INTERVAL):
            self._last_growth = now
            if 0 <= self._dirty_from < count and count > shown:
                # Growing: the lines above the first change stay as they are (see SettledLayout).
                width = self.size.width or self._width
                self.refresh(Region(0, self._dirty_from, width, count - self._dirty_from), layout=True)
            else:
                self.refresh(layout=True)
            self._dirty_from = count
            return
        if count != shown:
            self._unpainted = True  # the new lines below wait for the next growth
            self._schedule(self._last_growth + GROW_INTERVAL - now)
        if self._dirty_from < shown:
            width = self.size.width or self._width
            self.refresh(Region(0, self._dirty_from, width, shown - self._dirty_from))
        # Lines below the shown height are new and not laid out yet: the next growth starts there (advancing past
        # them made that growth lay out and render every line of the message again).
        self._dirty_from = min(count, shown) if shown >= 0 else count

    def _render_blocks(self, deadline: float | None) -> bool:
        """Render finished blocks not rendered yet, until `deadline`; whether all are done."""
        width = self._width
        console = self.app.console
        styles = self.styles_for_render
        while self._rendered < len(self._blocks):
            if deadline is not None and perf_counter() > deadline:
                return False
            block, left_out = shown_part(self._blocks[self._rendered], BLOCK_CHARS, BLOCK_LINES)
            self._dirty_from = min(self._dirty_from, len(self._lines))
            if self.markdown:
                strips = render_block(block, width, console, styles, self.math)
                if self._lines and strips and not self._last_rule:
                    self._lines.append(blank_strip(width))
                if strips:
                    self._last_rule = is_rule(block)
            else:
                strips = render_plain(block, width, console)
            self._lines.extend(strips)
            if left_out:
                self._lines.extend(self._block_note(left_out))
            self._rendered += 1
            self._tail_dirty = True
        return True

    def _render_tail(self) -> None:
        """Render the open block (the part of a long open code fence not yet kept in chunks)."""
        self._tail_dirty = False
        self._dirty_from = min(self._dirty_from, len(self._lines))
        width = self._width
        tail, left_out = shown_part(self._splitter.tail, BLOCK_CHARS, BLOCK_LINES)
        note = self._block_note(left_out) if left_out else []
        if not self.markdown:
            self._tail_lines = [*render_plain(tail, width, self.app.console), *note] if tail else []
            return
        lines: list[Strip] = []
        if self._lines and tail.strip() and not self._last_rule:
            lines.append(blank_strip(width))
        fence = self._splitter.fence
        if fence is None:
            self._fence, self._fence_lines, self._fence_done = None, [], 0
            if tail.strip():
                lines.extend(render_block(tail, width, self.app.console, self.styles_for_render, self.math))
        else:
            lines.extend(self._render_open_fence(fence, tail))
        self._tail_lines = [*lines, *note]

    def _block_note(self, left_out: int) -> list[Strip]:
        """What stands for the part of a block too long to render."""
        text = (
            f"… {left_out:,} more characters of this block not shown: too long to display here (the whole text is kept)"
        )
        return render_plain(text, self._width, self.app.console, Style(dim=True, italic=True))

    def _render_open_fence(self, fence: OpenFence, tail: str) -> list[Strip]:
        if fence is not self._fence:
            self._fence, self._fence_lines, self._fence_done = fence, [], 0
        console, styles, width = self.app.console, self.styles_for_render, self._width
        code = tail[fence.body_start :]
        complete = code.rfind("\n") + 1
        pending = code[self._fence_done : complete]
        if pending.count("\n") >= FENCE_CHUNK_LINES:
            self._fence_lines.extend(render_code(pending, fence.language, width, console, styles, last=False))
            self._fence_done = complete
        rest = code[self._fence_done :]
        if self._fence_lines and not rest.strip("\n"):
            return self._fence_lines  # the box ends with its last complete line, as the finished block will
        return [*self._fence_lines, *render_code(rest, fence.language, width, console, styles, last=True)]

    def _ensure(self, width: int) -> None:
        """Make the lines match the current text, width and theme (everything finished is rendered)."""
        if width != self._width:
            self._width = width
            self._drop_rendered()
            if self._progressive and width:
                self._schedule(YIELD_DELAY)
        if not width or self._progressive:
            return  # while streaming, time-boxed flushes render (never a long render inside a paint)
        if not self._all_taken:
            self._take_new_text(final=True)
        if self._rendered < len(self._blocks):
            self._render_blocks(deadline=None)
        if self._tail_dirty:
            if self.streaming or self._splitter.tail:
                self._render_tail()
            else:
                self._tail_lines, self._tail_dirty = [], False

    # -- Line API --------------------------------------------------------------------------------------------
    @property
    def rendered_up_to_date(self) -> bool:
        """Whether the lines show the message's whole current text (nothing waits to be rendered)."""
        return (
            self._width > 0
            and self._consumed + self.left_out == len(self.message.content)
            and self._rendered == len(self._blocks)
            and not self._tail_dirty
        )

    def plain_lines(self) -> list[str]:
        """The text of the rendered lines (for tests and tools)."""
        self._ensure(self.size.width or self._width)
        return [strip.text.rstrip() for strip in (*self._lines, *self._tail_lines)]

    @property
    def line_count(self) -> int:
        """Lines the body takes at its current width."""
        count = len(self._lines) + len(self._tail_lines)
        return count or (1 if self.streaming and self.markdown else 0)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._ensure(width)
        self._shown_lines = self.line_count  # the height the layout now gives the body
        return self._shown_lines

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._ensure(width)
        base = self.visual_style.rich_style  # cached by Textual until the styles change
        lines, tail = self._lines, self._tail_lines
        if y < len(lines):
            # Finished lines never change: each is styled once per base style, not at every repaint (a scrolling
            # pane asks for every visible line at every frame).
            if base is not self._styled_base:
                self._styled, self._styled_base = {}, base
            strip = self._styled.get(y)
            if strip is None:
                strip = self._styled[y] = lines[y].apply_style(base)
            return strip
        y -= len(lines)
        if y < len(tail):
            return tail[y].apply_style(base)
        if y == 0 and not lines and not tail and self.streaming and self.markdown:
            return self._placeholder(width).apply_style(base)
        return Strip.blank(width, base)

    def _placeholder(self, width: int) -> Strip:
        """What an empty reply shows while the first words are awaited."""
        lines = render_plain("…", width, self.app.console, Style(dim=True))
        return lines[0] if lines else Strip.blank(width)
