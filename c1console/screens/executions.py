"""Home: every execution, live, newest first, paged in SQL, filtered and sorted; the actions start here.

The table and its window on the history are ``HistoryWindow``'s (screens/history_window.py); this screen
adds the keys, the search box, the filter, the sort, the info line and the actions. Failures are work
items: ``u`` shows the open ones only, ``n``/``N`` move to the next/previous open one, ``space`` marks rows
for one bulk replay (``r``), ``a`` acknowledges an open failure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from c1console import inputs
from c1console.queries import Execution, ExecutionFilter, OpenFailure
from c1console.screens import dialogs
from c1console.screens.clipboard import Copy, execution_line
from c1console.screens.detail import DetailScreen
from c1console.screens.execution_actions import ExecutionActions
from c1console.screens.header import HeaderBar
from c1console.screens.history_rows import MARK
from c1console.screens.history_window import COLUMNS, LABELS, NEWEST_FIRST, HistoryTable, HistoryWindow
from c1console.screens.keys import Key, KeyBar, bindings
from c1console.screens.search import SearchBox
from c1console.screens.tables import move_cursor_to


def describe_filter(flt: ExecutionFilter) -> str:
    parts = ["open failures only"] if flt.open_only else []
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


def parse_search(value: str) -> str | None:
    """The search as typed; ``#89`` (an id as the console writes it) searches for the id 89. The '#' goes
    here, before the read side: the SQL and ``ExecutionFilter.matches`` compare the id as digits."""
    text = inputs.parse_text(value, "search")
    if text is not None and text.startswith("#") and text[1:].strip().isdigit():
        return text[1:].strip()
    return text


class ExecutionsScreen(HistoryWindow):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "open", "Open the selected execution (drill-down)", bind=False),
        Key("slash", "search", "search", "Search job, error code, operator, reason or id", display="/"),
        Key("f", "filter", "filter", "Filter by status, job, run type and business dates"),
        Key("u", "open_only", "open only", "Open failures only (unresolved), and back to every execution"),
        Key("n", "next_open", "next open", "Next open failure down the list (a new one first, if announced)"),
        Key("N", "previous_open", "prev open", "Previous open failure up the list", footer=False),
        Key("space", "mark", "mark", "Mark or unmark the row (then r replays every marked one)"),
        Key("x", "clear_filters", "clear", "Clear the search and the filters"),
        Key("o", "sort", "sort", "Sort by the next column (loaded rows; o again moves on)", footer=False),
        Key("O", "reverse_sort", "reverse", "Reverse the sort order", footer=False),
        Key(
            "home",
            "newest",
            "newest",
            "First row; the newest page, read again if it was paged out",
            display="home/g",
            footer=False,
            bind=False,
        ),
        Key(
            "end",
            "oldest",
            "oldest",
            "Last row; the oldest page, read at once (not page by page)",
            display="end/G",
            footer=False,
            bind=False,
        ),
        Key("t", "trigger", "trigger", "Trigger a job: a MANUAL execution", act=True),
        Key("s", "stop", "stop", "Stop the selected READY or RUNNING execution", act=True),
        Key("R", "resume", "resume", "Resume the selected STOPPED or FAILED execution", act=True),
        Key(
            "r",
            "replay",
            "replay",
            "Replay: failed units, all, RANGE, SINGLE or FULL; with marks: every marked one at once",
            act=True,
        ),
        Key("a", "acknowledge", "ack", "Acknowledge the selected open failure, with a reason", act=True),
        Key("b", "rollback", "rollback", "Roll back the selected finished execution's results", act=True),
        Key(
            "escape",
            "back",
            "back",
            "Close the search box, else clear the marks, else clear the filters",
            display="esc",
            footer=False,
        ),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    def __init__(self) -> None:
        super().__init__()
        self._search_from: Execution | None = None  # the selection when the search box opened
        self.announced: int | None = None  # a new failure the app announced: n goes there first
        self.execution_actions = ExecutionActions(
            self, missing="select an execution first", after=self._after
        )

    # Layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar("Executions")
        yield Static(id="info", classes="info-line")
        yield HistoryTable(id="executions", newest=self.action_newest, oldest=self.action_oldest)
        yield SearchBox(
            "search: job, error code, operator, reason or #id — enter keeps, esc restores",
            apply=self._searched,
            focus_after=lambda: self.table,
            parse=parse_search,
            restore=self._search_restored,
        )
        yield KeyBar()

    @property
    def search(self) -> SearchBox:
        return self.query_one(SearchBox)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        self.table.focus()
        self.fit_width(self.app.size.width)
        self.reload()

    # The info line -------------------------------------------------------------------------------------

    def update_info(self) -> None:
        line = Text(" ")
        if self.load_problem and not self.loaded:  # kept while retrying: no flicker between the two
            line.append(self.load_problem, style="red")
        elif self.loading and not self.loaded:
            line.append("loading…")
        elif not self.rows:
            if self.flt == ExecutionFilter(open_only=True):
                line.append("no open failures — u shows every execution")
            elif describe_filter(self.flt):
                line.append("no executions match the filter — x clears it")
            else:
                line.append(
                    "no executions yet — t triggers a job" if self.host.can_act else "no executions yet"
                )
        else:
            self._window_info(line)
        if self.marks:
            line.append("  │ ")
            line.append(f"{MARK} {len(self.marks)} marked", style="bold magenta")
            line.append(" — r replays them, esc clears")
        arrow = "↓" if self.sort_reverse else "↑"
        line.append(f"  │ sort {LABELS[self.sort_column]} {arrow}")
        described = describe_filter(self.flt)
        if described:
            line.append("  │ filter: ")
            line.append(described, style="bold")
            line.append(" (x clears)", style="dim")
        self.query_one("#info", Static).update(line)

    def _window_info(self, line: Text) -> None:
        line.append(f"{len(self.rows)} loaded")
        if self.has_newer:
            line.append(" · newer above ↑ (home)")
        if self.loading_more:
            line.append(" · loading more…")
        elif self.has_more:
            line.append(" · more below ↓ (end: oldest)")

    # Navigation, search, filter, sort ------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "executions":
            self.action_open()

    def action_open(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.app.push_screen(DetailScreen(chosen.execution_id))

    def to_copy(self, detail: bool) -> Copy | None:
        """y: the selected execution's id as commands take it (1045); Y: the execution as one line."""
        e = self.selected()
        if e is None:
            return None
        return (execution_line(e), "execution") if detail else (str(e.execution_id), "execution id")

    def on_key(self, event: events.Key) -> None:
        self.search.take(event, self.action_search)

    def action_search(self) -> None:
        self._search_from = self.selected()
        self.search.open(self.flt.text)

    def _searched(self, text: str | None) -> None:
        self.set_filter(replace(self.flt, text=text))

    def _search_restored(self, text: str | None) -> None:
        """esc in the box: the search before it opened, the cursor back on the execution it was on."""
        chosen = self._search_from

        def back() -> None:
            if chosen is not None:
                move_cursor_to(self.table, str(chosen.execution_id))

        self.set_filter(replace(self.flt, text=text), then=back)

    def action_back(self) -> None:
        if self.search.is_open:
            self.search.cancel()
        elif self.marks:
            self.clear_marks()
        elif self.flt != ExecutionFilter():
            self.action_clear_filters()

    def action_clear_filters(self) -> None:
        self.set_filter(ExecutionFilter())

    def action_filter(self) -> None:
        def chosen(flt: ExecutionFilter | None) -> None:
            if flt is None:
                return
            wanted = replace(flt, open_only=self.flt.open_only)  # the dialog has no field for it: u keeps it
            if wanted == self.flt:
                self.reload()  # applied unchanged: read now (a paused console too)
            else:
                self.set_filter(wanted)

        self.app.push_screen(dialogs.FilterDialog(self.flt), chosen)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.sort_by(column, reverse=not self.sort_reverse)
        else:
            self.sort_by(column, reverse=column in NEWEST_FIRST)

    def action_sort(self) -> None:
        keys = [key for key, _label in COLUMNS]
        column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        self.sort_by(column, reverse=column in NEWEST_FIRST)

    def action_reverse_sort(self) -> None:
        self.sort_by(self.sort_column, reverse=not self.sort_reverse)

    # Actions -------------------------------------------------------------------------------------------

    def _after(self, done: dialogs.Done | None) -> None:
        if done is not None and done.execution_id is not None:
            self.focus_execution(done.execution_id)

    def action_trigger(self) -> None:
        if self.allowed("trigger"):
            chosen = self.selected()
            job = chosen.job_id if chosen is not None else None
            self.app.push_screen(dialogs.TriggerDialog(job), self._after)

    def action_stop(self) -> None:
        self.execution_actions.open("stop", self.selected())

    def action_resume(self) -> None:
        self.execution_actions.open("resume", self.selected())

    def action_replay(self) -> None:
        if self.marks:
            self._replay_marked()
        else:
            self.execution_actions.open("replay", self.selected())

    def action_rollback(self) -> None:
        self.execution_actions.open("rollback", self.selected())

    def action_acknowledge(self) -> None:
        self.execution_actions.open("acknowledge", self.selected())

    # Failures as work items: the open filter, n/N, marks --------------------------------------------------

    def action_open_only(self) -> None:
        self.set_filter(replace(self.flt, open_only=not self.flt.open_only))

    def action_mark(self) -> None:
        """space: marks (or unmarks) the row, then moves down a row, so that space space space marks three."""
        chosen = self.selected()
        if chosen is None:
            return
        self.toggle_mark(chosen.execution_id)
        self.table.action_cursor_down()

    def _replay_marked(self) -> None:
        """r with marks: one dialog replaying every marked execution (newest first); those paged out or
        filtered away are read first. A confirmed bulk replay clears the marks."""
        ids = sorted(self.marks, reverse=True)
        loaded = {i: self.rows[i] for i in ids if i in self.rows}
        missing = [i for i in ids if i not in loaded]

        def opened(found: list[Execution]) -> None:
            by_id = {**{e.execution_id: e for e in found}, **loaded}
            executions = [by_id[i] for i in ids if i in by_id]
            self.execution_actions.open_many(executions, after=self._after_bulk)

        if not missing:
            opened([])
        elif self.allowed("replay"):
            queries = self.services.queries
            self.call_db(lambda: queries.executions_by_id(missing), opened)

    def _after_bulk(self, done: dialogs.Done | None) -> None:
        if done is not None:
            self.clear_marks()
        self._after(done)

    def announce(self, failure: OpenFailure) -> None:
        """A new open failure the app announced ("n jumps to it"): the next n goes there."""
        self.announced = failure.execution_id

    def action_next_open(self) -> None:
        self.step_open(down=True)

    def action_previous_open(self) -> None:
        self.step_open(down=False)

    def step_open(self, *, down: bool) -> None:
        """The cursor to the next open failure down (or up) the list; an announced new failure first. When
        none is loaded that way, the nearest one beyond the window (same filter) is read and brought in."""
        announced, self.announced = self.announced, None
        if announced is not None and announced in {f.execution_id for f in self.open_failures}:
            self.focus_execution(announced)
            return
        table = self.table
        keys = [str(row.key.value) for row in table.ordered_rows]
        here = table.cursor_row
        ahead = keys[here + 1 :] if down else keys[:here][::-1]
        for key in ahead:
            if self.rows[int(key)].is_open:
                move_cursor_to(table, key)
                return
        self._open_beyond(down=down)

    def _open_beyond(self, *, down: bool) -> None:
        older = down == ((self.sort_column, self.sort_reverse) != ("id", False))  # as paging reads it
        more = self.has_more if older else self.has_newer
        where = "below" if down else "above"
        if not self.rows or not more:
            self.notify(f"no open failure {where}", timeout=3)
            return
        flt, queries = replace(self.flt, open_only=True), self.services.queries
        if older:
            before = min(self.rows)
            read = lambda: queries.executions(flt, before_id=before, limit=1).rows  # noqa: E731
        else:
            after = max(self.rows)
            read = lambda: queries.executions(flt, after_id=after, limit=1).rows  # noqa: E731

        def found(rows: list[Execution]) -> None:
            if rows:
                self.focus_execution(rows[0].execution_id)
            else:
                self.notify(f"no open failure {where}", timeout=3)

        self.call_db(read, found)
