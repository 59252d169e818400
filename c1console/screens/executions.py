"""Home: every execution, live, newest first, paged in SQL, filtered and sorted; the actions start here.

The table is keyed by execution_id. Live changes update the changed cells in place and insert new rows
where the sort puts them; the cursor follows its execution, never its row number. Sorting by another
column sorts the rows already loaded (the server always pages newest first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from c1console.screens import dialogs
from c1console.screens.base import ConsoleScreen
from c1console.screens.widgets import (
    STATUS_ORDER,
    ConsoleTable,
    HeaderBar,
    Key,
    KeyBar,
    bindings,
    cursor_key,
    dates,
    move_cursor_to,
    problem_text,
    progress,
    run_duration,
    run_type,
    short_when,
    status_text,
)
from c1console.store.executions import TERMINAL, Execution
from c1console.store.views import ExecutionFilter, ExecutionPage

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
PAGE_AHEAD = 3  # load the next page when the cursor is this close to the last row


def cells(e: Execution, now: datetime, screen: ConsoleScreen) -> tuple[Any, ...]:
    status = status_text(e.status)
    if e.stop_requested_at is not None and e.status not in TERMINAL:
        status.append(" stopping", style="magenta")
    return (
        Text(str(e.execution_id), justify="right"),
        e.job_id,
        run_type(e),
        status,
        dates(e),
        short_when(e.started_at, screen.tz, now.date()),
        run_duration(e, now),
        progress(e),
        Text(e.error_code or "", style="red"),
        e.requested_by,
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


def describe_filter(flt: ExecutionFilter) -> str:
    parts = []
    if flt.statuses:
        parts.append("status " + ",".join(flt.statuses))
    if flt.job_ids:
        parts.append("job " + ",".join(flt.job_ids))
    if flt.run_types:
        parts.append("type " + ",".join(flt.run_types))
    if flt.since or flt.until:
        parts.append(f"dates {flt.since or '…'}..{flt.until or '…'}")
    if flt.text:
        parts.append(f"'{flt.text}'")
    return "; ".join(parts)


class ExecutionsScreen(ConsoleScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "open", "Open the selected execution (drill-down)", bind=False),
        Key("slash", "search", "search", "Search job, error code, operator, reason or id", display="/"),
        Key("f", "filter", "filter", "Filter by status, job, run type and business dates"),
        Key("x", "clear_filters", "clear", "Clear the search and the filters", footer=False),
        Key("o", "sort", "sort", "Sort by the next column (loaded rows; o again moves on)"),
        Key("O", "reverse_sort", "reverse", "Reverse the sort order", footer=False),
        Key("t", "trigger", "trigger", "Trigger a job: a MANUAL execution", act=True),
        Key("s", "stop", "stop", "Stop the selected READY or RUNNING execution", act=True),
        Key("R", "resume", "resume", "Resume the selected STOPPED or FAILED execution", act=True),
        Key("r", "replay", "replay", "Replay: failed units, all units, RANGE, SINGLE or FULL", act=True),
        Key(
            "b",
            "rollback",
            "rollback",
            "Roll back the selected finished execution's results",
            act=True,
            footer=False,
        ),
        Key(
            "escape",
            "back",
            "back",
            "Close the search box, else clear the filters",
            display="esc",
            footer=False,
        ),
    )
    BINDINGS: ClassVar = bindings(KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.flt = ExecutionFilter()
        self.rows: dict[int, Execution] = {}
        self.cells: dict[int, tuple[Any, ...]] = {}
        self.has_more = False
        self.loaded = False
        self.loading = False
        self.loading_more = False
        self.load_problem: str | None = None
        self.sort_column = "id"
        self.sort_reverse = True
        self.want_cursor: int | None = None

    # Layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar("Executions")
        yield Static(id="info", classes="info-line")
        yield ConsoleTable(id="executions")
        yield Input(
            placeholder="search: job, error code, operator, reason or #id — enter applies, esc closes",
            id="search",
            compact=True,
        )
        yield KeyBar()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#executions", DataTable)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        self.query_one("#search", Input).display = False
        self.table.focus()
        self.reload()

    # Loading -------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """The first page for the current filter (a new filter starts a new list)."""
        self.loading = True
        self.update_info()
        flt = self.flt
        self.call_db(
            lambda: self.console.queries.executions(flt),
            lambda page: self._first_page(flt, page),
            failed=self._load_failed,
            group="page",
            exclusive=True,
        )

    def _load_failed(self, exc: BaseException) -> None:
        self.loading = False
        self.load_problem = problem_text(exc)
        self.update_info()

    def _first_page(self, flt: ExecutionFilter, page: ExecutionPage) -> None:
        if flt != self.flt:
            return
        keep = cursor_key(self.table)
        self.table.clear()
        self.rows.clear()
        self.cells.clear()
        now = self.now()
        for e in page.rows:
            self._add(e, now)
        self.has_more = page.has_more
        self.loaded, self.loading, self.load_problem = True, False, None
        self._resort(keep)
        self.update_info()

    def _add(self, e: Execution, now: datetime) -> None:
        self.rows[e.execution_id] = e
        row = cells(e, now, self)
        self.cells[e.execution_id] = row
        self.table.add_row(*row, key=str(e.execution_id))

    def _update(self, e: Execution, now: datetime) -> bool:
        """Changes only the cells that differ; True when the row's place in the sort may have moved."""
        old = self.rows[e.execution_id]
        self.rows[e.execution_id] = e
        new = cells(e, now, self)
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

    def _belongs(self, e: Execution) -> bool:
        """Whether a row that is not loaded yet belongs in the loaded window (newer than its oldest row)."""
        if not self.flt.matches(e):
            return False
        return not self.has_more or not self.rows or e.execution_id > min(self.rows)

    def apply(self, rows: Sequence[Execution], *, force: Sequence[int] = ()) -> None:
        """Live rows: in place when loaded, inserted when new and in the window; the cursor stays put."""
        if not self.loaded:
            return
        keep = cursor_key(self.table)
        now = self.now()
        moved = False
        for e in rows:
            if e.execution_id in self.rows:
                moved = self._update(e, now) or moved
            elif e.execution_id in force or self._belongs(e):
                self._add(e, now)
                moved = True
        if moved:
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
        flt = self.flt
        queries = self.console.queries
        unfinished = [i for i, e in self.rows.items() if e.status not in TERMINAL]

        def work() -> list[Execution]:
            page = queries.executions(flt)
            seen = {e.execution_id for e in page.rows}
            return page.rows + queries.executions_by_id([i for i in unfinished if i not in seen])

        self._poll_worker = self.call_db(
            work, lambda rows: self.apply(rows) if flt == self.flt else None, group="poll"
        )

    def tick(self) -> None:
        now = self.now()
        for e in [e for e in self.rows.values() if e.status == "RUNNING"]:
            self._update(e, now)

    def load_more(self) -> None:
        if not self.has_more or self.loading_more or not self.rows:
            return
        self.loading_more = True
        self.update_info()
        flt, before = self.flt, min(self.rows)

        def done(page: ExecutionPage) -> None:
            self.loading_more = False
            if flt != self.flt:
                return
            keep = cursor_key(self.table)
            now = self.now()
            for e in page.rows:
                if e.execution_id not in self.rows:
                    self._add(e, now)
            self.has_more = page.has_more
            if (self.sort_column, self.sort_reverse) != ("id", True):
                self._resort(keep)
            self.update_info()

        def failed(exc: BaseException) -> None:
            self.loading_more = False
            self.update_info()

        self.call_db(
            lambda: self.console.queries.executions(flt, before_id=before), done, failed=failed, group="more"
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "executions" and event.cursor_row >= self.table.row_count - PAGE_AHEAD:
            self.load_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "executions":
            self.action_open()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, column in NEWEST_FIRST
        self._resort(cursor_key(self.table))
        self.update_info()

    # The info line -------------------------------------------------------------------------------------

    def update_info(self) -> None:
        line = Text(" ")
        if self.load_problem and not self.loaded:  # kept while retrying: no flicker between the two
            line.append(self.load_problem, style="red")
        elif self.loading and not self.loaded:
            line.append("loading…")
        elif not self.rows:
            if describe_filter(self.flt):
                line.append("no executions match the filter — x clears it")
            else:
                line.append(
                    "no executions yet — t triggers a job" if self.console.can_act else "no executions yet"
                )
        else:
            line.append(f"{len(self.rows)} loaded")
            if self.loading_more:
                line.append(" · loading more…")
            elif self.has_more:
                line.append(" · more below ↓")
        arrow = "↓" if self.sort_reverse else "↑"
        line.append(f"  │ sort {LABELS[self.sort_column]} {arrow}")
        described = describe_filter(self.flt)
        if described:
            line.append("  │ filter: ")
            line.append(described, style="bold")
            line.append(" (x clears)", style="dim")
        self.query_one("#info", Static).update(line)

    # Navigation, search, filter, sort ------------------------------------------------------------------

    def selected(self) -> Execution | None:
        key = cursor_key(self.table)
        return self.rows.get(int(key)) if key is not None else None

    def action_open(self) -> None:
        from c1console.screens.detail import DetailScreen

        chosen = self.selected()
        if chosen is not None:
            self.app.push_screen(DetailScreen(chosen.execution_id))

    def set_filter(self, flt: ExecutionFilter) -> None:
        if flt != self.flt:
            self.flt = flt
            self.loaded = False
            self.reload()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.value = self.flt.text or ""
        search.display = True
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            event.stop()
            self._close_search()
            self.set_filter(replace(self.flt, text=event.value.strip() or None))

    def _close_search(self) -> None:
        self.query_one("#search", Input).display = False
        self.table.focus()

    def action_back(self) -> None:
        if self.query_one("#search", Input).display:
            self._close_search()
        elif self.flt != ExecutionFilter():
            self.action_clear_filters()

    def action_clear_filters(self) -> None:
        self.set_filter(ExecutionFilter())

    def action_filter(self) -> None:
        def chosen(flt: ExecutionFilter | None) -> None:
            if flt is not None:
                self.set_filter(flt)

        self.app.push_screen(dialogs.FilterDialog(self.flt), chosen)

    def action_sort(self) -> None:
        keys = [key for key, _label in COLUMNS]
        column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self.sort_column, self.sort_reverse = column, column in NEWEST_FIRST
        self._resort(cursor_key(self.table))
        self.update_info()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort(cursor_key(self.table))
        self.update_info()

    # Actions -------------------------------------------------------------------------------------------

    def focus_execution(self, execution_id: int) -> None:
        """Puts the cursor on an execution, fetching it when it is not loaded (a new one, say)."""
        if move_cursor_to(self.table, str(execution_id)):
            return
        self.want_cursor = execution_id
        self.call_db(
            lambda: self.console.queries.executions_by_id([execution_id]),
            lambda rows: self.apply(rows, force=[execution_id]),
        )

    def _after(self, done: dialogs.Done | None) -> None:
        if done is not None and done.execution_id is not None:
            self.focus_execution(done.execution_id)

    def _with_selected(self, action: str, make: Callable[[Execution], dialogs.ActionDialog]) -> None:
        if not self.allowed(action):
            return
        chosen = self.selected()
        if chosen is None:
            self.notify("select an execution first", severity="warning")
            return
        self.app.push_screen(make(chosen), self._after)

    def action_trigger(self) -> None:
        if self.allowed("trigger"):
            chosen = self.selected()
            job = chosen.job_id if chosen is not None else None
            self.app.push_screen(dialogs.TriggerDialog(job), self._after)

    def action_stop(self) -> None:
        self._with_selected("stop", dialogs.StopDialog)

    def action_resume(self) -> None:
        self._with_selected("resume", dialogs.ResumeDialog)

    def action_replay(self) -> None:
        self._with_selected("replay", dialogs.ReplayDialog)

    def action_rollback(self) -> None:
        chosen = self.selected()
        if (
            chosen is not None
            and self.console.can_act
            and (problem := dialogs.RollbackDialog.refusal(chosen))
        ):
            self.notify(problem, severity="error", title="refused")
            return
        self._with_selected("rollback", dialogs.RollbackDialog)
