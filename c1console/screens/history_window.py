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

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from c1console.queries import PAGE, TERMINAL, ExecutionFilter
from c1console.screens.base import ConsoleScreen
from c1console.screens.history_rows import (
    COLUMNS,
    LABELS,
    NEWEST_FIRST,
    WIDE_AT,
    Cells,
    cells,
    id_cell,
    row_id,
    sort_value,
)
from c1console.screens.tables import HistoryTable, cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution, ExecutionPage, OpenFailure

__all__ = ["COLUMNS", "LABELS", "NEWEST_FIRST", "HistoryTable", "HistoryWindow", "Loaded", "loader"]


PAGE_AHEAD = 3  # load the next page when the cursor is this close to either end of the table
WINDOW_PAGES = 5  # pages the table holds at most; paging further drops pages at the other end
FAILURE_STATUSES = ("FAILED", "STOPPED")  # the executions that are work items (sql/013)
MISSING_AT_ONCE = 100  # open failures read in at most, at once, under the open-failures filter


@dataclass(frozen=True)
class Loaded:
    """A page read in a worker, its rows' cells built there too: the UI thread only adds them."""

    rows: list[Execution]  # newest first
    cells: list[Cells]
    has_more: bool  # more rows beyond it, in the direction it was read
    narrow: bool = False  # the cells were built for a narrow table


def loader(
    read: Callable[[], ExecutionPage], now: datetime, tz: tzinfo | None, *, narrow: bool = False
) -> Callable[[], Loaded]:
    """The work of a thread worker: read a page and build its cells."""

    def work() -> Loaded:
        page = read()
        return Loaded(page.rows, [cells(e, now, tz, narrow=narrow) for e in page.rows], page.has_more, narrow)

    return work


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
        self.narrow = False  # the screen is narrower than WIDE_AT: cells are built for it
        self.marks: set[int] = set()  # marked executions (space): kept through updates, paging, filters
        self.forced: set[int] = set()  # rows shown because asked for (focus), though the filter skips them
        self.open_failures: list[OpenFailure] = []  # every open failure, newest first (the app's list)
        self._failures_worker: Worker[Any] | None = None
        self._failures_again = False

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
        return loader(read, self.now(), self.tz, narrow=self.narrow)

    def _cells(self, e: Execution, now: datetime) -> Cells:
        return cells(e, now, self.tz, narrow=self.narrow, marked=e.execution_id in self.marks)

    def fit_width(self, width: int) -> None:
        """Cells for a screen this wide: below WIDE_AT, long job names are elided and progress has no bar,
        so that status, resolution, progress and error code fit in 80 columns."""
        narrow = width < WIDE_AT
        if narrow == self.narrow:
            return
        self.narrow = narrow
        now = self.now()
        for e in list(self.rows.values()):
            self._update(e, now)

    def on_resize(self, event: events.Resize) -> None:
        self.fit_width(event.size.width)

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
        self.forced.clear()
        self._add_loaded(loaded)
        self.has_more, self.has_newer = (False, loaded.has_more) if newer else (loaded.has_more, False)
        self.loaded, self.loading, self.load_problem = True, False, None
        self._resort(keep)
        if then is not None:
            then()
        self.update_info()

    def _add_loaded(self, loaded: Loaded) -> None:
        now = self.now()
        for e, row in zip(loaded.rows, loaded.cells, strict=True):
            if e.execution_id not in self.rows:
                if loaded.narrow != self.narrow or e.execution_id in self.marks:
                    row = self._cells(e, now)  # built for another width, or marked
                self.rows[e.execution_id] = e
                self.cells[e.execution_id] = row
                self.table.add_row(*row, key=str(e.execution_id))

    def _add(self, e: Execution, now: datetime) -> None:
        self.rows[e.execution_id] = e
        row = self._cells(e, now)
        self.cells[e.execution_id] = row
        self.table.add_row(*row, key=str(e.execution_id))

    def _remove(self, ids: Collection[int]) -> None:
        for execution_id in ids:
            del self.rows[execution_id], self.cells[execution_id]
            self.forced.discard(execution_id)
        self.table.remove_rows(str(execution_id) for execution_id in ids)

    def _update(self, e: Execution, now: datetime) -> bool:
        """Changes only the cells that differ; True when the row's place in the sort may have moved."""
        old = self.rows[e.execution_id]
        self.rows[e.execution_id] = e
        new = self._cells(e, now)
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
            execution_id = row_id(cell)
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
        self._remove(ids)
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

    def _in_window(self, execution_id: int) -> bool:
        """Whether an id lies in the window (between its ends, or past an end that is the end of the
        history)."""
        if not self.rows:
            return not self.has_more and not self.has_newer
        older_ok = not self.has_more or execution_id > min(self.rows)
        newer_ok = not self.has_newer or execution_id < max(self.rows)
        return older_ok and newer_ok

    def _belongs(self, e: Execution) -> bool:
        """Whether a row that is not loaded belongs in the window."""
        return self.flt.matches(e) and self._in_window(e.execution_id)

    def _leaves(self, e: Execution) -> bool:
        """Whether a loaded row leaves the list: under the open-failures filter, once it is not open any
        more (resolved, handed on, acknowledged, rolled back) — unless it was asked for (focus)."""
        return self.flt.open_only and e.execution_id not in self.forced and not self.flt.matches(e)

    def apply(self, rows: Sequence[Execution], *, force: Sequence[int] = ()) -> None:
        """Live rows: in place when loaded, inserted when new and in the window, removed when they leave
        the open-failures filter. The cursor stays on its execution, except on the first row, where it
        stays when new executions arrive (it follows the newest, like ``tail -f``); an execution asked
        for (``want_cursor``) takes it wherever it is."""
        if not self.loaded:
            return
        table = self.table
        keep = cursor_key(table)
        at_top = keep is not None and table.cursor_row == 0 and self.want_cursor is None
        now = self.now()
        moved = added = False
        gone: list[int] = []
        for e in rows:
            if e.execution_id in self.rows:
                if self._leaves(e):
                    gone.append(e.execution_id)
                else:
                    moved = self._update(e, now) or moved
            elif e.execution_id in force or self._belongs(e):
                if not self.flt.matches(e):
                    self.forced.add(e.execution_id)
                self._add(e, now)
                moved = added = True
        if gone:
            self._remove(gone)
            keep = None if keep is not None and int(keep) in gone else keep
            if keep is not None and not moved:
                move_cursor_to(table, keep, scroll=False)
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
        self.refresh_failures()

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.refresh_failures()  # an approved compensation resolves failures without touching them

    def refresh_failures(self) -> None:
        """Re-reads the loaded FAILED and STOPPED rows: a replay's results, an acknowledgement, an approved
        compensation or the rollback of what fixed them may have changed whether they are open. One read
        at a time; what arrives meanwhile asks for one more."""
        if not self.loaded:
            return
        worker = self._failures_worker
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            self._failures_again = True
            return
        ids = [i for i, e in self.rows.items() if e.status in FAILURE_STATUSES]
        if not ids:
            return
        flt, queries = self.flt, self.services.queries
        self._failures_again = False
        self._failures_worker = self.call_db(
            lambda: queries.executions_by_id(ids),
            lambda rows: self._failures_read(flt, rows),
            failed=lambda _exc: None,
            group="failures",
        )

    def _failures_read(self, flt: ExecutionFilter, rows: list[Execution]) -> None:
        if flt == self.flt:
            self.apply(rows)
        if self._failures_again:
            self.refresh_failures()

    def open_failures_changed(self, failures: Sequence[OpenFailure]) -> None:
        """The app's list of every open failure, newest first: kept for n/N; under the open-failures
        filter, those in the window and not loaded yet (re-opened, say) are read in."""
        self.open_failures = list(failures)
        if not (self.flt.open_only and self.loaded):
            return
        jobs = self.flt.job_ids
        missing = [
            f.execution_id
            for f in failures
            if f.execution_id not in self.rows
            and self._in_window(f.execution_id)
            and (not jobs or f.job_id in jobs)
        ][:MISSING_AT_ONCE]
        if missing:
            flt, queries = self.flt, self.services.queries
            self.call_db(
                lambda: queries.executions_by_id(missing),
                lambda rows: self.apply(rows) if flt == self.flt else None,
                group="failures-in",
            )

    def poll(self) -> None:
        if not self.loaded:
            if not self.loading or self.load_problem:
                self.reload()
            return
        if self.polling():
            return
        flt, size = self.flt, self.page_size
        queries = self.services.queries
        # unfinished rows, and failures (whether they are still open may have changed)
        again = [i for i, e in self.rows.items() if e.status not in TERMINAL or e.status in FAILURE_STATUSES]

        def work() -> list[Execution]:
            page = queries.executions(flt, limit=size)
            seen = {e.execution_id for e in page.rows}
            return page.rows + queries.executions_by_id([i for i in again if i not in seen])

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

    def toggle_mark(self, execution_id: int) -> None:
        """Marks an execution, or unmarks a marked one (the mark is kept by id, loaded or not)."""
        self.marks.symmetric_difference_update({execution_id})
        self._show_mark(execution_id)
        self.update_info()

    def clear_marks(self) -> None:
        marked, self.marks = self.marks, set()
        for execution_id in marked:
            self._show_mark(execution_id)
        self.update_info()

    def _show_mark(self, execution_id: int) -> None:
        if execution_id in self.rows:
            cell = id_cell(execution_id, marked=execution_id in self.marks)
            self.cells[execution_id] = (cell, *self.cells[execution_id][1:])
            self.table.update_cell(str(execution_id), "id", cell, update_width=True)

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
