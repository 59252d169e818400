"""Compensations (`7`): manual corrections of one result key, pending first, then the recent decisions.

The panel shows the selected one's reason, payload and evidence; `c` requests a new one (operators: job,
date, target, payload, evidence reference and files, reason; the new row is selected once requested); `a`
approves and `x` rejects (approvers only, never their own request: ops refuses, and the dialog says why);
`h` (or enter) shows every version of the key's result (``results.history``); `y` copies the selected id,
`Y` its reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType

from c1console.queries import Compensation, Version
from c1console.screens import dialogs
from c1console.screens.cells import one_line, short_when, when
from c1console.screens.detail import DetailScreen
from c1console.screens.dialogs.compensation import size_text
from c1console.screens.keys import Key, bindings
from c1console.screens.lists import ListScreen, columns
from c1console.screens.tables import move_cursor_to

if TYPE_CHECKING:
    from c1console.queries import Evidence
    from c1console.screens.clipboard import Copy

COMP_STATUS = {
    "PENDING": Text("◷ PENDING", style="bold cyan"),
    "APPROVED": Text("✔ APPROVED", style="green"),
    "REJECTED": Text("✖ REJECTED", style="magenta"),
}


def comp_status(status: str) -> Text:
    return COMP_STATUS.get(status, Text(status)).copy()


class CompensationsScreen(ListScreen[Compensation]):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "history", "history", "History of the selected compensation's result key", bind=False),
        Key("h", "history", "history", "History of the selected compensation's result key", footer=False),
        Key("c", "request", "request", "Request a compensation: a corrected result for one key", act=True),
        Key("a", "approve", "approve", "Approve the selected PENDING compensation (approvers)", act=True),
        Key("x", "reject", "reject", "Reject the selected PENDING compensation (approvers; note)", act=True),
        Key("escape", "back", "back", "Back to the executions", display="esc", footer=False),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    TITLE = "Compensations"
    TABLE_ID = "compensations"
    PANEL_ID = "comp-detail"
    PANEL_CLASSES = "detail-panel comp-panel"
    COLUMNS = columns("ID", "STATUS", "JOB", "DATE", "TARGET", "REQUESTED BY", "AT", "DECIDED BY", "REASON")

    def __init__(self) -> None:
        super().__init__()
        self.evidence: dict[int, list[Evidence]] = {}
        self.want: str | None = None  # a new request's row: selected as soon as it is read

    def fetcher(self) -> Callable[[], list[Compensation]]:
        queries = self.services.queries

        def work() -> list[Compensation]:
            pending = queries.compensations(statuses=("PENDING",))
            recent = [c for c in queries.compensations() if c.status != "PENDING"]
            return pending + recent

        return work

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.poll()  # requests and decisions are audited

    def item_key(self, item: Compensation) -> str:
        return str(item.compensation_id)

    def cells(self, c: Compensation) -> tuple[Any, ...]:
        return (
            Text(str(c.compensation_id), justify="right"),
            comp_status(c.status),
            c.job_id,
            c.business_date.isoformat(),
            c.target_key,
            c.requested_by,
            short_when(c.requested_at, self.tz, self.today()),
            c.decided_by or "",
            one_line(c.reason, 60),
        )

    def summary(self, rows: Sequence[Compensation]) -> Text:
        if not rows:
            return Text(" no compensations yet" + (" — c requests one" if self.host.can_act else ""))
        pending = sum(1 for c in rows if c.status == "PENDING")
        return Text(f" {pending} pending · {len(rows) - pending} decided (recent)")

    def describe(self, c: Compensation) -> Text:
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
        if files is None:
            comp_id = c.compensation_id
            self.call_db(
                lambda: self.services.queries.evidence(comp_id),
                lambda found: self._evidence(comp_id, found),
                group="evidence",
            )
        return text

    def _evidence(self, compensation_id: int, files: list[Evidence]) -> None:
        self.evidence[compensation_id] = files
        chosen = self.selected()
        if chosen is not None and chosen.compensation_id == compensation_id:
            self.show_selected()

    def render_rows(self) -> None:
        super().render_rows()
        if self.want is not None and move_cursor_to(self.table, self.want):
            self.want = None
            self.show_selected()

    def to_copy(self, detail: bool) -> Copy | None:
        """y: the selected compensation's id (what comp show/approve take); Y: its reason."""
        c = self.selected()
        if c is None:
            return None
        return (c.reason, "compensation reason") if detail else (str(c.compensation_id), "compensation id")

    def action_open(self) -> None:
        self.action_history()

    def action_request(self) -> None:
        if not self.allowed("request"):
            return
        chosen = self.selected()
        job = chosen.job_id if chosen is not None else None

        def known(jobs: list[str]) -> None:
            self.app.push_screen(dialogs.RequestDialog(jobs, job), self._requested)

        self.call_db(self.services.queries.job_ids, known, group="jobs")

    def _requested(self, done: dialogs.Done | None) -> None:
        if isinstance(done, dialogs.Requested) and done.compensation_id:
            self.want = str(done.compensation_id)
            self.load()

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


class HistoryScreen(ListScreen[Version]):
    """Every version of one result key, oldest first: what made it (execution or compensation), which is
    active."""

    HELP_NAME = "Result history"
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("escape", "back", "back", "Back to the compensations", display="esc"),
        Key("enter", "open", "open", "Open the execution that made the selected version", bind=False),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    TABLE_ID = "history"
    PANEL_ID = "version-detail"
    COLUMNS = columns(
        "RESULT", "SOURCE", "FROM", "TYPE", "ACTIVE", "CREATED", "SUPERSEDED BY", "DEACTIVATED", "PAYLOAD"
    )

    def __init__(self, compensation: Compensation) -> None:
        super().__init__()
        self.compensation = compensation

    def header(self) -> str:
        c = self.compensation
        return f"History {c.job_id} {c.business_date} {c.target_key}"

    def fetcher(self) -> Callable[[], list[Version]]:
        c, queries = self.compensation, self.services.queries
        return lambda: queries.result_history(c.job_id, c.business_date, c.target_key)

    def item_key(self, item: Version) -> str:
        return str(item.result_id)

    def cells(self, v: Version) -> tuple[Any, ...]:
        today = self.today()
        origin = (
            f"#{v.execution_id}"
            if v.execution_id
            else (f"comp #{v.compensation_id}" if v.compensation_id else "")
        )
        return (
            Text(str(v.result_id), justify="right"),
            v.source,
            origin,
            v.run_type or "",
            Text("● active", style="bold green") if v.is_active else Text("inactive", style="dim"),
            short_when(v.created_at, self.tz, today),
            f"#{v.superseded_by}" if v.superseded_by else "",
            short_when(v.deactivated_at, self.tz, today),
            one_line(json.dumps(v.payload, ensure_ascii=False), 60),
        )

    def summary(self, rows: Sequence[Version]) -> Text:
        active = next((v for v in rows if v.is_active), None)
        return Text(
            f" {len(rows)} version(s) · active: "
            + (f"result #{active.result_id}" if active else "none")
            + (" · no result yet" if not rows else "")
        )

    def describe(self, v: Version) -> Text:
        text = Text.assemble(
            (f"result #{v.result_id} ", "bold"), f"{v.source} · created {when(v.created_at, self.tz)}"
        )
        if v.deactivated_at:
            text.append(
                f"\ndeactivated {when(v.deactivated_at, self.tz)}: {one_line(v.deactivated_reason, 160)}"
            )
        text.append("\n" + one_line(json.dumps(v.payload, ensure_ascii=False), 300), style="dim")
        return text

    def to_copy(self, detail: bool) -> Copy | None:
        """y: the selected version's result id; Y: its payload (JSON)."""
        v = self.selected()
        if v is None:
            return None
        if detail:
            return (json.dumps(v.payload, ensure_ascii=False), "result payload")
        return (str(v.result_id), "result id")

    def action_open(self) -> None:
        v = self.selected()
        if v is not None and v.execution_id is not None:
            self.app.push_screen(DetailScreen(v.execution_id))

    def action_back(self) -> None:
        self.dismiss()
