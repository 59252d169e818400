"""Jobs: schedule, next fire, paused flag, last execution; pause/resume and trigger from here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType

from c1console.queries import ExecutionFilter, JobRow
from c1console.screens import dialogs
from c1console.screens.cells import one_line, short_when, status_text, when
from c1console.screens.keys import Key, bindings
from c1console.screens.lists import ListScreen

if TYPE_CHECKING:
    from c1console.queries import Execution
    from c1console.screens.clipboard import Copy


class JobsScreen(ListScreen[JobRow]):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "executions", "Show this job's executions", bind=False),
        Key("p", "pause", "pause/resume", "Pause or resume the job's schedule (reason required)", act=True),
        Key("t", "trigger", "trigger", "Trigger this job: a MANUAL execution", act=True),
        Key("escape", "back", "back", "Back to the executions", display="esc"),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)
    TITLE = "Jobs"
    TABLE_ID = "jobs"
    PANEL_ID = "job-detail"
    COLUMNS = (
        ("job", "JOB"),
        ("state", "STATE"),
        ("next", "NEXT FIRE"),
        ("last", "LAST"),
        ("last_status", "STATUS"),
        ("last_at", "STARTED"),
        ("schedule", "SCHEDULE"),
        ("title", "TITLE"),
    )

    def fetcher(self) -> Callable[[], list[JobRow]]:
        return self.services.queries.jobs

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        if any(r.job_id in self.items for r in rows) or not self.items:
            self.load()

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.load()  # a pause or resume is audited; cheap: one row per job

    def item_key(self, item: JobRow) -> str:
        return item.job_id

    def next_fire(self, job: JobRow, now: datetime) -> datetime | None:
        definition = self.services.actions.registry.get(job.job_id)
        if definition is None or definition.trigger is None:
            return None
        fire: datetime | None = definition.trigger.get_next_fire_time(None, now)
        return fire

    def cells(self, job: JobRow) -> tuple[Any, ...]:
        now = self.now()
        fire = self.next_fire(job, now)
        nxt = Text("—", style="dim") if fire is None else Text(short_when(fire, self.tz, now.date()))
        if job.paused and fire is not None:
            nxt = Text("— paused", style="yellow")
        schedule = f"{job.schedule_cron} {job.timezone}" if job.schedule_cron else "manual only"
        state = Text("|| PAUSED", style="bold yellow") if job.paused else Text("● active", style="green")
        if job.paused and job.paused_by:
            state.append(f" by {job.paused_by}")
        last = f"#{job.last_execution_id}" if job.last_execution_id else "—"
        last_status = status_text(job.last_status) if job.last_status else Text("")
        return (
            job.job_id,
            state,
            nxt,
            last,
            last_status,
            short_when(job.last_started_at, self.tz, now.date()),
            schedule,
            job.title,
        )

    def summary(self, rows: Sequence[JobRow]) -> Text:
        if not rows:
            return Text(" no jobs yet: the runner registers them")
        return Text(f" {len(rows)} job(s) · {sum(1 for j in rows if j.paused)} paused")

    def describe(self, job: JobRow) -> Text:
        now = self.now()
        fire = self.next_fire(job, now)
        text = Text.assemble((job.job_id, "bold"), f" — {job.title}\n")
        if job.schedule_cron:
            text.append(f"schedule {job.schedule_cron} ({job.timezone})")
            if fire is not None:
                text.append(
                    f" · next fire {when(fire, self.tz)}" + (" (skipped while paused)" if job.paused else "")
                )
            elif self.services.actions.registry.get(job.job_id) is None:
                text.append(" · next fire unknown: the job is not registered in this console")
        else:
            text.append("no schedule: runs only when triggered")
        if job.paused:
            text.append(f"\npaused by {job.paused_by} at {when(job.paused_at, self.tz)}: ", style="yellow")
            text.append(one_line(job.paused_reason, 200))
        return text

    def to_copy(self, detail: bool) -> Copy | None:
        """y: the selected job's id (what `jobs trigger`/`pause` take); Y: the job as one line."""
        job = self.selected()
        if job is None:
            return None
        if not detail:
            return (job.job_id, "job id")
        line = f"{job.job_id} — {job.title} · " + (job.schedule_cron or "no schedule")
        if job.paused:
            line += f" · paused by {job.paused_by}: {one_line(job.paused_reason)}"
        return (line, "job")

    def action_open(self) -> None:
        job = self.selected()
        if job is not None:
            self.host.show_executions(replace(ExecutionFilter(), job_ids=(job.job_id,)))

    def action_pause(self) -> None:
        job = self.selected()
        if self.allowed("pause_job") and job is not None:
            self.app.push_screen(dialogs.PauseDialog(job), lambda _done: self.load())

    def action_trigger(self) -> None:
        job = self.selected()
        if self.allowed("trigger"):
            self.app.push_screen(dialogs.TriggerDialog(job.job_id if job else None), self._after_trigger)

    def _after_trigger(self, done: dialogs.Done | None) -> None:
        if done is not None and done.execution_id is not None:
            self.host.focus_execution(done.execution_id)
            self.load()
