"""The filter forms: executions (status, job, run type, business dates, text) and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.containers import Horizontal
from textual.suggester import SuggestFromList
from textual.widgets import Input

from c1console import planning
from c1console.errors import BadInput
from c1console.inputs import DATE_FORMS, parse_choice, parse_id, parse_text, printable
from c1console.queries import RUN_TYPES, STATUSES, ExecutionFilter
from c1console.screens.dialogs.base import FormDialog, field, optional_date


class FilterDialog(FormDialog):
    HEADING = "Filter executions"

    def __init__(self, flt: ExecutionFilter) -> None:
        super().__init__()
        self.flt = flt
        self.known_jobs: list[str] = []

    def rows(self) -> Iterable[Horizontal]:
        f = self.flt
        yield field(
            "text",
            "search",
            Input(
                f.text or "", placeholder="job, error code, operator, reason or id", id="text", compact=True
            ),
        )
        yield field(
            "status",
            "status",
            Input(",".join(f.statuses), placeholder=" ".join(STATUSES), id="status", compact=True),
        )
        yield field(
            "job",
            "job",
            Input(",".join(f.job_ids), placeholder="job id(s), comma-separated", id="job", compact=True),
        )
        yield field(
            "type",
            "run type",
            Input(",".join(f.run_types), placeholder=" ".join(RUN_TYPES), id="type", compact=True),
        )
        yield field(
            "since",
            "dates from",
            Input(f.since.isoformat() if f.since else "", placeholder=DATE_FORMS, id="since", compact=True),
        )
        yield field(
            "until",
            "dates to",
            Input(f.until.isoformat() if f.until else "", placeholder=DATE_FORMS, id="until", compact=True),
        )

    def on_mount(self) -> None:
        self.call_db(self.services.queries.job_ids, self._jobs_known, failed=lambda _exc: None)

    def _jobs_known(self, job_ids: list[str]) -> None:
        self.known_jobs = job_ids
        self.query_one("#job", Input).suggester = SuggestFromList(job_ids, case_sensitive=False)

    def empty(self) -> ExecutionFilter:
        return ExecutionFilter()

    def result(self) -> ExecutionFilter:
        today = self.today()
        statuses = parse_choice(self.value("status"), STATUSES, "status") if self.value("status") else []
        types = parse_choice(self.value("type"), RUN_TYPES, "run type") if self.value("type") else []
        jobs = [j.strip() for j in (parse_text(self.value("job"), "job") or "").split(",") if j.strip()]
        unknown = [j for j in jobs if self.known_jobs and j not in self.known_jobs]
        if unknown:
            raise BadInput(
                f"unknown job '{printable(unknown[0])}'", hint="known: " + ", ".join(self.known_jobs)
            )
        since = optional_date(self.value("since"), "dates from", today)
        until = optional_date(self.value("until"), "dates to", today)
        if since and until:
            planning.check_range(since, until)
        return ExecutionFilter(
            statuses=tuple(statuses),
            job_ids=tuple(jobs),
            run_types=tuple(types),
            since=since,
            until=until,
            text=parse_text(self.value("text"), "search"),
        )


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    execution_id: int | None = None

    def describe(self) -> str:
        parts = [
            f"actor {self.actor}" if self.actor else "",
            f"action {self.action}" if self.action else "",
            f"execution #{self.execution_id}" if self.execution_id else "",
        ]
        return "; ".join(p for p in parts if p)


class AuditFilterDialog(FormDialog):
    HEADING = "Filter the audit log"

    def __init__(self, flt: AuditFilter) -> None:
        super().__init__()
        self.flt = flt

    def rows(self) -> Iterable[Horizontal]:
        f = self.flt
        yield field(
            "actor",
            "actor",
            Input(f.actor or "", placeholder="operator login, e.g. alice", id="actor", compact=True),
        )
        yield field(
            "action",
            "action",
            Input(f.action or "", placeholder="e.g. exec.replay, job.pause", id="action", compact=True),
        )
        yield field(
            "execution",
            "execution",
            Input(str(f.execution_id or ""), placeholder="execution id", id="execution", compact=True),
        )

    def empty(self) -> AuditFilter:
        return AuditFilter()

    def result(self) -> AuditFilter:
        execution = self.value("execution")
        return AuditFilter(
            actor=parse_text(self.value("actor"), "actor"),
            action=parse_text(self.value("action"), "action"),
            execution_id=parse_id(execution) if execution else None,
        )
