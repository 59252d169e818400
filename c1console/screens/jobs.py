"""Jobs: schedule, next fire, paused flag, last execution; pause/resume and trigger from here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
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
    status_text,
    when,
)
from c1console.store.executions import Execution
from c1console.store.jobs import JobRow
from c1console.store.views import ExecutionFilter

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


class JobsScreen(ConsoleScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "executions", "Show this job's executions", bind=False),
        Key("p", "pause", "pause/resume", "Pause or resume the job's schedule (reason required)", act=True),
        Key("t", "trigger", "trigger", "Trigger this job: a MANUAL execution", act=True),
        Key("escape", "back", "back", "Back to the executions", display="esc"),
    )
    BINDINGS: ClassVar = bindings(KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.jobs: dict[str, JobRow] = {}

    def compose(self) -> ComposeResult:
        yield HeaderBar("Jobs")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        yield ConsoleTable(id="jobs")
        yield Static(id="job-detail", classes="detail-panel")
        yield KeyBar()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#jobs", DataTable)

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.table.add_column(label, key=key)
        self.table.focus()
        self.load()

    def load(self) -> None:
        self._poll_worker = self.call_db(
            self.console.queries.jobs, self.show, failed=self._failed, group="jobs", exclusive=True
        )

    def _failed(self, exc: BaseException) -> None:
        if not self.jobs:
            self.query_one("#info", Static).update(Text(" " + problem_text(exc), style="red"))

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        if any(r.job_id in self.jobs for r in rows) or not self.jobs:
            self.load()

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.load()  # a pause or resume is audited; cheap: one row per job

    def next_fire(self, job: JobRow, now: datetime) -> datetime | None:
        definition = self.console.actions.registry.get(job.job_id)
        if definition is None or definition.trigger is None:
            return None
        fire: datetime | None = definition.trigger.get_next_fire_time(None, now)
        return fire

    def cells(self, job: JobRow, now: datetime) -> tuple[Any, ...]:
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

    def show(self, rows: list[JobRow]) -> None:
        keep = cursor_key(self.table)
        self.jobs = {j.job_id: j for j in rows}
        now = self.now()
        self.table.clear()
        for job in rows:
            self.table.add_row(*self.cells(job, now), key=job.job_id)
        if keep is not None:
            move_cursor_to(self.table, keep, scroll=False)
        paused = sum(1 for j in rows if j.paused)
        self.query_one("#info", Static).update(
            Text(
                f" {len(rows)} job(s) · {paused} paused"
                if rows
                else " no jobs yet: the runner registers them"
            )
        )
        self.show_selected()

    def selected(self) -> JobRow | None:
        key = cursor_key(self.table)
        return self.jobs.get(key) if key is not None else None

    def show_selected(self) -> None:
        job = self.selected()
        panel = self.query_one("#job-detail", Static)
        if job is None:
            panel.update("")
            return
        now = self.now()
        fire = self.next_fire(job, now)
        text = Text.assemble((job.job_id, "bold"), f" — {job.title}\n")
        if job.schedule_cron:
            text.append(f"schedule {job.schedule_cron} ({job.timezone})")
            if fire is not None:
                text.append(
                    f" · next fire {when(fire, self.tz)}" + (" (skipped while paused)" if job.paused else "")
                )
            elif self.console.actions.registry.get(job.job_id) is None:
                text.append(" · next fire unknown: the job is not registered in this console")
        else:
            text.append("no schedule: runs only when triggered")
        if job.paused:
            text.append(f"\npaused by {job.paused_by} at {when(job.paused_at, self.tz)}: ", style="yellow")
            text.append(one_line(job.paused_reason, 200))
        panel.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        job = self.selected()
        if job is None:
            return
        from c1console.screens.executions import ExecutionsScreen

        self.console.show_mode("executions")
        home = self.console.home()
        if isinstance(home, ExecutionsScreen):
            home.set_filter(replace(ExecutionFilter(), job_ids=(job.job_id,)))

    def action_back(self) -> None:
        self.console.show_mode("executions")

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
            self.console.focus_execution(done.execution_id)
            self.load()
