"""Alerts (`6`): the notification outbox, newest first — what was sent, what is retrying, what failed."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType

from c1console.presentation import NO_ALERT_CHANNEL
from c1console.queries import Notification
from c1console.screens.cells import one_line, short_when, when
from c1console.screens.detail import DetailScreen
from c1console.screens.header import no_alert_channel
from c1console.screens.keys import Key, bindings
from c1console.screens.lists import ListScreen, columns

if TYPE_CHECKING:
    from c1console.queries import Execution
    from c1console.screens.clipboard import Copy

NOTE_STATUS = {
    "SENT": Text("✔ SENT", style="green"),
    "PENDING": Text("○ PENDING", style="cyan"),
    "FAILED": Text("✖ FAILED", style="bold red"),
}


def notification_status(status: str) -> Text:
    return NOTE_STATUS.get(status, Text(status)).copy()


class AlertsScreen(ListScreen[Notification]):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "open", "Open the execution the alert is about", bind=False),
        Key("escape", "back", "back", "Back to the executions", display="esc"),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)
    TITLE = "Alerts"
    TABLE_ID = "alerts"
    PANEL_ID = "alert-detail"
    COLUMNS = columns("ID", "STATUS", "TRIES", "EVENT", "CHANNEL", "LAST ERROR", "CREATED", "JOB", "EXEC")

    def fetcher(self) -> Callable[[], list[Notification]]:
        return self.services.queries.notifications

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        self.poll()  # a finished execution may have queued an alert

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.poll()

    def item_key(self, item: Notification) -> str:
        return str(item.notification_id)

    def cells(self, n: Notification) -> tuple[Any, ...]:
        return (
            Text(str(n.notification_id), justify="right"),
            notification_status(n.status),
            Text(str(n.attempts), justify="right"),
            n.event,
            n.channel,
            Text(one_line(n.last_error, 60), style="red"),
            short_when(n.created_at, self.tz, self.today()),
            n.job_id or "",
            f"#{n.execution_id}" if n.execution_id else "",
        )

    def summary(self, rows: Sequence[Notification]) -> Text:
        line = Text(" ")
        if no_alert_channel(self.app):
            line.append(f"⚠ {NO_ALERT_CHANNEL}", style="bold yellow")
            line.append(" · ")
        if not rows:
            line.append("no alerts yet")
            return line
        counts = {s: sum(1 for n in rows if n.status == s) for s in ("FAILED", "PENDING", "SENT")}
        line.append(f"{len(rows)} newest · ")
        line.append(f"{counts['FAILED']} failed", style="bold red" if counts["FAILED"] else "")
        line.append(f" · {counts['PENDING']} pending · {counts['SENT']} sent")
        return line

    def describe(self, n: Notification) -> Text:
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
        return text

    def to_copy(self, detail: bool) -> Copy | None:
        """y: the selected notification's id; Y: what it said and, if it failed, why."""
        n = self.selected()
        if n is None:
            return None
        if not detail:
            return (str(n.notification_id), "notification id")
        line = f"#{n.notification_id} {n.event} via {n.channel} {n.status}"
        if n.execution_id is not None:
            line += f" execution #{n.execution_id}"
        if n.last_error:
            line += f": {one_line(n.last_error)}"
        return (line, "notification")

    def action_open(self) -> None:
        n = self.selected()
        if n is not None and n.execution_id is not None:
            self.app.push_screen(DetailScreen(n.execution_id))
        elif n is not None:
            self.notify("this alert is not about an execution", severity="warning")
