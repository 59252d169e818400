"""The dialogs that act on one execution: stop, resume, replay and roll back.

Which screen opens them, after which checks, is ``ExecutionActions`` (screens/execution_actions.py).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from c1console import ops, planning
from c1console.errors import BadInput
from c1console.inputs import DATE_FORMS
from c1console.requests import ReplayFull, ReplayOf, ReplayRange, ReplayRequest, ReplaySingle
from c1console.screens.dialogs.base import (
    UNITS_SHOWN,
    ActionDialog,
    Done,
    describe_execution,
    field,
    optional_date,
)
from c1console.screens.dialogs.redo import SAFE, WARNING, RedoDialog

if TYPE_CHECKING:
    from c1console.queries import Execution


class OneExecutionDialog(ActionDialog):
    """An act on one execution: it is described first, then what the act does to it (NOTE)."""

    NOTE: ClassVar[str] = ""

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution

    def what(self) -> Text:
        text = describe_execution(self.execution)
        text.append("\n" + self.NOTE, style="dim")
        return text


class StopDialog(OneExecutionDialog):
    HEADING = "Stop execution"
    VERB = "stop"
    PREVIEWS = False
    NOTE = (
        "READY stops at once; RUNNING stops at its next unit boundary. Finished units keep their "
        "results; resume (R) runs the rest later."
    )

    def confirm_words(self) -> str:
        return f"stop execution #{self.execution.execution_id}"

    def dry_run(self, params: Any, reason: str | None) -> str:
        return self.services.actions.stop(self.execution.execution_id, reason, dry_run=True)

    def perform(self, params: Any, reason: str | None) -> Done:
        execution_id = self.execution.execution_id
        state = self.services.actions.stop(execution_id, reason)
        if state == "RUNNING":
            return Done(
                f"stop of #{execution_id} requested: it stops at its next unit boundary", execution_id
            )
        return Done(f"#{execution_id} stopped", execution_id)


class ResumeDialog(OneExecutionDialog, RedoDialog):
    HEADING = "Resume execution"
    VERB = "resume"
    REASON_REQUIRED = False
    NOTE = "A new MANUAL execution runs the units that did not succeed."

    def params(self) -> ops.Redo:
        return self.redo()

    def dry_run(self, params: ops.Redo, reason: str | None) -> ops.Preview:
        return cast(
            ops.Preview,
            self.services.actions.resume(self.execution.execution_id, reason, dry_run=True, redo=params),
        )

    def perform(self, params: ops.Redo, reason: str | None) -> Done:
        created = cast(
            ops.Created,
            self.services.actions.resume(self.execution.execution_id, reason, dry_run=False, redo=params),
        )
        return Done(
            f"#{created.execution_id} created: resumes #{self.execution.execution_id} "
            f"({len(created.preview.units)} unit(s))",
            created.execution_id,
        )


@dataclass(frozen=True)
class ReplayParams:
    kind: str  # failed | all | RANGE | SINGLE | FULL
    job_id: str | None
    date_from: date | None
    date_to: date | None
    target: str | None
    redo: ops.Redo = SAFE


class ReplayDialog(RedoDialog):
    HEADING = "Replay"
    VERB = "replay"
    ROWS: ClassVar[dict[str, tuple[str, ...]]] = {
        "failed": (),
        "all": (),
        "RANGE": ("job", "from", "to"),
        "SINGLE": ("job", "target", "from", "to"),
        "FULL": ("job",),
    }

    def __init__(self, execution: Execution | None = None, *, job_id: str | None = None) -> None:
        super().__init__()
        self.execution = execution
        self.job_id = execution.job_id if execution is not None else job_id
        self.failed_targets: list[str] = []

    def kinds(self) -> list[tuple[str, str]]:
        options = []
        e = self.execution
        if e is not None:
            word = "unfinished" if e.status == "STOPPED" and not e.units_failed else "failed"
            options.append((f"the {word} units of #{e.execution_id}", "failed"))
            options.append((f"all units of #{e.execution_id}", "all"))
        options += [
            ("RANGE: a date range of the job", "RANGE"),
            ("SINGLE: one target (account/portfolio)", "SINGLE"),
            ("FULL: the job's whole recorded period", "FULL"),
        ]
        return options

    def default_kind(self) -> str:
        e = self.execution
        if e is None:
            return "RANGE"
        return "failed" if e.units_failed or e.status in ("FAILED", "STOPPED") else "all"

    def what(self) -> Text:
        if self.execution is None:
            return Text(
                "A new REPLAY execution; existing results are kept and superseded, never overwritten."
            )
        text = describe_execution(self.execution)
        text.append("\nExisting results are kept (inactive), never overwritten.", style="dim")
        return text

    def form(self) -> ComposeResult:
        e = self.execution
        jobs = [d.job_id for d in self.services.actions.registry]
        if self.job_id and self.job_id not in jobs:
            jobs.insert(0, self.job_id)
        yield field(
            "kind",
            "replay",
            Select(
                [(label, value) for label, value in self.kinds()],
                value=self.default_kind(),
                allow_blank=False,
                id="kind",
                compact=True,
            ),
        )
        yield field(
            "job",
            "job",
            Select(
                [(j, j) for j in jobs],
                value=self.job_id if self.job_id else Select.NULL,
                allow_blank=not jobs or not self.job_id,
                id="job",
                compact=True,
                prompt="choose a job",
            ),
        )
        yield field(
            "target", "target", Input(placeholder="one account or portfolio", id="target", compact=True)
        )
        yield field(
            "from",
            "from",
            Input(
                value=e.business_date_from.isoformat() if e else "",
                placeholder=DATE_FORMS,
                id="from",
                compact=True,
            ),
        )
        yield field(
            "to",
            "to",
            Input(
                value=e.business_date_to.isoformat() if e else "",
                placeholder="(same as from)",
                id="to",
                compact=True,
            ),
        )

    def kind(self) -> str:
        return str(self.query_one("#kind", Select).value)

    def layout_changed(self) -> None:
        shown = self.ROWS.get(self.kind(), ())
        for name in ("job", "target", "from", "to"):
            self.query_one(f"#row-{name}").display = name in shown
        if self.kind() == "SINGLE":
            target = self.query_one("#target", Input)
            if not target.value and self.failed_targets:
                target.value = self.failed_targets[0]

    def params(self) -> ReplayParams:
        kind = self.kind()
        redo = self.redo()
        if kind in ("failed", "all"):
            return ReplayParams(kind, None, None, None, None, redo)
        job = self.query_one("#job", Select).value
        if job is Select.NULL:
            raise BadInput("choose a job")
        today = self.today()
        start = optional_date(self.query_one("#from", Input).value, "from", today)
        end = optional_date(self.query_one("#to", Input).value, "to", today)
        target = None
        if kind == "SINGLE":
            target = self.query_one("#target", Input).value.strip()
            if not target:
                raise BadInput("SINGLE needs a target", hint="type one account or portfolio")
        elif kind == "RANGE":
            if start is None:
                raise BadInput("RANGE needs a from date", hint=f"use {DATE_FORMS}")
            end = end or start
        else:
            start = end = None
        if start is not None and end is not None:
            self.check_span(start, end)
        return ReplayParams(kind, str(job), start, end, target, redo)

    def request(self, p: ReplayParams) -> ReplayRequest:
        if p.kind in ("failed", "all"):
            assert self.execution is not None
            return ReplayOf(self.execution.execution_id, failed_only=p.kind == "failed")
        assert p.job_id is not None
        if p.kind == "FULL":
            return ReplayFull(p.job_id)
        if p.kind == "SINGLE":
            assert p.target is not None
            return ReplaySingle(p.job_id, p.target, p.date_from, p.date_to)
        assert p.date_from is not None and p.date_to is not None
        return ReplayRange(p.job_id, p.date_from, p.date_to)

    def dry_run(self, params: ReplayParams, reason: str | None) -> ops.Preview:
        return cast(
            ops.Preview,
            self.services.actions.replay(self.request(params), reason=reason, dry_run=True, redo=params.redo),
        )

    def _previewed(self, params: Hashable, preview: ops.Preview) -> None:
        if isinstance(params, ReplayParams) and params.kind == "failed" and not self.failed_targets:
            self.failed_targets = planning.targets_of(preview.units)
        super()._previewed(params, preview)

    def perform(self, params: ReplayParams, reason: str | None) -> Done:
        created = cast(
            ops.Created, self.services.actions.replay(self.request(params), reason=reason, redo=params.redo)
        )
        kind = created.preview.replay_kind or ""
        return Done(
            f"REPLAY #{created.execution_id} created ({kind}, {len(created.preview.units)} unit(s) of "
            f"{created.preview.job_id})",
            created.execution_id,
        )


class RollbackDialog(OneExecutionDialog):
    HEADING = "Roll back execution"
    VERB = "roll back"
    NOTE = (
        "Deactivates the results this execution made active and brings back the ones it superseded, "
        "except for keys a newer execution or compensation has taken since."
    )

    def confirm_words(self) -> str:
        words = f"roll back execution #{self.execution.execution_id}"
        reopens = self.preview.reopens if isinstance(self.preview, ops.RollbackPreview) else ()
        if reopens:
            return f"⚠ RE-OPEN failure(s) {', '.join(f'#{i}' for i in reopens)} ({words})"
        return words

    def preview_renderable(self, preview: Any) -> Text:
        head, warned, warning = preview.describe().partition("; ⚠")
        text = Text(head)
        if warned:  # "⚠ re-opens failure(s) #89: …" on a line of its own
            text.append("\n⚠" + warning, style=WARNING)
        skipped = preview.plan.skipped
        if skipped:
            shown = ", ".join(f"{d}/{t}" for d, t in skipped[:UNITS_SHOWN])
            more = len(skipped) - UNITS_SHOWN
            text.append(f"\nleft alone: {shown}" + (f" … and {more} more" if more > 0 else ""), style="dim")
        return text

    def dry_run(self, params: Any, reason: str | None) -> ops.RollbackPreview:
        return self.services.actions.rollback(self.execution.execution_id, reason, dry_run=True)

    def perform(self, params: Any, reason: str | None) -> Done:
        execution_id = self.execution.execution_id
        done = self.services.actions.rollback(execution_id, reason, dry_run=False)
        plan = done.plan
        return Done(
            f"#{execution_id} rolled back: {len(plan.deactivate)} result(s) deactivated, "
            f"{len(plan.reactivate)} reactivated",
            execution_id,
        )
