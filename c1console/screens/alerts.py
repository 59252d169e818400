"""Alerts (`6`): the notification outbox, newest first — what was sent, what is retrying, what failed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

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
from c1console.store.executions import Execution
from c1console.store.outbox import Notification

COLUMNS = ("ID", "STATUS", "TRIES", "EVENT", "CHANNEL", "LAST ERROR", "CREATED", "JOB", "EXEC")
NOTE_STATUS = {
    "SENT": Text("✔ SENT", style="green"),
    "PENDING": Text("○ PENDING", style="cyan"),
    "FAILED": Text("✖ FAILED", style="bold red"),
}


def notification_status(status: str) -> Text:
    return NOTE_STATUS.get(status, Text(status)).copy()


class AlertsScreen(ConsoleScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "open", "Open the execution the alert is about", bind=False),
        Key("escape", "back", "back", "Back to the executions", display="esc"),
    )
    BINDINGS: ClassVar = bindings(KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[int, Notification] = {}
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield HeaderBar("Alerts")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        yield ConsoleTable(id="alerts")
        yield Static(id="alert-detail", classes="detail-panel")
        yield KeyBar()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#alerts", DataTable)

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.table.add_column(column, key=column.lower())
        self.table.focus()
        self.load()

    def load(self) -> None:
        self._poll_worker = self.call_db(
            self.console.queries.notifications, self.show, failed=self._failed, group="alerts", exclusive=True
        )

    def _failed(self, exc: BaseException) -> None:
        if not self.items:
            self.query_one("#info", Static).update(Text(" " + problem_text(exc), style="red"))

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        self.poll()  # a finished execution may have queued an alert

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.poll()

    def show(self, rows: list[Notification]) -> None:
        keep = cursor_key(self.table)
        self.items = {n.notification_id: n for n in rows}
        self.loaded = True
        today = self.today()
        self.table.clear()
        for n in rows:
            self.table.add_row(
                Text(str(n.notification_id), justify="right"),
                notification_status(n.status),
                Text(str(n.attempts), justify="right"),
                n.event,
                n.channel,
                Text(one_line(n.last_error, 60), style="red"),
                short_when(n.created_at, self.tz, today),
                n.job_id or "",
                f"#{n.execution_id}" if n.execution_id else "",
                key=str(n.notification_id),
            )
        if keep is not None:
            move_cursor_to(self.table, keep, scroll=False)
        counts = {s: sum(1 for n in rows if n.status == s) for s in ("FAILED", "PENDING", "SENT")}
        line = Text(f" {len(rows)} newest · ")
        line.append(f"{counts['FAILED']} failed", style="bold red" if counts["FAILED"] else "")
        line.append(f" · {counts['PENDING']} pending · {counts['SENT']} sent")
        self.query_one("#info", Static).update(line if rows else Text(" no alerts yet"))
        self.show_selected()

    def selected(self) -> Notification | None:
        key = cursor_key(self.table)
        return self.items.get(int(key)) if key is not None else None

    def show_selected(self) -> None:
        n = self.selected()
        panel = self.query_one("#alert-detail", Static)
        if n is None:
            panel.update("")
            return
        text = Text.assemble(
            (f"#{n.notification_id} {n.event}", "bold"), f" via {n.channel} · ", notification_status(n.status)
        )
        text.append(f" · {n.attempts} attempt(s)")
        if n.sent_at:
            text.append(f" · sent {when(n.sent_at, self.tz)}")
        elif n.status == "PENDING":
            text.append(f" · next attempt {when(n.next_attempt_at, self.tz)}")
        if n.last_error:
            text.append("\nlast error: ", style="bold")
            text.append(one_line(n.last_error, 300), style="red")
        if n.details:
            text.append(
                "\n" + one_line(json.dumps(n.details, ensure_ascii=False, default=str), 300), style="dim"
            )
        panel.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        from c1console.screens.detail import DetailScreen

        n = self.selected()
        if n is not None and n.execution_id is not None:
            self.app.push_screen(DetailScreen(n.execution_id))
        elif n is not None:
            self.notify("this alert is not about an execution", severity="warning")

    def action_back(self) -> None:
        self.console.show_mode("executions")
