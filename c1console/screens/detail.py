"""Drill-down of one execution: what failed, where it stands, what to do about it; tabs that fit 80×24.

Summary (first the failure's story as a work item — open, resolved by #N, handed on, acknowledged, rolled
back — then the error code with its cause and action guide, then every mandatory field), Units (failed first,
each with what fixed it since; enter or t shows a traceback, h the unit's result history), Events, Logs
(screens/detail_logs.py: follow, wrap, search), Related (the replay/resume chain, each enter away) and Audit
(its own rows and those of the executions that replayed or resumed it).

Kept light while the execution runs (issue 16: a running execution open on its Logs tab once held the
console at 100% CPU for a minute):
- Only the visible tab is drawn: a tab is brought up to date when it is shown; the labels with their
  counts are always current. A read that changed nothing draws nothing.
- Tables take only what changed (detail_rows.sync); the log view appends new lines (detail_logs).
- Reads do not pile up: one at a time, and while changes keep coming, at most one every LIVE_INTERVAL.
- The tab bar alone decides which tab is shown. ``[``/``]`` set it; the tab's widget is focused when the
  tab is activated, and only if that tab is still the active one; focus never switches tabs
  (``DetailTabs``). Before, a quick ``]`` ``[`` let stale activations and focus moves switch the tabs back
  and forth, each refilling a table, for as long as a minute.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from c1console.screens.base import ConsoleScreen
from c1console.screens.cells import dates, run_type, status_text, when
from c1console.screens.detail_logs import LogView, status_line
from c1console.screens.detail_rows import TABLE_COLUMNS, Rows, sync, tab_labels, tab_rows, unit_key
from c1console.screens.detail_summary import summary
from c1console.screens.dialogs import Done
from c1console.screens.execution_actions import ExecutionActions
from c1console.screens.header import HeaderBar
from c1console.screens.keys import Key, KeyBar, bindings
from c1console.screens.search import SearchBox
from c1console.screens.tables import ConsoleTable, cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution, ExecutionDetail, Unit

__all__ = ["TABS", "DetailScreen", "TracebackScreen", "unit_key"]

TABS = ("summary", "units", "events", "logs", "related", "audit")
LIVE_INTERVAL = 0.5  # seconds: while changes keep coming, the most often the execution is read again


class DetailTabs(TabbedContent):
    """The drill-down's tabs: a widget taking the focus never switches the tab (Textual's TabbedContent
    shows the pane of a widget that takes the focus; a late focus of the previous tab's table would show
    that tab again, behind the operator's back)."""

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        if event.tab_pane.id != self.active:
            event.prevent_default()  # TabbedContent's own handler would make it the active tab
            event.stop()


class DetailScreen(ConsoleScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key(
            "escape", "back", "back", "Back to the previous screen (Logs: first ends a search)", display="esc"
        ),
        Key("left_square_bracket", "tab(-1)", "tab", "Previous tab", display="["),
        Key("right_square_bracket", "tab(1)", "tab", "Next tab", display="]"),
        Key("enter", "open", "open", "Units: the traceback; Related: open that execution"),
        Key("t", "traceback", "traceback", "Show the traceback of the selected unit"),
        Key(
            "h",
            "history",
            "history",
            "Units: the selected unit's result and its history (which run or compensation wrote each)",
            footer=False,
        ),
        Key(
            "f,F",
            "log_follow",
            "follow",
            "Logs: follow the newest line as lines arrive (again, or moving or scrolling up, stops)",
            display="f/F",
            footer=False,
        ),
        Key("w", "log_wrap", "wrap", "Logs: wrap long messages (again: one line each)", footer=False),
        Key(
            "slash",
            "log_search",
            "search",
            "Logs: search the log (every line that holds the text is marked)",
            display="/",
            footer=False,
        ),
        Key(
            "n",
            "log_match(1)",
            "next match",
            "Logs, while searching: the next match (otherwise: the next open failure)",
            footer=False,
        ),
        Key("N", "log_match(-1)", "prev match", "Logs, while searching: the previous match", footer=False),
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
        self.shown_rows: dict[str, Rows] = {}  # what each table shows
        self.stale: set[str] = set()  # tabs drawn from an older read than ``detail`` (or not drawn yet)
        self.reads = 0  # reads of the execution completed (the tests and the benchmark count them)
        self.activations = 0  # tabs drawn and focused on activation (each tab key makes one)
        self._labels: dict[str, str] = {}
        self._info: Text | None = None
        self._log_status: Text | None = None
        self._again = False  # a change arrived during a read: read once more after it
        self._read_began = -LIVE_INTERVAL
        self._load_timer: Timer | None = None
        self._search_origin = 0  # the log line the cursor was on when the search began

    def compose(self) -> ComposeResult:
        yield HeaderBar(f"Execution #{self.execution_id}")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        with DetailTabs(id="tabs"):
            with TabPane("Summary", id="summary"), VerticalScroll(id="summary-scroll"):
                yield Static(id="summary-text")
            for name in TABS[1:]:
                if name != "logs":
                    yield TabPane(name.capitalize(), id=name)  # its table comes when it is first shown
                    continue
                with TabPane("Logs", id="logs"):
                    yield Static(id="logs-status", classes="info-line")
                    yield LogView(id="log-view")
                    yield SearchBox(
                        "search the log: any text, any case",
                        apply=self._log_searched,
                        focus_after=self._log_view,
                    )
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#summary-scroll").focus()
        self.load()

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(DetailTabs)

    @property
    def log_view(self) -> LogView:
        return self.query_one(LogView)

    def _log_view(self) -> Widget:
        return self.log_view

    @property
    def log_search(self) -> SearchBox:
        return self.query_one(SearchBox)

    # Loading -------------------------------------------------------------------------------------------

    def load(self) -> None:
        """Reads the execution again: one read at a time, each at least LIVE_INTERVAL after the one before;
        the changes that arrive meanwhile make one read (a running execution: at most two reads a second).
        """
        if self.polling() or self._load_timer is not None:
            self._again = True
            return
        wait = LIVE_INTERVAL - (monotonic() - self._read_began)
        if wait > 0:
            self._again = True
            self._load_timer = self.set_timer(wait, self._timed_load)
            return
        self._again = False
        self._read_began = monotonic()
        execution_id, queries = self.execution_id, self.services.queries
        self._poll_worker = self.call_db(
            lambda: queries.detail(execution_id), self._loaded, failed=self._failed, group="detail"
        )

    def _loaded(self, detail: ExecutionDetail | None) -> None:
        self.reads += 1
        self.show(detail)
        self._read_again()

    def _failed(self, exc: BaseException) -> None:
        if self.detail is None:
            self.query_one("#info", Static).update(Text(" " + problem_text(exc), style="red"))
        self._read_again()

    def _read_again(self) -> None:
        if self._again and self._load_timer is None:
            wait = max(0.0, LIVE_INTERVAL - (monotonic() - self._read_began))
            self._load_timer = self.set_timer(wait, self._timed_load)

    def _timed_load(self) -> None:
        self._load_timer = None
        self.load()

    def poll(self) -> None:
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
            self.stale.add("summary")  # its durations move on
            if self.tabs.active == "summary":
                self.bring_up_to_date("summary")

    # Rendering -----------------------------------------------------------------------------------------

    def show(self, detail: ExecutionDetail | None) -> None:
        if detail is None:
            self.query_one("#info", Static).update(
                Text(f" execution {self.execution_id} does not exist", style="red")
            )
            return
        if detail == self.detail:
            return  # nothing changed: nothing to draw
        self.detail = detail
        line = self.info_line(detail)
        if line != self._info:
            self._info = line
            self.query_one("#info", Static).update(line)
        tabs = self.tabs
        for name, label in tab_labels(detail).items():
            if self._labels.get(name) != label:
                self._labels[name] = label
                tabs.get_tab(name).label = label
        self.stale.update(TABS)
        self.bring_up_to_date(tabs.active)
        if self.want_related is not None and move_cursor_to(self.table("related"), str(self.want_related)):
            self.want_related = None
            tabs.active = "related"

    def info_line(self, detail: ExecutionDetail) -> Text:
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
        return line

    def bring_up_to_date(self, name: str) -> None:
        """Draws a tab from the latest read, if it was drawn from an older one."""
        if self.detail is None or name not in self.stale:
            return
        self.stale.discard(name)
        if name == "summary":
            self.query_one("#summary-text", Static).update(
                summary(self.detail, self.services, self.host.can_act)
            )
        elif name == "logs":
            self.log_view.show_lines(self.detail.logs, self.tz)
        elif name in TABLE_COLUMNS:
            self.table(name)

    def table(self, name: str) -> DataTable[Any]:
        """A tab's table, built on first use and brought up to date with the latest read."""
        table = self.tables.get(name)
        if table is None:
            table = ConsoleTable(id=f"t-{name}")
            for column in TABLE_COLUMNS[name]:
                table.add_column(column, key=column.lower())
            self.query_one(f"#{name}", TabPane).mount(table)
            self.tables[name] = table
            self.stale.add(name)
        if self.detail is not None and (name in self.stale or name not in self.shown_rows):
            self.stale.discard(name)
            rows = tab_rows(name, self.detail, self.tz)
            sync(table, self.shown_rows.get(name), rows)
            self.shown_rows[name] = rows
        return table

    def tab_widget(self, name: str) -> Widget:
        """What has the focus on a tab."""
        if name == "summary":
            return self.query_one("#summary-scroll")
        if name == "logs":
            return self.log_view
        return self.table(name)

    def on_log_view_changed(self, _event: LogView.Changed) -> None:
        self.log_status()

    def log_status(self) -> None:
        line = status_line(self.log_view)
        if line != self._log_status:
            self._log_status = line
            self.query_one("#logs-status", Static).update(line)

    # Tabs ----------------------------------------------------------------------------------------------

    def action_tab(self, step: int) -> None:
        """The tab bar moves; the tab is drawn and focused when it is activated (below)."""
        tabs = self.tabs
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + step) % len(TABS)]

    def show_tab(self, name: str) -> None:
        if self.tabs.active != name:
            self.tabs.active = name

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        name = event.pane.id or ""
        if name != self.tabs.active:
            return  # the operator has moved on since: that tab is not shown
        self.activations += 1
        self.bring_up_to_date(name)
        if name == "logs":
            self.log_status()
        widget = self.tab_widget(name)
        focused = self.focused
        if focused is None or event.pane not in focused.ancestors_with_self:  # the search box keeps it
            self.set_focus(widget)
            if self.focused is not widget:
                widget.focus()

    # Keys ----------------------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        self.log_search.take(event, self.action_log_search)

    def action_back(self) -> None:
        if self.tabs.active == "logs" and self.log_view.query_text is not None:
            self.log_view.search(None)  # esc ends the log search first
            return
        self.dismiss()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        table_id = event.data_table.id
        if table_id == "t-units":
            self.action_traceback()
        elif table_id == "t-related" and event.row_key.value is not None:
            self.app.push_screen(DetailScreen(int(event.row_key.value)))

    def action_open(self) -> None:
        if self.tabs.active == "related":
            key = cursor_key(self.table("related"))
            if key is not None:
                self.app.push_screen(DetailScreen(int(key)))
        else:
            self.action_traceback()

    def selected_unit(self) -> Unit | None:
        """The unit under the Units tab's cursor (the tab shown first when another is)."""
        if self.detail is None:
            return None
        self.show_tab("units")
        key = cursor_key(self.table("units"))
        return next((u for u in self.detail.units if unit_key(u) == key), None)

    def action_traceback(self) -> None:
        if self.detail is None:
            return
        unit = self.selected_unit()
        if unit is None:
            self.notify("this execution has no units yet", severity="warning")
            return
        self.app.push_screen(TracebackScreen(self.execution_id, unit, self.tz))

    def action_history(self) -> None:
        """h on the Units tab: the selected unit's result key, every version of it (which execution or
        compensation wrote each, which one is active). On another tab: the Units tab, to choose one."""
        if self.detail is None:
            return
        on_units = self.tabs.active == "units"
        unit = self.selected_unit()
        if unit is None:
            self.notify("this execution has no units yet", severity="warning")
        elif not on_units:
            self.notify("h: the result history of the unit under the cursor — choose one, then h", timeout=4)
        else:
            self.host.show_result_history(self.detail.execution.job_id, unit.business_date, unit.target_key)

    # The Logs tab --------------------------------------------------------------------------------------

    def action_log_follow(self) -> None:
        """f/F: follow on or off; from another tab, the Logs tab, following."""
        view = self.log_view
        on = self.tabs.active != "logs" or not view.follow
        self.show_tab("logs")
        view.set_follow(on)

    def action_log_wrap(self) -> None:
        self.show_tab("logs")
        self.log_view.set_wrap(not self.log_view.wrap)

    def action_log_search(self) -> None:
        self.show_tab("logs")
        self._search_origin = self.log_view.cursor
        self.log_search.open(self.log_view.query_text)

    def _log_searched(self, text: str | None) -> None:
        self.log_view.search(text, origin=self._search_origin)

    def action_log_match(self, step: int) -> None:
        """n/N: the next/previous match while a log search is on the Logs tab; anywhere else the keys are
        the app's (n: the next open failure)."""
        view = self.log_view
        if self.tabs.active != "logs" or view.query_text is None:
            raise SkipAction()
        if not view.next_match(step):
            self.notify(f"no log line holds {view.query_text!r}", severity="warning", timeout=4)

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
        # a modal screen does not get the app's keys: y/Y are bound here to the app's copy action
        Binding("y", "app.copy(False)", "copy key", show=False),
        Binding("Y", "app.copy(True)", "copy traceback", show=False),
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
            keys = "esc closes · ↑↓ PgUp PgDn scroll · y copy key · Y copy traceback"
            yield Static(Text(keys, style="dim"))

    def on_mount(self) -> None:
        self.query_one("#dialog").focus()

    def to_copy(self, detail: bool) -> tuple[str, str]:
        """y: the unit's key (``DATE TARGET``); Y: its message and traceback, as shown."""
        u = self.unit
        if not detail:
            return (f"{u.business_date} {u.target_key}", "unit key")
        body = "\n\n".join(part for part in (u.message, u.traceback) if part)
        return (body, "traceback")

    def action_close(self) -> None:
        self.dismiss()
