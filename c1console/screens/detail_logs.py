"""The drill-down's Logs tab: a log view that keeps up with a running execution.

It shows the lines of the latest read of the execution (the newest ``LOG_LIMIT``, oldest first) and takes in
only what changed since the previous read: new lines are appended, lines that left the window are dropped
from the top. It draws only the lines on screen (Textual's line API), so a refresh costs the same with 50
lines as with 5,000, and nothing is re-measured when a line arrives. (It was a DataTable refilled on every
read, which re-measured every cell: with a running execution of thousands of lines, part of issue 16's
CPU spike.)

A row cursor as in the other tabs; ``follow`` keeps the cursor on the newest line as lines arrive (any
scroll up leaves it); ``wrap`` folds long messages under the MESSAGE column; ``search`` marks every line
that holds a text and ``next_match`` moves between them. The keys are the screen's (DetailScreen), so that
``n``/``N`` go on meaning "next open failure" everywhere but in a log search. ``Changed`` is posted when
what the status line says changed.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from c1console.errors import one_line
from c1console.screens.cells import LEVEL_STYLE

if TYPE_CHECKING:
    from c1console.queries import LogLine

LOG_LIMIT = 500  # the newest lines ConsoleQueries.detail reads (its log_limit)
MESSAGE_LIMIT = 2000  # characters of one message shown
MIN_MESSAGE = 20  # cells: with less room than this beside the columns, wrapped lines start at the left
HEADER = ("AT", "LEVEL", "UNIT", "MESSAGE")
MARGIN, GAP = " ", "  "  # before the first column, between columns (as the tables' cell padding)


@dataclass(frozen=True)
class LogRow:
    log_id: int
    at: str
    level: str
    unit: str
    message: str
    haystack: str  # what a search looks in, lower-cased


def log_row(g: LogLine, tz: tzinfo | None) -> LogRow:
    at = g.at.astimezone(tz).strftime("%m-%d %H:%M:%S")
    unit = f"{g.business_date or ''} {g.target_key or ''}".strip()
    message = one_line(g.message)
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    return LogRow(g.log_id, at, g.level, unit, message, f"{at} {g.level} {unit} {message}".lower())


class LogView(ScrollView, can_focus=True):
    """The log of one execution: a fixed header line, one row per log line (several when wrapped)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"logview--header", "logview--cursor", "logview--match"}
    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        & > .logview--header { text-style: bold; background: $panel; color: $foreground; }
        & > .logview--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .logview--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .logview--match { text-style: bold reverse; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home,g", "first", "first line", show=False),
        Binding("end,G", "last", "last line", show=False),
    ]

    class Changed(Message):
        """What the status line says changed: lines, follow, wrap or the search."""

        def __init__(self, view: LogView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[LogRow] = []
        self.cursor = 0
        self.follow = False
        self.wrap = False
        self.query_text: str | None = None  # the search as typed (None: no search)
        self.matches: list[int] = []  # indices of the rows that hold it, ascending
        self._ids: list[int] = []  # log ids of the rows (ascending)
        self._widths = (len(HEADER[0]), len(HEADER[1]), len(HEADER[2]))
        self._longest = 0  # cells of the longest message (the width without wrap)
        self._counts: list[int] = []  # screen lines of each row
        self._starts: list[int] = [0]  # first screen line of each row; the last item is the total
        self._wrap_width = 0  # the width the counts are for (wrap)
        self._pieces: dict[int, list[Text]] = {}  # log id -> its screen lines (no search marks)
        self._strips: dict[int, list[Strip]] = {}  # log id -> its screen lines as drawn (search marks)
        self._adjusting = False  # scrolling done by the view itself, not the operator
        self.lines_taken = 0  # lines appended since the view was made (the benchmark counts them)

    # Lines in ------------------------------------------------------------------------------------------

    def show_lines(self, lines: Sequence[LogLine], tz: tzinfo | None) -> None:
        """The lines of the latest read (ascending ids): those this view has not seen are appended, those
        that left the read's window are dropped from the top. Work done: the lines that changed."""
        first = lines[0].log_id if lines else None
        dropped = len(self.rows) if first is None else bisect_left(self._ids, first)
        start = 0
        if self._ids and lines:
            start = bisect_right([g.log_id for g in lines], self._ids[-1])
            if len(self.rows) - dropped + len(lines) - start != len(lines):
                dropped, start = len(self.rows), 0  # lines arrived out of order: take the read as it is
        if not dropped and start == len(lines):
            return  # nothing new: nothing to draw
        gone = self._drop_front(dropped)
        self._append([log_row(g, tz) for g in lines[start:]])
        self._adjusting = True
        try:
            self._resize()
            if self.follow:
                self.cursor = max(0, len(self.rows) - 1)
                self._scroll_end()
            elif gone:
                self.scroll_to(y=max(0, self.scroll_y - gone), animate=False)  # the same lines stay in view
        finally:
            self._adjusting = False
        self.refresh()
        self._changed()

    def _drop_front(self, count: int) -> int:
        """Drops the first ``count`` rows; returns the screen lines they took."""
        if not count:
            return 0
        gone = self._starts[count]
        for row in self.rows[:count]:
            self._pieces.pop(row.log_id, None)
            self._strips.pop(row.log_id, None)
        del self.rows[:count], self._ids[:count], self._counts[:count]
        self._restart()
        self.cursor = max(0, self.cursor - count)
        self.matches = [m - count for m in self.matches if m >= count]
        return gone

    def _append(self, new: list[LogRow]) -> None:
        if not new:
            return
        at_w, level_w, unit_w = self._widths
        widths = (
            max([at_w, *(cell_len(r.at) for r in new)]),
            max([level_w, *(cell_len(r.level) for r in new)]),
            max([unit_w, *(cell_len(r.unit) for r in new)]),
        )
        begin = len(self.rows)
        self.rows.extend(new)
        self._ids.extend(r.log_id for r in new)
        self._longest = max([self._longest, *(cell_len(r.message) for r in new)])
        self.lines_taken += len(new)
        if self.query_text is not None:
            needle = self.query_text.lower()
            self.matches.extend(begin + i for i, r in enumerate(new) if needle in r.haystack)
        if widths != self._widths:  # a wider column: every line is laid out again
            self._widths = widths
            self._layout(resize=False)
            return
        self._counts.extend(self._count(r) for r in new)
        total = self._starts[-1]
        for n in self._counts[begin:]:
            total += n
            self._starts.append(total)

    # Layout --------------------------------------------------------------------------------------------

    @property
    def prefix_width(self) -> int:
        at_w, level_w, unit_w = self._widths
        return len(MARGIN) + at_w + level_w + unit_w + 3 * len(GAP)

    @property
    def body_height(self) -> int:
        """Screen lines for rows (the header line takes one)."""
        return max(1, self.scrollable_content_region.height - 1)

    def _width_for_wrap(self) -> int:
        return max(10, self.size.width - 1)  # the vertical scrollbar's column kept free

    def _count(self, row: LogRow) -> int:
        return len(self._row_pieces(row)) if self.wrap else 1

    def _restart(self) -> None:
        starts, total = [0], 0
        for n in self._counts:
            total += n
            starts.append(total)
        self._starts = starts

    def _layout(self, *, resize: bool = True) -> None:
        """Every row laid out again (wrap toggled, the width or a column changed)."""
        self._pieces.clear()
        self._strips.clear()
        self._wrap_width = self._width_for_wrap()
        self._counts = [self._count(r) for r in self.rows]
        self._restart()
        if resize:
            self._resize()

    def _resize(self) -> None:
        width = self._wrap_width if self.wrap else self.prefix_width + self._longest
        self.virtual_size = Size(width, self._starts[-1] + 1)

    def on_resize(self, _event: events.Resize) -> None:
        if self.wrap and self._width_for_wrap() != self._wrap_width:
            self._layout()
        if self.follow:
            self._scroll_end()
        else:
            self._keep_in_view()

    def _row_at(self, line: int) -> int:
        """The row drawn on screen line ``line`` (of all the rows' lines)."""
        return max(0, min(len(self.rows) - 1, bisect_right(self._starts, line) - 1))

    # Drawing -------------------------------------------------------------------------------------------

    def _prefix(self, row: LogRow) -> Text:
        at_w, level_w, unit_w = self._widths
        text = Text(no_wrap=True, end="")
        text.append(MARGIN + row.at.ljust(at_w) + GAP)
        text.append(row.level.ljust(level_w), style=LEVEL_STYLE.get(row.level, ""))
        text.append(GAP + row.unit.ljust(unit_w) + GAP)
        return text

    def _row_pieces(self, row: LogRow) -> list[Text]:
        """The row's screen lines: one, or the message folded under its column when wrapping."""
        found = self._pieces.get(row.log_id)
        if found is not None:
            return found
        prefix = self._prefix(row)
        if not self.wrap:
            pieces = [prefix + Text(row.message, end="")]
        else:
            width, indent = self._wrap_width, self.prefix_width
            if width - indent >= MIN_MESSAGE:
                folded = list(Text(row.message, end="").wrap(self.app.console, width - indent, no_wrap=False))
                pieces = [prefix + (folded[0] if folded else Text())]
                pieces += [Text(" " * indent, end="") + piece for piece in folded[1:]]
            else:
                whole = prefix + Text(row.message, end="")
                pieces = list(whole.wrap(self.app.console, width, overflow="fold", no_wrap=False))
            pieces = pieces or [prefix]
        self._pieces[row.log_id] = pieces
        return pieces

    def _row_strips(self, row: LogRow) -> list[Strip]:
        found = self._strips.get(row.log_id)
        if found is not None:
            return found
        mark = self.get_component_rich_style("logview--match", partial=True)
        strips = []
        for piece in self._row_pieces(row):
            if self.query_text:
                piece = piece.copy()
                piece.highlight_words([self.query_text], mark, case_sensitive=False)
            strips.append(Strip(list(piece.render(self.app.console)), piece.cell_len))
        self._strips[row.log_id] = strips
        return strips

    def _header(self) -> Strip:
        at_w, level_w, unit_w = self._widths
        labels = (HEADER[0].ljust(at_w), HEADER[1].ljust(level_w), HEADER[2].ljust(unit_w), HEADER[3])
        text = Text(MARGIN + GAP.join(labels), end="")
        return Strip(list(text.render(self.app.console)), text.cell_len)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = 0 if self.wrap else int(self.scroll_x)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("logview--header")
            return self._header().apply_style(style).crop_extend(scroll_x, scroll_x + width, style)
        line = int(self.scroll_y) + y - 1
        if not self.rows or line >= self._starts[-1]:
            return Strip.blank(width, base)
        index = self._row_at(line)
        strip = self._row_strips(self.rows[index])[line - self._starts[index]]
        style = base + self.get_component_rich_style("logview--cursor") if index == self.cursor else base
        return strip.apply_style(style).crop_extend(scroll_x, scroll_x + width, style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the search marks' style may have changed (theme)

    # Cursor and scrolling ------------------------------------------------------------------------------

    def move(self, index: int) -> None:
        """The cursor to a row, scrolled into view."""
        before = self.cursor
        self.cursor = max(0, min(len(self.rows) - 1, index))
        self._keep_in_view()
        if before != self.cursor:
            self.refresh()
            self._changed()

    def _keep_in_view(self) -> None:
        if not self.rows:
            return
        top, bottom = self._starts[self.cursor], self._starts[self.cursor + 1]
        y = int(self.scroll_y)
        if top < y:
            y = top
        elif bottom > y + self.body_height:
            y = bottom - self.body_height
        self.scroll_to(y=y, animate=False)

    def in_view(self, index: int) -> bool:
        """Whether row ``index`` is on screen, all of its lines."""
        if not 0 <= index < len(self.rows):
            return False
        top = int(self.scroll_y)
        return self._starts[index] >= top and self._starts[index + 1] <= top + self.body_height

    def selected(self) -> LogRow | None:
        """The row under the cursor."""
        return self.rows[self.cursor] if self.rows else None

    def _scroll_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # any scroll up leaves follow; one the view made (lines dropped above) or a clamp at the bottom
        # (the window grew) does not
        if self.follow and not self._adjusting and new_value < old_value and new_value < self.max_scroll_y:
            self.follow = False
            self._changed()

    def action_cursor(self, step: int) -> None:
        if step < 0:
            self.set_follow(False)
        self.move(self.cursor + step)

    def action_page(self, step: int) -> None:
        if step < 0:
            self.set_follow(False)
        if self.rows:
            self.move(self._row_at(self._starts[self.cursor] + step * self.body_height))

    def action_first(self) -> None:
        self.set_follow(False)
        self.move(0)

    def action_last(self) -> None:
        self.move(len(self.rows) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1 and self.rows:
            index = self._row_at(int(self.scroll_y) + event.y - 1)
            if index != len(self.rows) - 1:
                self.set_follow(False)
            self.move(index)

    # Follow, wrap, search ------------------------------------------------------------------------------

    def set_follow(self, on: bool) -> None:
        if on == self.follow:
            return
        self.follow = on
        if on and self.rows:
            self.cursor = len(self.rows) - 1
            self._scroll_end()
            self.refresh()
        self._changed()

    def set_wrap(self, on: bool) -> None:
        if on == self.wrap:
            return
        self.wrap = on
        self.scroll_to(x=0, animate=False)
        self._layout()
        if self.follow:
            self._scroll_end()
        else:
            self._keep_in_view()
        self.refresh()
        self._changed()

    def search(self, text: str | None, origin: int | None = None) -> None:
        """Marks the rows holding ``text`` (any case; None ends the search) and puts the cursor on the
        first at or after ``origin`` (where the search began), if any."""
        self.query_text = text or None
        needle = (text or "").lower()
        self.matches = [i for i, r in enumerate(self.rows) if needle in r.haystack] if needle else []
        self._strips.clear()
        self.refresh()
        if self.matches and origin is not None:
            self.set_follow(False)
            at = bisect_left(self.matches, origin)
            self.move(self.matches[at % len(self.matches)])
        self._changed()

    def next_match(self, step: int) -> bool:
        """The cursor to the next (``step`` 1) or previous (-1) row holding the search, round the end;
        False when none does."""
        if not self.matches:
            return False
        if step > 0:
            at = bisect_right(self.matches, self.cursor) % len(self.matches)
        else:
            at = (bisect_left(self.matches, self.cursor) - 1) % len(self.matches)
        self.set_follow(False)
        self.move(self.matches[at])
        self._changed()
        return True

    def match_position(self) -> int | None:
        """Which match (1-based) the cursor is on, if any."""
        at = bisect_left(self.matches, self.cursor)
        return at + 1 if at < len(self.matches) and self.matches[at] == self.cursor else None

    def _changed(self) -> None:
        self.post_message(self.Changed(self))


def status_line(view: LogView) -> Text:
    """The Logs tab's state in one line, then its keys: readable without colour (symbol and word)."""
    n = len(view.rows)
    text = Text(" ")
    text.append(f"{n} line{'s' if n != 1 else ''}", style="bold")
    if n >= LOG_LIMIT:
        text.append(" (the newest)")
    text.append(" · ")
    text.append(
        "▼ following" if view.follow else "not following", style="bold green" if view.follow else "dim"
    )
    if view.wrap:
        text.append(" · ↩ wrapped")
    if view.query_text is not None:
        text.append(" · ")
        text.append(f"/{view.query_text}", style="bold")
        if view.matches:
            at = view.match_position()
            where = f"{at} of {len(view.matches)}" if at else f"{len(view.matches)} lines"
            text.append(f" {where}")
        else:
            text.append(" no match", style="bold red")
        text.append("  n/N next/prev · esc ends", style="dim")
    else:
        text.append("  f follow · w wrap · / search", style="dim")
    return text
