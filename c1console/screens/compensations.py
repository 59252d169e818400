"""Compensations (`7`): manual corrections of one result key, pending first, then the recent decisions.

The panel shows the selected one's reason, payload and evidence; `a` approves and `x` rejects (approvers
only, never their own request: ops refuses, and the dialog says why); `h` (or enter) shows every version
of the key's result (``results.history``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from c1console.screens import dialogs
from c1console.screens.base import ConsoleScreen
from c1console.screens.widgets import (
    ConsoleTable,
    HeaderBar,
    Key,
    KeyBar,
    bindings,
    cursor_key,
    move_cursor_to,
    one_line,
    problem_text,
    short_when,
    when,
)
from c1console.store.results import Compensation, Evidence, Version

COLUMNS = ("ID", "STATUS", "JOB", "DATE", "TARGET", "REQUESTED BY", "AT", "DECIDED BY", "REASON")
COMP_STATUS = {
    "PENDING": Text("◷ PENDING", style="bold cyan"),
    "APPROVED": Text("✔ APPROVED", style="green"),
    "REJECTED": Text("✖ REJECTED", style="magenta"),
}


def comp_status(status: str) -> Text:
    return COMP_STATUS.get(status, Text(status)).copy()


def size_text(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB"


class CompensationsScreen(ConsoleScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "history", "history", "History of the selected compensation's result key", bind=False),
        Key("h", "history", "history", "History of the selected compensation's result key", footer=False),
        Key("a", "approve", "approve", "Approve the selected PENDING compensation (approvers)", act=True),
        Key("x", "reject", "reject", "Reject the selected PENDING compensation (approvers; note)", act=True),
        Key("escape", "back", "back", "Back to the executions", display="esc", footer=False),
    )
    BINDINGS: ClassVar = bindings(KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, Compensation] = {}
        self.evidence: dict[int, list[Evidence]] = {}

    def compose(self) -> ComposeResult:
        yield HeaderBar("Compensations")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        yield ConsoleTable(id="compensations")
        yield Static(id="comp-detail", classes="detail-panel comp-panel")
        yield KeyBar()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#compensations", DataTable)

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.table.add_column(column, key=column.lower())
        self.table.focus()
        self.load()

    def load(self) -> None:
        queries = self.console.queries

        def work() -> list[Compensation]:
            pending = queries.compensations(statuses=("PENDING",))
            recent = [c for c in queries.compensations() if c.status != "PENDING"]
            return pending + recent

        self._poll_worker = self.call_db(work, self.show, failed=self._failed, group="comps", exclusive=True)

    def _failed(self, exc: BaseException) -> None:
        if not self.items:
            self.query_one("#info", Static).update(Text(" " + problem_text(exc), style="red"))

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.poll()  # requests and decisions are audited

    def show(self, rows: list[Compensation]) -> None:
        keep = cursor_key(self.table)
        self.items = {c.compensation_id: c for c in rows}
        today = self.today()
        self.table.clear()
        for c in rows:
            self.table.add_row(
                Text(str(c.compensation_id), justify="right"),
                comp_status(c.status),
                c.job_id,
                c.business_date.isoformat(),
                c.target_key,
                c.requested_by,
                short_when(c.requested_at, self.tz, today),
                c.decided_by or "",
                one_line(c.reason, 60),
                key=str(c.compensation_id),
            )
        if keep is not None:
            move_cursor_to(self.table, keep, scroll=False)
        pending = sum(1 for c in rows if c.status == "PENDING")
        self.query_one("#info", Static).update(
            Text(f" {pending} pending · {len(rows) - pending} decided (recent)")
            if rows
            else Text(" no compensations yet: c1console comp request asks for one")
        )
        self.show_selected()

    def selected(self) -> Compensation | None:
        key = cursor_key(self.table)
        return self.items.get(int(key)) if key is not None else None

    def show_selected(self) -> None:
        c = self.selected()
        panel = self.query_one("#comp-detail", Static)
        if c is None:
            panel.update("")
            return
        text = Text.assemble(
            (f"#{c.compensation_id} ", "bold"),
            comp_status(c.status),
            f" {c.job_id} {c.business_date} {c.target_key} · by {c.requested_by} "
            f"at {when(c.requested_at, self.tz)}",
        )
        text.append("\nreason: ", style="bold")
        text.append(one_line(c.reason, 200))
        text.append("\npayload: ", style="bold")
        text.append(one_line(json.dumps(c.payload, ensure_ascii=False), 200))
        if c.decided_by:
            text.append(
                f"\n{c.status.lower()} by {c.decided_by} at {when(c.decided_at, self.tz)}: ", style="bold"
            )
            text.append(one_line(c.decision_note, 200))
        text.append("\nevidence: ", style="bold")
        files = self.evidence.get(c.compensation_id)
        parts = [f"ref {c.evidence_ref}"] if c.evidence_ref else []
        if files is None:
            parts.append("loading…")
        else:
            parts += [f"{e.filename} ({size_text(e.size_bytes)}, sha256 {e.sha256[:12]}…)" for e in files]
        text.append("; ".join(parts) or "none")
        panel.update(text)
        if files is None:
            comp_id = c.compensation_id
            self.call_db(
                lambda: self.console.queries.evidence(comp_id),
                lambda found: self._evidence(comp_id, found),
                group="evidence",
            )

    def _evidence(self, compensation_id: int, files: list[Evidence]) -> None:
        self.evidence[compensation_id] = files
        chosen = self.selected()
        if chosen is not None and chosen.compensation_id == compensation_id:
            self.show_selected()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_history()

    def action_history(self) -> None:
        c = self.selected()
        if c is not None:
            self.app.push_screen(HistoryScreen(c))

    def _decide(self, approve: bool) -> None:
        if not self.allowed("decide"):
            return
        c = self.selected()
        if c is None:
            self.notify("select a compensation first", severity="warning")
            return
        if c.status != "PENDING":
            self.notify(
                f"compensation {c.compensation_id} was already {c.status.lower()} by {c.decided_by}",
                severity="error",
                title="refused",
            )
            return
        self.app.push_screen(dialogs.DecideDialog(c, approve), lambda _done: self.load())

    def action_approve(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    def action_back(self) -> None:
        self.console.show_mode("executions")


HISTORY_COLUMNS = (
    "RESULT",
    "SOURCE",
    "FROM",
    "TYPE",
    "ACTIVE",
    "CREATED",
    "SUPERSEDED BY",
    "DEACTIVATED",
    "PAYLOAD",
)


class HistoryScreen(ConsoleScreen):
    """Every version of one result key, oldest first: what made it (execution or compensation), which is
    active."""

    HELP_NAME = "Result history"
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("escape", "back", "back", "Back to the compensations", display="esc"),
        Key("enter", "open", "open", "Open the execution that made the selected version", bind=False),
    )
    BINDINGS: ClassVar = bindings(KEYS)

    def __init__(self, compensation: Compensation) -> None:
        super().__init__()
        self.compensation = compensation
        self.versions: dict[int, Version] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        c = self.compensation
        yield HeaderBar(f"History {c.job_id} {c.business_date} {c.target_key}")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        yield ConsoleTable(id="history")
        yield Static(id="version-detail", classes="detail-panel")
        yield KeyBar()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#history", DataTable)

    def on_mount(self) -> None:
        for column in HISTORY_COLUMNS:
            self.table.add_column(column, key=column.lower())
        self.table.focus()
        self.load()

    def load(self) -> None:
        c = self.compensation
        self._poll_worker = self.call_db(
            lambda: self.console.queries.result_history(c.job_id, c.business_date, c.target_key),
            self.show,
            group="history",
            exclusive=True,
        )

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def show(self, rows: list[Version]) -> None:
        self.versions = {v.result_id: v for v in rows}
        self.loaded = True
        today = self.today()
        self.table.clear()
        for v in rows:
            origin = (
                f"#{v.execution_id}"
                if v.execution_id
                else (f"comp #{v.compensation_id}" if v.compensation_id else "")
            )
            self.table.add_row(
                Text(str(v.result_id), justify="right"),
                v.source,
                origin,
                v.run_type or "",
                Text("● active", style="bold green") if v.is_active else Text("inactive", style="dim"),
                short_when(v.created_at, self.tz, today),
                f"#{v.superseded_by}" if v.superseded_by else "",
                short_when(v.deactivated_at, self.tz, today),
                one_line(json.dumps(v.payload, ensure_ascii=False), 60),
                key=str(v.result_id),
            )
        active = next((v for v in rows if v.is_active), None)
        self.query_one("#info", Static).update(
            Text(
                f" {len(rows)} version(s) · active: "
                + (f"result #{active.result_id}" if active else "none")
                + (" · no result yet" if not rows else "")
            )
        )
        self.show_selected()

    def selected(self) -> Version | None:
        key = cursor_key(self.table)
        return self.versions.get(int(key)) if key is not None else None

    def show_selected(self) -> None:
        v = self.selected()
        panel = self.query_one("#version-detail", Static)
        if v is None:
            panel.update("")
            return
        text = Text.assemble(
            (f"result #{v.result_id} ", "bold"), f"{v.source} · created {when(v.created_at, self.tz)}"
        )
        if v.deactivated_at:
            text.append(
                f"\ndeactivated {when(v.deactivated_at, self.tz)}: {one_line(v.deactivated_reason, 160)}"
            )
        text.append("\n" + one_line(json.dumps(v.payload, ensure_ascii=False), 300), style="dim")
        panel.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        from c1console.screens.detail import DetailScreen

        v = self.selected()
        if v is not None and v.execution_id is not None:
            self.app.push_screen(DetailScreen(v.execution_id))

    def action_back(self) -> None:
        self.dismiss()
