"""The executions table's window on the history: paged in SQL, bounded, live, sorted.

The table is keyed by execution_id. Live changes update the changed cells in place and insert new rows
where the sort puts them; the cursor follows its execution, never its row number, except on the first row:
there it stays when new executions arrive, on the newest (``tail -f``). Sorting by another
column sorts the rows already loaded (the server always pages by execution_id).

The table holds a bounded window of the history (``WINDOW_PAGES`` pages, a contiguous run of ids): paging
on past it drops the pages at the other end, which page back in when the cursor returns; ``end``/``G``
loads the oldest page directly and ``home``/``g`` the newest, so neither memory nor the time of a page
grows with the history. A page's cells are built in the worker that reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellKey, RowKey

from c1console.queries import PAGE, TERMINAL, ExecutionFilter
from c1console.screens.base import ConsoleScreen
from c1console.screens.cells import (
    STATUS_ORDER,
    dates,
    progress,
    run_duration,
    run_type,
    short_when,
    status_text,
)
from c1console.screens.tables import ConsoleTable, cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution, ExecutionPage


COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("job", "JOB"),
    ("type", "TYPE"),
    ("status", "STATUS"),
    ("dates", "DATES"),
    ("started", "STARTED"),
    ("duration", "DURATION"),
    ("progress", "PROGRESS"),
    ("error", "ERROR"),
    ("by", "BY"),
)
LABELS = dict(COLUMNS)
NEWEST_FIRST = ("id", "started", "duration")  # columns whose first sort is descending
PAGE_AHEAD = 3  # load the next page when the cursor is this close to either end of the table
WINDOW_PAGES = 5  # pages the table holds at most; paging further drops pages at the other end
Cells = tuple[Any, ...]


@dataclass(frozen=True)
class Loaded:
    """A page read in a worker, its rows' cells built there too: the UI thread only adds them."""

    rows: list[Execution]  # newest first
    cells: list[Cells]
    has_more: bool  # more rows beyond it, in the direction it was read


def loader(read: Callable[[], ExecutionPage], now: datetime, tz: tzinfo | None) -> Callable[[], Loaded]:
    """The work of a thread worker: read a page and build its cells."""

    def work() -> Loaded:
        page = read()
        return Loaded(page.rows, [cells(e, now, tz) for e in page.rows], page.has_more)

    return work


def plain(value: str) -> Text:
    """A text cell as the table would make it from a str, minus the markup parsing: job names, reasons
    and operators are shown as typed, and a 100-row page is not parsed 600 times."""
    return Text(value, no_wrap=True, end="")


def cells(e: Execution, now: datetime, tz: tzinfo | None) -> Cells:
    status = status_text(e.status)
    if e.stop_requested_at is not None and e.status not in TERMINAL:
        status.append(" stopping", style="magenta")
    return (
        Text(str(e.execution_id), justify="right"),
        plain(e.job_id),
        plain(run_type(e)),
        status,
        plain(dates(e)),
        plain(short_when(e.started_at, tz, now.date())),
        plain(run_duration(e, now)),
        progress(e),
        Text(e.error_code or "", style="red"),
        plain(e.requested_by),
    )


def sort_value(column: str, e: Execution, now: datetime) -> Any:
    if column == "job":
        return e.job_id
    if column == "type":
        return run_type(e)
    if column == "status":
        return STATUS_ORDER.get(e.status, 9)
    if column == "dates":
        return (e.business_date_from, e.business_date_to)
    if column == "started":
        return (e.started_at or e.created_at).timestamp()
    if column == "duration":
        if e.started_at is None:
            return -1.0
        return ((e.ended_at or now) - e.started_at).total_seconds()
    if column == "progress":
        return (e.units_done + e.units_failed) / e.units_total if e.units_total else 0.0
    if column == "error":
        return e.error_code or ""
    if column == "by":
        return e.requested_by
    return 0


def _two_way_dict() -> Callable[[dict[RowKey, int]], Any] | None:
    """The DataTable's row index type (internal to Textual: None if it ever moves)."""
    try:
        from textual._two_way_dict import TwoWayDict
    except ImportError:  # pragma: no cover - a Textual that reorganised its internals
        return None
    return TwoWayDict


class HistoryTable(ConsoleTable):
    """The executions table: home/g and end/G reach the newest and the oldest execution even when they
    are not loaded (the screen loads their page directly, then calls ``first_row``/``last_row``)."""

    def __init__(self, *, id: str, newest: Callable[[], None], oldest: Callable[[], None]) -> None:
        super().__init__(id=id)
        self._newest, self._oldest = newest, oldest

    def action_scroll_top(self) -> None:
        self._newest()

    def action_scroll_bottom(self) -> None:
        self._oldest()

    def first_row(self) -> None:
        super().action_scroll_top()

    def last_row(self) -> None:
        super().action_scroll_bottom()

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Removes many rows in one pass. ``DataTable.remove_row`` re-indexes every row and re-clamps the
        cursor and hover for each row removed (a page of 100 out of 600 rows: ~0.3 s, the cost growing with
        the window); this re-indexes once. It uses the table's row index (``_row_locations``, ``_data``,
        the same since Textual 0.80); a table without it gets ``remove_row`` one by one."""
        gone = {RowKey(key) for key in keys}
        two_way = _two_way_dict()
        internals = ("_row_locations", "_data", "_updated_cells")
        if two_way is None or not all(hasattr(self, name) for name in internals):
            for key in gone:
                self.remove_row(key)
            return
        kept = [row.key for row in self.ordered_rows if row.key not in gone]
        for key in gone:
            del self.rows[key]
            for column_key in self._data.pop(key):
                self._updated_cells.discard(CellKey(key, column_key))
        self._row_locations = two_way({key: index for index, key in enumerate(kept)})
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        self.hover_coordinate = self.hover_coordinate
        self.check_idle()
        self.refresh(layout=True)


class HistoryWindow(ConsoleScreen):
    """A screen showing a window of the execution history in a ``HistoryTable`` (id ``executions``): it
    reads the pages, pages on as the cursor nears either end, takes live changes in and keeps the cursor
    on its execution. The screen says what the info line reads (``update_info``)."""

    page_size = PAGE  # rows per page read (tests make it small)
    window_pages = WINDOW_PAGES

    def __init__(self) -> None:
        super().__init__()
        self.flt = ExecutionFilter()
        self.rows: dict[int, Execution] = {}
        self.cells: dict[int, Cells] = {}
        self.has_more = False  # older rows than the window's exist (below it, newest first)
        self.has_newer = False  # newer rows than the window's exist (above it)
        self.loaded = False
        self.loading = False
        self.loading_more = False
        self.load_problem: str | None = None
        self.sort_column = "id"
        self.sort_reverse = True
        self.want_cursor: int | None = None
        self.window_id = 0  # counts the windows shown: a page read for an earlier one is dropped

    @property
    def window_rows(self) -> int:
        return self.page_size * self.window_pages

    @property
    def table(self) -> HistoryTable:
        return self.query_one("#executions", HistoryTable)

    def update_info(self) -> None:
        """The info line: what is loaded, what is loading, the sort and the filter."""

    # Loading a window ----------------------------------------------------------------------------------

    def _read(self, read: Callable[[], ExecutionPage]) -> Callable[[], Loaded]:
        return loader(read, self.now(), self.tz)

    def reload(self, then: Callable[[], None] | None = None) -> None:
        """The newest page for the current filter (a new filter starts a new list)."""
        self.loading = True
        self.update_info()
        flt, size = self.flt, self.page_size
        self.call_db(
            self._read(lambda: self.services.queries.executions(flt, limit=size)),
            lambda loaded: self._show_window(flt, loaded, newer=False, then=then),
            failed=self._load_failed,
            group="page",
            exclusive=True,
        )

    def load_oldest(self) -> None:
        """The oldest page, read upwards from the start of the history; the cursor on its last row."""
        self.loading_more = True
        self.update_info()
        flt, size = self.flt, self.page_size
        self.call_db(
            self._read(lambda: self.services.queries.executions(flt, after_id=0, limit=size)),
            lambda loaded: self._show_window(flt, loaded, newer=True, then=self.table.last_row),
            failed=self._more_failed,
            group="page",
            exclusive=True,
        )

    def _load_failed(self, exc: BaseException) -> None:
        self.loading = self.loading_more = False
        self.load_problem = problem_text(exc)
        self.update_info()

    def _show_window(
        self, flt: ExecutionFilter, loaded: Loaded, *, newer: bool, then: Callable[[], None] | None = None
    ) -> None:
        """Replaces the table with a page. ``newer``: the page was read upwards (newer rows lie above it)."""
        self.loading_more = False
        if flt != self.flt:
            return
        keep = cursor_key(self.table)
        self.window_id += 1
        self.table.clear()
        self.rows.clear()
        self.cells.clear()
        self._add_loaded(loaded)
        self.has_more, self.has_newer = (False, loaded.has_more) if newer else (loaded.has_more, False)
        self.loaded, self.loading, self.load_problem = True, False, None
        self._resort(keep)
        if then is not None:
            then()
        self.update_info()

    def _add_loaded(self, loaded: Loaded) -> None:
        for e, row in zip(loaded.rows, loaded.cells, strict=True):
            if e.execution_id not in self.rows:
                self.rows[e.execution_id] = e
                self.cells[e.execution_id] = row
                self.table.add_row(*row, key=str(e.execution_id))

    def _add(self, e: Execution, now: datetime) -> None:
        self.rows[e.execution_id] = e
        row = cells(e, now, self.tz)
        self.cells[e.execution_id] = row
        self.table.add_row(*row, key=str(e.execution_id))

    def _update(self, e: Execution, now: datetime) -> bool:
        """Changes only the cells that differ; True when the row's place in the sort may have moved."""
        old = self.rows[e.execution_id]
        self.rows[e.execution_id] = e
        new = cells(e, now, self.tz)
        before = self.cells[e.execution_id]
        for (column, _label), was, cell in zip(COLUMNS, before, new, strict=True):
            if was != cell:
                self.table.update_cell(str(e.execution_id), column, cell, update_width=True)
        self.cells[e.execution_id] = new
        return sort_value(self.sort_column, old, now) != sort_value(self.sort_column, e, now)

    def _resort(self, keep: str | None) -> None:
        now = self.now()
        column, rows = self.sort_column, self.rows

        def key(cell: Text) -> Any:
            execution_id = int(cell.plain)
            return (sort_value(column, rows[execution_id], now), execution_id)

        self.table.sort("id", key=key, reverse=self.sort_reverse)
        self._restore_cursor(keep)

    def _restore_cursor(self, keep: str | None) -> None:
        if self.want_cursor is not None and move_cursor_to(self.table, str(self.want_cursor)):
            self.want_cursor = None
        elif keep is not None:
            move_cursor_to(self.table, keep, scroll=False)

    # Paging within the window --------------------------------------------------------------------------

    def load_more(self) -> None:
        """The next older page, below the window."""
        self.page(older=True)

    def page(self, *, older: bool) -> None:
        """The page past one end of the window; the window then drops as much at the other end."""
        if not (self.has_more if older else self.has_newer) or self.loading_more or not self.rows:
            return
        self.loading_more = True
        self.update_info()
        flt, size, queries, window = self.flt, self.page_size, self.services.queries, self.window_id
        if older:
            before = min(self.rows)
            read = lambda: queries.executions(flt, before_id=before, limit=size)  # noqa: E731
        else:
            after = max(self.rows)
            read = lambda: queries.executions(flt, after_id=after, limit=size)  # noqa: E731
        self.call_db(
            self._read(read),
            lambda loaded: self._extend(window, loaded, older=older),
            failed=self._more_failed,
            group="more",
        )

    def _more_failed(self, exc: BaseException) -> None:
        self.loading_more = False
        self.update_info()

    def _extend(self, window: int, loaded: Loaded, *, older: bool) -> None:
        if window != self.window_id or not self.loaded:
            return  # read for a window (or a filter) that has been replaced since
        self.loading_more = False
        keep, row = cursor_key(self.table), self.table.cursor_row
        self._add_loaded(loaded)
        if older:
            self.has_more = loaded.has_more
        else:
            self.has_newer = loaded.has_more
        self._trim(drop_newest=older, keep=keep)
        self._resort(keep)
        self._hold_still(self.table.cursor_row - row)
        self.update_info()

    def _hold_still(self, shift: int) -> None:
        """Rows came in or went out above the cursor: scroll by as much, so the cursor's row stays where it
        was on screen (after the refresh that gives the table its new height)."""
        if shift:
            table = self.table
            y = max(0, round(table.scroll_y) + shift)
            table.call_after_refresh(table.scroll_to, y=y, animate=False)

    def _trim(self, *, drop_newest: bool, keep: str | None) -> None:
        """Drops rows at one end of the window down to ``window_rows``, never the cursor's row or any row
        between it and that end (the window stays a contiguous run of ids; the next page trims the rest)."""
        excess = len(self.rows) - self.window_rows
        if excess <= 0:
            return
        ids = sorted(self.rows, reverse=drop_newest)[:excess]
        if keep is not None and int(keep) in ids:
            ids = ids[: ids.index(int(keep))]
        for execution_id in ids:
            del self.rows[execution_id], self.cells[execution_id]
        self.table.remove_rows(str(execution_id) for execution_id in ids)
        if ids and drop_newest:
            self.has_newer = True
        elif ids:
            self.has_more = True

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = self.table
        if event.data_table is not table or event.cursor_row != table.cursor_row:
            return  # not ours, or stale (the cursor has moved on since, e.g. a page replaced the table)
        bottom_is_older = (self.sort_column, self.sort_reverse) != ("id", False)
        if table.cursor_row >= table.row_count - PAGE_AHEAD:
            self.page(older=bottom_is_older)
        elif table.cursor_row < PAGE_AHEAD:
            self.page(older=not bottom_is_older)

    def action_oldest(self) -> None:
        """end/G: the last row; when older rows are not loaded, the oldest page first (one query)."""
        if self.has_more:
            self.load_oldest()
        else:
            self.table.last_row()

    def action_newest(self) -> None:
        """home/g: the first row; when newer rows were paged out, the newest page first."""
        if self.has_newer:
            self.reload(then=self.table.first_row)
        else:
            self.table.first_row()

    # Live ----------------------------------------------------------------------------------------------

    def _belongs(self, e: Execution) -> bool:
        """Whether a row that is not loaded belongs in the window (between its ends, or past an end that
        is the end of the history)."""
        if not self.flt.matches(e):
            return False
        if not self.rows:
            return not self.has_more and not self.has_newer
        older_ok = not self.has_more or e.execution_id > min(self.rows)
        newer_ok = not self.has_newer or e.execution_id < max(self.rows)
        return older_ok and newer_ok

    def apply(self, rows: Sequence[Execution], *, force: Sequence[int] = ()) -> None:
        """Live rows: in place when loaded, inserted when new and in the window. The cursor stays on its
        execution, except on the first row, where it stays when new executions arrive (it follows the
        newest, like ``tail -f``); an execution asked for (``want_cursor``) takes it wherever it is."""
        if not self.loaded:
            return
        table = self.table
        keep = cursor_key(table)
        at_top = keep is not None and table.cursor_row == 0 and self.want_cursor is None
        now = self.now()
        moved = added = False
        for e in rows:
            if e.execution_id in self.rows:
                moved = self._update(e, now) or moved
            elif e.execution_id in force or self._belongs(e):
                self._add(e, now)
                moved = added = True
        if moved:
            self._trim(drop_newest=False, keep=keep)
            if added and at_top:
                self._resort(None)
                table.move_cursor(row=0, scroll=True)
            else:
                self._resort(keep)
        elif self.want_cursor is not None:
            self._restore_cursor(keep)
        self.update_info()

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        self.apply(rows)

    def poll(self) -> None:
        if not self.loaded:
            if not self.loading or self.load_problem:
                self.reload()
            return
        if self.polling():
            return
        flt, size = self.flt, self.page_size
        queries = self.services.queries
        unfinished = [i for i, e in self.rows.items() if e.status not in TERMINAL]

        def work() -> list[Execution]:
            page = queries.executions(flt, limit=size)
            seen = {e.execution_id for e in page.rows}
            return page.rows + queries.executions_by_id([i for i in unfinished if i not in seen])

        self._poll_worker = self.call_db(
            work, lambda rows: self.apply(rows) if flt == self.flt else None, group="poll"
        )

    def tick(self) -> None:
        now = self.now()
        for e in [e for e in self.rows.values() if e.status == "RUNNING"]:
            self._update(e, now)

    # Selection, sort, filter, focus --------------------------------------------------------------------

    def selected(self) -> Execution | None:
        key = cursor_key(self.table)
        return self.rows.get(int(key)) if key is not None else None

    def sort_by(self, column: str, *, reverse: bool) -> None:
        """Sorts the loaded rows by a column (the cursor stays on its execution)."""
        self.sort_column, self.sort_reverse = column, reverse
        self._resort(cursor_key(self.table))
        self.update_info()

    def set_filter(self, flt: ExecutionFilter, *, then: Callable[[], None] | None = None) -> None:
        """A new list for another filter; ``then`` runs once its first page is shown."""
        if flt != self.flt:
            self.flt = flt
            self.loaded = False
            self.reload(then=then)

    def focus_execution(self, execution_id: int) -> None:
        """Puts the cursor on an execution, fetching it when it is not loaded (a new one, say); one that
        lies beyond the window brings the window to it (the newest page, or the page that ends at it)."""
        if move_cursor_to(self.table, str(execution_id)):
            return
        self.want_cursor = execution_id
        queries = self.services.queries
        newer = bool(self.rows) and self.has_newer and execution_id > max(self.rows)
        older = bool(self.rows) and self.has_more and execution_id < min(self.rows)
        if not (newer or older):
            self.call_db(
                lambda: queries.executions_by_id([execution_id]),
                lambda rows: self.apply(rows, force=[execution_id]),
            )
            return
        flt, size = self.flt, self.page_size
        before = None if newer else execution_id + 1
        read = self._read(lambda: queries.executions(flt, before_id=before, limit=size))
        self.call_db(
            lambda: (read(), queries.executions_by_id([execution_id])),
            lambda got: self._jump(flt, got[0], got[1], above=before is not None),
            group="page",
            exclusive=True,
        )

    def _jump(self, flt: ExecutionFilter, loaded: Loaded, rows: list[Execution], *, above: bool) -> None:
        """A window that reaches the wanted execution, which is then added (even if it does not match)."""
        self._show_window(flt, loaded, newer=False)
        if flt == self.flt:
            self.has_newer = above
            self.apply(rows, force=[e.execution_id for e in rows])
