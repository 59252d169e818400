"""The dialogs that act on a job: trigger a MANUAL execution, pause or resume its schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from c1console import ops
from c1console.errors import BadInput
from c1console.inputs import DATE_FORMS
from c1console.screens.dialogs.base import ActionDialog, Done, field, optional_date

if TYPE_CHECKING:
    from c1console.queries import JobRow


@dataclass(frozen=True)
class TriggerParams:
    job_id: str
    date_from: date | None
    date_to: date | None
    targets: tuple[str, ...] | None


class TriggerDialog(ActionDialog):
    HEADING = "Trigger a job"
    VERB = "run"
    REASON_REQUIRED = False

    def __init__(self, job_id: str | None = None) -> None:
        super().__init__()
        self.job_id = job_id
        self.default_day: date | None = None

    def jobs(self) -> list[str]:
        return [d.job_id for d in self.services.actions.registry]

    def default_for(self, job_id: str | None) -> date | None:
        definition = self.services.actions.registry.get(job_id) if job_id else None
        return definition.calendar.previous(self.today()) if definition is not None else None

    def what(self) -> Text:
        return Text("A new MANUAL execution; without dates, the job's last business day before today.")

    def form(self) -> ComposeResult:
        jobs = self.jobs()
        chosen = self.job_id if self.job_id in jobs else (jobs[0] if jobs else None)
        self.default_day = self.default_for(chosen)
        day = self.default_day.isoformat() if self.default_day else ""
        yield field(
            "job",
            "job",
            Select(
                [(j, j) for j in jobs],
                value=chosen if chosen else Select.NULL,
                allow_blank=not jobs,
                id="job",
                compact=True,
                prompt="no jobs registered in this console",
            ),
        )
        yield field("from", "from", Input(value=day, placeholder=DATE_FORMS, id="from", compact=True))
        yield field("to", "to", Input(value=day, placeholder="(same as from)", id="to", compact=True))
        yield field("targets", "targets", Input(placeholder="all (or: T1,T2)", id="targets", compact=True))

    def on_select_changed(self, event: Select.Changed) -> None:
        # keep the default dates in step with the job unless the operator typed others
        new_default = self.default_for(str(event.value) if event.value is not Select.NULL else None)
        for name in ("from", "to"):
            box = self.query_one(f"#{name}", Input)
            if new_default and box.value == (self.default_day.isoformat() if self.default_day else ""):
                box.value = new_default.isoformat()
        self.default_day = new_default

    def params(self) -> TriggerParams:
        job = self.query_one("#job", Select).value
        if job is Select.NULL:
            raise BadInput("no job to trigger", hint="this console has no jobs registered (C1_JOBS)")
        today = self.today()
        start = optional_date(self.query_one("#from", Input).value, "from", today)
        end = optional_date(self.query_one("#to", Input).value, "to", today)
        if start and end:
            self.check_span(start, end)
        raw = self.query_one("#targets", Input).value
        targets = tuple(t.strip() for t in raw.split(",") if t.strip()) or None
        return TriggerParams(str(job), start, end, targets)

    def _call(self, p: TriggerParams, reason: str | None, dry_run: bool) -> ops.Created | ops.Preview:
        return self.services.actions.trigger(
            p.job_id,
            date_from=p.date_from,
            date_to=p.date_to,
            targets=list(p.targets) if p.targets else None,
            reason=reason,
            dry_run=dry_run,
        )

    def dry_run(self, params: TriggerParams, reason: str | None) -> ops.Preview:
        return cast(ops.Preview, self._call(params, reason, True))

    def perform(self, params: TriggerParams, reason: str | None) -> Done:
        created = cast(ops.Created, self._call(params, reason, False))
        p = created.preview
        return Done(
            f"MANUAL #{created.execution_id} created: {p.job_id}, {len(p.units)} unit(s), "
            f"{p.date_from}..{p.date_to}",
            created.execution_id,
        )


class PauseDialog(ActionDialog):
    VERB = "pause"
    PREVIEWS = False

    def __init__(self, job: JobRow) -> None:
        super().__init__()
        self.job = job
        self.pause = not job.paused
        self.HEADING = "Pause job" if self.pause else "Resume job"

    def what(self) -> Text:
        if self.pause:
            return Text.assemble(
                (self.job.job_id, "bold"),
                f" ({self.job.title}) stops firing AUTO executions until resumed. ",
                ("Executions already made are not touched; manual triggers still work.", "dim"),
            )
        by = f" (paused by {self.job.paused_by}: {self.job.paused_reason})" if self.job.paused_by else ""
        return Text.assemble((self.job.job_id, "bold"), f"{by} fires its schedule again.")

    def confirm_words(self) -> str:
        return f"{'pause' if self.pause else 'resume'} job {self.job.job_id}"

    def dry_run(self, params: Any, reason: str | None) -> None:
        self.services.actions.set_job_paused(self.job.job_id, self.pause, reason, dry_run=True)

    def perform(self, params: Any, reason: str | None) -> Done:
        self.services.actions.set_job_paused(self.job.job_id, self.pause, reason)
        return Done(f"job {self.job.job_id} {'paused' if self.pause else 'resumed'}")
