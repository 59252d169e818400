"""Drill-down of one execution: what failed, where it stands, what to do about it; tabs that fit 80×24.

Summary (first the failure's story as a work item — open, resolved by #N, handed on, acknowledged, rolled
back — then the error code with its cause and action guide, then every mandatory field), Units (failed first,
each with what fixed it since; enter or t shows a traceback), Events, Logs, Related (the replay/resume
chain, each enter away) and Audit (its own rows and those of the executions that replayed or resumed it).

Only the visible tab is built: a tab's table is mounted and filled when it is first shown (and refilled,
when the execution changed, the next time it is shown); the tab labels with their counts are always
current.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from c1console.screens.base import ConsoleScreen
from c1console.screens.cells import LEVEL_STYLE, dates, one_line, run_type, status_text, when
from c1console.screens.detail_summary import summary, unit_fix
from c1console.screens.dialogs import Done
from c1console.screens.execution_actions import ExecutionActions
from c1console.screens.header import HeaderBar
from c1console.screens.keys import Key, KeyBar, bindings
from c1console.screens.tables import ConsoleTable, cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution, ExecutionDetail, Unit

TABS = ("summary", "units", "events", "logs", "related", "audit")
Rows = list[tuple[str, tuple[Any, ...]]]  # (row key, cells) of a tab's table
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("DATE", "TARGET", "STATUS", "FIXED", "CODE", "TRIES", "MESSAGE"),
    "events": ("AT", "CHANGE", "ACTOR", "CODE", "MESSAGE"),
    "logs": ("AT", "LEVEL", "UNIT", "MESSAGE"),
    "related": ("RELATION", "ID", "JOB", "TYPE", "STATUS", "DATES", "BY"),
    "audit": ("ID", "AT", "ACTOR", "ACTION", "EXECUTION", "REASON"),
}


def unit_key(u: Unit) -> str:
    return f"{u.business_date.isoformat()}|{u.target_key}"


def relation(e: Execution, of: Execution) -> str:
    if e.execution_id == of.replay_of:
        return "replay of"
    if e.execution_id == of.resumed_from:
        return "resumed from"
    if e.replay_of == of.execution_id:
        return "replayed by"
    if e.resumed_from == of.execution_id:
        return "resumed by"
    return "related"


def table_rows(d: ExecutionDetail, tz: tzinfo | None) -> dict[str, tuple[Rows, str]]:
    """Every table tab's rows and its label (with counts): cheap, so always computed."""
    e = d.execution
    failed = sum(1 for u in d.units if u.status == "FAILED")
    fixes = {u.key: u for u in d.failed_units}
    units: Rows = [
        (
            unit_key(u),
            (
                u.business_date.isoformat(),
                u.target_key,
                status_text(u.status),
                unit_fix(fixes.get((u.business_date, u.target_key))),
                Text(u.error_code or "", style="red"),
                str(u.attempts),
                one_line(u.message, 120),
            ),
        )
        for u in d.units
    ]
    events: Rows = [
        (
            str(v.event_id),
            (
                when(v.at, tz),
                f"{v.from_status or '∅'} → {v.to_status}",
                v.actor,
                Text(v.error_code or "", style="red"),
                one_line(v.message, 120),
            ),
        )
        for v in d.events
    ]
    logs: Rows = [
        (
            str(g.log_id),
            (
                when(g.at, tz),
                Text(g.level, style=LEVEL_STYLE.get(g.level, "")),
                f"{g.business_date or ''} {g.target_key or ''}".strip(),
                one_line(g.message, 160),
            ),
        )
        for g in d.logs
    ]
    related: Rows = [
        (
            str(r.execution_id),
            (
                relation(r, e),
                f"#{r.execution_id}",
                r.job_id,
                run_type(r),
                status_text(r.status),
                dates(r),
                r.requested_by,
            ),
        )
        for r in d.related
    ]
    audit: Rows = [
        (
            str(a.audit_id),
            (
                str(a.audit_id),
                when(a.at, tz),
                a.actor,
                a.action,
                Text(f"#{a.execution_id}", style="" if a.execution_id == e.execution_id else "bold")
                if a.execution_id is not None
                else "",
                one_line(a.reason, 100),
            ),
        )
        for a in d.audit
    ]
    return {
        "units": (units, f"Units {len(d.units)}" + (f" ✖{failed}" if failed else "")),
        "events": (events, f"Events {len(d.events)}"),
        "logs": (logs, f"Logs {len(d.logs)}"),
        "related": (related, f"Related {len(d.related)}"),
        "audit": (audit, f"Audit {len(d.audit)}"),  # with the rows of its replays and resumes
    }


def fill(table: DataTable[Any], rows: Rows) -> None:
    """Refills a table, keeping the cursor on the same row key."""
    keep = cursor_key(table)
    table.clear()
    for key, cells in rows:
        table.add_row(*cells, key=key)
    if keep is not None:
        move_cursor_to(table, keep, scroll=False)


class DetailScreen(ConsoleScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("escape", "back", "back", "Back to the previous screen", display="esc"),
        Key("left_square_bracket", "tab(-1)", "tab", "Previous tab", display="["),
        Key("right_square_bracket", "tab(1)", "tab", "Next tab", display="]"),
        Key("enter", "open", "open", "Units: the traceback; Related: open that execution"),
        Key("t", "traceback", "traceback", "Show the traceback of the selected unit"),
        Key("s", "stop", "stop", "Stop this execution (reason required)", act=True),
        Key("R", "resume", "resume", "Resume this execution: run the units that did not succeed", act=True),
        Key("r", "replay", "replay", "Replay: failed units, all units, RANGE, SINGLE or FULL", act=True),
        Key(
            "a",
            "acknowledge",
            "ack",
            "Acknowledge this open failure: no fix needed (reason required)",
            act=True,
        ),
        Key(
            "b", "rollback", "rollback", "Roll back this finished execution's results", act=True, footer=False
        ),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    def __init__(self, execution_id: int) -> None:
        super().__init__()
        self.execution_id = execution_id
        self.execution_actions = ExecutionActions(self, missing="still loading", after=self._after)
        self.detail: ExecutionDetail | None = None
        self.want_related: int | None = None
        self.tables: dict[str, DataTable[Any]] = {}  # the tabs' tables built so far
        self.pending: dict[str, Rows] = {}  # rows a tab's table has not been given yet

    def compose(self) -> ComposeResult:
        yield HeaderBar(f"Execution #{self.execution_id}")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        with TabbedContent(id="tabs"):
            with TabPane("Summary", id="summary"), VerticalScroll(id="summary-scroll"):
                yield Static(id="summary-text")
            for name in TABS[1:]:
                yield TabPane(name.capitalize(), id=name)  # its table comes when it is first shown
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#summary-scroll").focus()
        self.load()

    # Loading -------------------------------------------------------------------------------------------

    def load(self) -> None:
        execution_id = self.execution_id
        self._poll_worker = self.call_db(
            lambda: self.services.queries.detail(execution_id),
            self.show,
            failed=self._failed,
            group="detail",
            exclusive=True,
        )

    def _failed(self, exc: BaseException) -> None:
        if self.detail is None:
            self.query_one("#info", Static).update(Text(" " + problem_text(exc), style="red"))

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        related = {e.execution_id for e in self.detail.related} if self.detail else set()
        mine = self.execution_id
        if any(
            r.execution_id == mine
            or r.replay_of == mine
            or r.resumed_from == mine
            or r.execution_id in related
            for r in rows
        ):
            self.load()

    def tick(self) -> None:
        if self.detail is not None and self.detail.execution.status == "RUNNING":
            self.show_summary(self.detail)

    # Rendering -----------------------------------------------------------------------------------------

    def show(self, detail: ExecutionDetail | None) -> None:
        info = self.query_one("#info", Static)
        if detail is None:
            info.update(Text(f" execution {self.execution_id} does not exist", style="red"))
            return
        self.detail = detail
        e = detail.execution
        line = Text.assemble(
            " ",
            (f"#{e.execution_id}", "bold"),
            " ",
            (e.job_id, "bold"),
            " · ",
            run_type(e),
            " · ",
            status_text(e.status),
            " · ",
            dates(e),
        )
        if e.error_code:
            line.append(" · ")
            line.append(e.error_code, style="bold red")
            if detail.error is not None:
                line.append(" " + detail.error.title.get(self.services.lang))
        info.update(line)
        self.show_summary(detail)
        for name, (rows, label) in table_rows(detail, self.tz).items():
            self.pending[name] = rows
            self.query_one(TabbedContent).get_tab(name).label = label
        active = self.query_one(TabbedContent).active
        if active in self.tables:
            self.table(active)  # the visible table is refilled now; the others when shown
        if self.want_related is not None and move_cursor_to(self.table("related"), str(self.want_related)):
            self.want_related = None
            self.query_one(TabbedContent).active = "related"
            self.table("related").focus()

    def show_summary(self, detail: ExecutionDetail) -> None:
        self.query_one("#summary-text", Static).update(summary(detail, self.services, self.host.can_act))

    def table(self, name: str) -> DataTable[Any]:
        """A tab's table, built on first use and given the rows it has not seen yet."""
        table = self.tables.get(name)
        if table is None:
            table = ConsoleTable(id=f"t-{name}")
            for column in TABLE_COLUMNS[name]:
                table.add_column(column, key=column.lower())
            self.query_one(f"#{name}", TabPane).mount(table)
            self.tables[name] = table
        rows = self.pending.pop(name, None)
        if rows is not None:
            fill(table, rows)
        return table

    # Keys ----------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        name = TABS[(current + step) % len(TABS)]
        tabs.active = name
        (self.query_one("#summary-scroll") if name == "summary" else self.table(name)).focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        name = event.pane.id or ""
        if name in TABLE_COLUMNS:
            self.table(name).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        table_id = event.data_table.id
        if table_id == "t-units":
            self.action_traceback()
        elif table_id == "t-related" and event.row_key.value is not None:
            self.app.push_screen(DetailScreen(int(event.row_key.value)))

    def action_open(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "related":
            key = cursor_key(self.table("related"))
            if key is not None:
                self.app.push_screen(DetailScreen(int(key)))
        else:
            self.action_traceback()

    def action_traceback(self) -> None:
        if self.detail is None:
            return
        tabs = self.query_one(TabbedContent)
        if tabs.active != "units":
            tabs.active = "units"
            self.table("units").focus()
        key = cursor_key(self.table("units"))
        unit = next((u for u in self.detail.units if unit_key(u) == key), None)
        if unit is None:
            self.notify("this execution has no units yet", severity="warning")
            return
        self.app.push_screen(TracebackScreen(self.execution_id, unit, self.tz))

    # Actions on this execution -------------------------------------------------------------------------

    def _after(self, done: Done | None) -> None:
        if done is None or done.execution_id is None:
            return
        if done.execution_id != self.execution_id:
            self.want_related = done.execution_id
        self.host.focus_execution(done.execution_id)
        self.load()

    def shown(self) -> Execution | None:
        return self.detail.execution if self.detail is not None else None

    def action_stop(self) -> None:
        self.execution_actions.open("stop", self.shown())

    def action_resume(self) -> None:
        self.execution_actions.open("resume", self.shown())

    def action_replay(self) -> None:
        self.execution_actions.open("replay", self.shown())

    def action_rollback(self) -> None:
        self.execution_actions.open("rollback", self.shown())

    def action_acknowledge(self) -> None:
        self.execution_actions.open("acknowledge", self.shown())


class TracebackScreen(ModalScreen[None]):
    """One unit in full: its code, message, attempts, timings and traceback (scrollable)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter,t", "close", "close", show=False),
    ]

    def __init__(self, execution_id: int, unit: Unit, tz: tzinfo | None) -> None:
        super().__init__()
        self.execution_id = execution_id
        self.unit = unit
        self.tz = tz

    def compose(self) -> ComposeResult:
        u = self.unit
        head = Text.assemble(
            (f"#{self.execution_id} ", "bold"),
            (f"{u.business_date} {u.target_key}", "bold"),
            "  ",
            status_text(u.status),
            "  ",
            (u.error_code or "", "bold red"),
            f"  attempts {u.attempts}  {when(u.started_at, self.tz)} → {when(u.ended_at, self.tz)}",
        )
        body = Text()
        if u.message:
            body.append(u.message + "\n\n", style="bold")
        body.append(
            u.traceback or "(no traceback recorded for this unit)", style="" if u.traceback else "dim"
        )
        with VerticalScroll(id="dialog", classes="dialog traceback"):
            yield Static(head, id="dialog-title")
            yield Static(body, id="traceback-text")
            yield Static(Text("esc closes · ↑↓ PgUp PgDn scroll", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#dialog").focus()

    def action_close(self) -> None:
        self.dismiss()
