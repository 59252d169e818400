"""Modal dialogs: the four execution actions, pause/resume of a job, and the filters.

Every action dialog works the same way: a small form prefilled from what is selected, a reason, and a
preview of what will happen computed by the very ops function that will do it (``dry_run=True``). The
first ``enter`` reviews (checks the fields and the reason, shows the preview, arms), the second confirms.
Changing any field disarms. ``esc`` or ``ctrl+c`` with a reason typed asks first: the first press only
warns, a second one discards — a typed reason is never lost by one stray key.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from c1console import ops, planning
from c1console.checklists import Daily, Monthly
from c1console.errors import BadInput, Problem, Refused
from c1console.inputs import (
    DATE_FORMS,
    parse_choice,
    parse_date,
    parse_id,
    parse_reason,
    parse_text,
    printable,
)
from c1console.screens.widgets import DbCalls, dates, one_line, problem_text, status_text, verdict_text
from c1console.store.executions import RUN_TYPES, STATUSES, TERMINAL, Execution
from c1console.store.jobs import JobRow
from c1console.store.results import Compensation
from c1console.store.views import ExecutionFilter

if TYPE_CHECKING:
    from c1console.screens.app import ConsoleApp

PREVIEW_DELAY = 0.3  # seconds of quiet typing before the preview is recomputed
UNITS_SHOWN = 4  # units listed under a preview
DEFAULT_UNIT_BOUND = 10_000  # Settings.large_run_units when the console has no session


@dataclass(frozen=True)
class Done:
    """What a confirmed action did: the notification text and the execution to put the cursor on."""

    message: str
    execution_id: int | None = None


def field(name: str, label: str, widget: Widget) -> Horizontal:
    return Horizontal(Label(label, classes="field-label"), widget, id=f"row-{name}", classes="field")


def optional_date(text: str, what: str, today: date) -> date | None:
    return parse_date(text, what, today=today) if text.strip() else None


def describe_execution(e: Execution) -> Text:
    line = Text.assemble(
        (f"#{e.execution_id} ", "bold"),
        e.job_id,
        " · ",
        e.run_type,
        " · ",
        status_text(e.status),
        f" · {dates(e)} · {e.units_done}/{e.units_total} units done",
    )
    if e.units_failed:
        line.append(f", {e.units_failed} failed", style="red")
    return line


def preview_text(preview: ops.Preview) -> Text:
    text = Text(preview.describe())
    shown = ", ".join(f"{d}/{t}" for d, t in preview.units[:UNITS_SHOWN])
    more = len(preview.units) - UNITS_SHOWN
    text.append(f"\nunits: {shown}" + (f" … and {more} more" if more > 0 else ""), style="dim")
    return text


class ConsoleModal(DbCalls, ModalScreen[Any]):
    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def today(self) -> date:
        return self.console.clock().date()

    def unit_bound(self) -> int:
        """The most units one run started from the console may have (the CLI needs --yes beyond it)."""
        settings = getattr(self.console.actions.session, "settings", None)
        return int(getattr(settings, "large_run_units", DEFAULT_UNIT_BOUND))

    def check_span(self, start: date, end: date) -> None:
        """Refuses a date range no preview should even plan: longer than any run the console starts."""
        bound = self.unit_bound()
        planning.check_span(
            start, end, bound, f"the console starts runs of at most {bound} units; narrow the range"
        )


# Action dialogs ------------------------------------------------------------------------------------------


class ActionDialog(ConsoleModal):
    HEADING: ClassVar[str] = ""
    VERB: ClassVar[str] = ""
    REASON_REQUIRED: ClassVar[bool] = True
    PREVIEWS: ClassVar[bool] = True
    REASON_LABEL: ClassVar[str] = "reason"
    REASON_HINT: ClassVar[str] = "why?"
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "cancel", show=False),
        Binding("ctrl+c", "cancel", "cancel", show=False, priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preview: Any = None  # an ops.Preview, or what dry_run returns (RollbackPreview)
        self.preview_problem: str | None = None
        self.preview_params: Hashable | None = None
        self.armed: tuple[Hashable, str | None] | None = None
        self.arm_when_previewed: tuple[Hashable, str | None] | None = None
        self.busy = False
        self.discard_armed = False
        self._preview_timer: Timer | None = None

    # To implement ------------------------------------------------------------------------------------

    def what(self) -> Text:
        return Text()

    def form(self) -> ComposeResult:
        yield from ()

    def params(self) -> Hashable:
        """The form's values, checked (a Problem says what is wrong); the reason is not part of them."""
        return ()

    def dry_run(self, params: Any) -> Any:
        raise NotImplementedError

    def preview_renderable(self, preview: Any) -> Text:
        return preview_text(preview)

    def perform(self, params: Any, reason: str | None) -> Done:
        raise NotImplementedError

    def confirm_words(self) -> str:
        if self.preview is not None:
            return f"{self.VERB} {len(self.preview.units)} unit(s) of {self.preview.job_id}"
        return self.VERB

    # Layout ------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        need = "required" if self.REASON_REQUIRED else "optional"
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Text(self.HEADING, style="bold"), id="dialog-title")
            yield Static(self.what(), id="dialog-what")
            yield from self.form()
            yield field(
                "reason",
                self.REASON_LABEL,
                Input(
                    placeholder=f"{self.REASON_HINT} ({need}; goes to the audit log)",
                    id="reason",
                    compact=True,
                ),
            )
            yield Static(id="preview")
            yield Static(id="dialog-status")
            with Horizontal(id="dialog-buttons"):
                yield Button("enter review", id="proceed", variant="primary", compact=True)
                yield Button("esc cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()
        self.layout_changed()
        if self.PREVIEWS:
            self.refresh_preview()
        else:
            self.query_one("#preview", Static).display = False

    def layout_changed(self) -> None:
        """Subclasses show or hide rows here."""

    # State -------------------------------------------------------------------------------------------

    def reason_text(self) -> str:
        return self.query_one("#reason", Input).value

    def say(self, text: str | Text, style: str = "") -> None:
        self.query_one("#dialog-status", Static).update(
            Text(text, style=style) if isinstance(text, str) else text
        )

    def disarm(self) -> None:
        if self.armed is not None:
            self.armed = None
            self.query_one("#proceed", Button).label = "enter review"
            self.say("")

    def arm(self, params: Hashable, reason: str | None) -> None:
        self.armed = (params, reason)
        self.query_one("#proceed", Button).label = "enter confirm"
        self.say(
            Text.assemble(
                ("press enter again to ", "bold"),
                (self.confirm_words(), "bold reverse"),
                ("  (esc goes back)", "dim"),
            )
        )

    def show_preview(self) -> None:
        widget = self.query_one("#preview", Static)
        if self.preview_problem is not None:
            widget.update(Text(self.preview_problem, style="red"))
        elif self.preview is not None:
            widget.update(self.preview_renderable(self.preview))
        else:
            widget.update(Text("computing the preview…", style="dim"))

    def refresh_preview(self) -> None:
        self._preview_timer = None
        try:
            params = self.params()
        except Problem as problem:
            self.preview, self.preview_params, self.preview_problem = None, None, str(problem)
            self.show_preview()
            return
        if params != self.preview_params or (self.preview is None and self.preview_problem is None):
            self.start_preview(params)

    def start_preview(self, params: Hashable) -> None:
        self.preview, self.preview_params, self.preview_problem = None, params, None
        self.show_preview()
        self.call_db(
            lambda: self.dry_run(params),
            lambda preview: self._previewed(params, preview),
            failed=lambda exc: self._preview_failed(params, exc),
            group="preview",
            exclusive=True,
        )

    def too_large(self, preview: Any) -> str | None:
        """Why the console will not start this run: more units than the CLI runs without --yes."""
        bound = self.unit_bound()
        if isinstance(preview, ops.Preview) and len(preview.units) > bound:
            return (
                f"{len(preview.units)} unit(s) of {preview.job_id}: more than {bound} units — narrow it, "
                "or run it from the command line with --yes"
            )
        return None

    def _previewed(self, params: Hashable, preview: Any) -> None:
        if params != self.preview_params:
            return
        large = self.too_large(preview)
        if large is not None:
            self.preview_problem = large
            self.show_preview()
            if self.arm_when_previewed is not None:
                self.arm_when_previewed = None
                self.say(large, "red")
            return
        self.preview = preview
        self.show_preview()
        waiting, self.arm_when_previewed = self.arm_when_previewed, None
        if waiting is not None and waiting[0] == params:
            self.arm(*waiting)

    def _preview_failed(self, params: Hashable, exc: BaseException) -> None:
        if params != self.preview_params:
            return
        self.preview_problem = problem_text(exc)
        self.show_preview()
        if self.arm_when_previewed is not None:
            self.arm_when_previewed = None
            self.say(self.preview_problem, "red")

    def fields_changed(self) -> None:
        self.disarm()
        self.discard_armed = False
        if self.PREVIEWS:
            if self._preview_timer is not None:
                self._preview_timer.stop()
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self.refresh_preview)

    # Events ------------------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "reason":
            self.disarm()
            self.discard_armed = False
        else:
            self.fields_changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.layout_changed()
        self.fields_changed()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.proceed()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "proceed":
            self.proceed()
        else:
            self.action_cancel()

    def on_key(self, event: events.Key) -> None:
        if event.key not in ("escape", "ctrl+c") and self.discard_armed:
            self.discard_armed = False
            self.say("")

    def proceed(self) -> None:
        if self.busy:
            return
        self.discard_armed = False
        try:
            params = self.params()
            reason = parse_reason(self.reason_text(), required=self.REASON_REQUIRED)
        except Problem as problem:
            self.disarm()
            self.say(str(problem), "red")
            return
        if self.armed == (params, reason):
            self.submit(params, reason)
        elif not self.PREVIEWS or (params == self.preview_params and self.preview is not None):
            self.arm(params, reason)
        elif params == self.preview_params and self.preview_problem is not None:
            self.say(self.preview_problem, "red")
        else:
            self.arm_when_previewed = (params, reason)
            if params != self.preview_params:
                self.start_preview(params)

    def submit(self, params: Hashable, reason: str | None) -> None:
        self.busy = True
        self.say("working…", "bold")
        self.call_db(lambda: self.perform(params, reason), self._done, failed=self._failed, group="submit")

    def _done(self, done: Done) -> None:
        self.busy = False
        self.app.notify(done.message, title="done", timeout=8)
        self.dismiss(done)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.disarm()
        text = problem_text(exc)
        self.say(text, "red")
        self.app.notify(
            text, severity="error", title="refused" if isinstance(exc, Refused) else "failed", timeout=10
        )

    def action_cancel(self) -> None:
        if self.busy:
            self.say("working… the action is already on its way", "bold")
            return
        if self.reason_text().strip() and not self.discard_armed:
            self.discard_armed = True
            self.say(
                Text.assemble(
                    ("a reason is typed: ", "bold yellow"),
                    "press esc again to discard it, any other key keeps editing",
                )
            )
            return
        self.dismiss(None)


class StopDialog(ActionDialog):
    HEADING = "Stop execution"
    VERB = "stop"
    PREVIEWS = False

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution

    @staticmethod
    def refusal(e: Execution) -> str | None:
        if e.status in TERMINAL:
            return f"execution {e.execution_id} is already {e.status} — only READY or RUNNING stop"
        return None

    def what(self) -> Text:
        text = describe_execution(self.execution)
        text.append(
            "\nREADY stops at once; RUNNING stops at its next unit boundary. Finished units keep their "
            "results; resume (R) runs the rest later.",
            style="dim",
        )
        return text

    def confirm_words(self) -> str:
        return f"stop execution #{self.execution.execution_id}"

    def perform(self, params: Any, reason: str | None) -> Done:
        execution_id = self.execution.execution_id
        state = self.console.actions.stop(execution_id, reason)
        if state == "RUNNING":
            return Done(
                f"stop of #{execution_id} requested: it stops at its next unit boundary", execution_id
            )
        return Done(f"#{execution_id} stopped", execution_id)


class RollbackDialog(ActionDialog):
    HEADING = "Roll back execution"
    VERB = "roll back"

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution

    @staticmethod
    def refusal(e: Execution) -> str | None:
        if e.status not in TERMINAL:
            return f"execution {e.execution_id} is {e.status} — stop it and let it finish first"
        return None

    def what(self) -> Text:
        text = describe_execution(self.execution)
        text.append(
            "\nDeactivates the results this execution made active and brings back the ones it superseded, "
            "except for keys a newer execution or compensation has taken since.",
            style="dim",
        )
        return text

    def confirm_words(self) -> str:
        return f"roll back execution #{self.execution.execution_id}"

    def preview_renderable(self, preview: Any) -> Text:
        text = Text(preview.describe())
        skipped = preview.plan.skipped
        if skipped:
            shown = ", ".join(f"{d}/{t}" for d, t in skipped[:UNITS_SHOWN])
            more = len(skipped) - UNITS_SHOWN
            text.append(f"\nleft alone: {shown}" + (f" … and {more} more" if more > 0 else ""), style="dim")
        return text

    def dry_run(self, params: Any) -> ops.RollbackPreview:
        return self.console.actions.rollback(self.execution.execution_id, None, dry_run=True)

    def perform(self, params: Any, reason: str | None) -> Done:
        execution_id = self.execution.execution_id
        done = self.console.actions.rollback(execution_id, reason, dry_run=False)
        plan = done.plan
        return Done(
            f"#{execution_id} rolled back: {len(plan.deactivate)} result(s) deactivated, "
            f"{len(plan.reactivate)} reactivated",
            execution_id,
        )


class SignDialog(ActionDialog):
    """Signs the checklist on screen (what was shown is what is stored)."""

    HEADING = "Sign the checklist"
    VERB = "sign"
    PREVIEWS = False
    REASON_LABEL = "comment"
    REASON_HINT = "comment"

    def __init__(self, checklist: Daily | Monthly) -> None:
        super().__init__()
        self.checklist = checklist

    def what(self) -> Text:
        c = self.checklist
        kind = "daily" if isinstance(c, Daily) else "monthly"
        text = Text.assemble(f"the {kind} checklist ", (c.period, "bold"), ": ", verdict_text(c.verdict))
        if c.verdict != "OK":
            text.append(
                f"\nIt needs attention: say in the comment why you sign it anyway (at least "
                f"{ops.MIN_OVERRIDE_COMMENT} characters).",
                style="dim",
            )
        return text

    def confirm_words(self) -> str:
        return f"sign the {self.checklist.period} checklist"

    def perform(self, params: Any, reason: str | None) -> Done:
        signoff_id = self.console.actions.sign_checklist(self.checklist, reason)
        return Done(f"checklist {self.checklist.period} signed (sign-off #{signoff_id})")


class DecideDialog(ActionDialog):
    """Approve or reject a PENDING compensation: approvers only, never the requester (four eyes)."""

    PREVIEWS = False
    REASON_LABEL = "note"
    REASON_HINT = "note"

    def __init__(self, compensation: Compensation, approve: bool) -> None:
        super().__init__()
        self.compensation = compensation
        self.approve = approve
        self.REASON_REQUIRED = not approve
        self.VERB = "approve" if approve else "reject"
        self.HEADING = "Approve compensation" if approve else "Reject compensation"

    def what(self) -> Text:
        c = self.compensation
        text = Text.assemble(
            (f"#{c.compensation_id} ", "bold"),
            f"{c.job_id} {c.business_date} {c.target_key} · requested by {c.requested_by}\n",
            ("payload ", "dim"),
            one_line(json.dumps(c.payload, ensure_ascii=False), 160),
            ("\nreason ", "dim"),
            one_line(c.reason, 160),
        )
        if self.approve:
            text.append("\nThe correction becomes the active result of this key.", style="dim")
        return text

    def confirm_words(self) -> str:
        return f"{self.VERB} compensation #{self.compensation.compensation_id}"

    def perform(self, params: Any, reason: str | None) -> Done:
        c = self.compensation
        result_id = self.console.actions.decide_compensation(
            c.compensation_id, approve=self.approve, note=reason
        )
        if self.approve:
            return Done(f"compensation #{c.compensation_id} approved: result #{result_id} is active")
        return Done(f"compensation #{c.compensation_id} rejected")


class ResumeDialog(ActionDialog):
    HEADING = "Resume execution"
    VERB = "resume"
    REASON_REQUIRED = False

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution

    def what(self) -> Text:
        text = describe_execution(self.execution)
        text.append("\nA new MANUAL execution runs the units that did not succeed.", style="dim")
        return text

    def dry_run(self, params: Any) -> ops.Preview:
        return cast(ops.Preview, self.console.actions.resume(self.execution.execution_id, None, dry_run=True))

    def perform(self, params: Any, reason: str | None) -> Done:
        created = cast(
            ops.Created, self.console.actions.resume(self.execution.execution_id, reason, dry_run=False)
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


class ReplayDialog(ActionDialog):
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
        jobs = [d.job_id for d in self.console.actions.registry]
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
        if kind in ("failed", "all"):
            return ReplayParams(kind, None, None, None, None)
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
        return ReplayParams(kind, str(job), start, end, target)

    def arguments(self, p: ReplayParams) -> dict[str, Any]:
        if p.kind in ("failed", "all"):
            assert self.execution is not None
            return {"of": self.execution.execution_id, "failed_only": p.kind == "failed"}
        if p.kind == "FULL":
            return {"job_id": p.job_id, "full": True}
        return {"job_id": p.job_id, "date_from": p.date_from, "date_to": p.date_to, "target": p.target}

    def dry_run(self, params: ReplayParams) -> ops.Preview:
        return cast(
            ops.Preview, self.console.actions.replay(reason=None, dry_run=True, **self.arguments(params))
        )

    def _previewed(self, params: Hashable, preview: ops.Preview) -> None:
        if isinstance(params, ReplayParams) and params.kind == "failed" and not self.failed_targets:
            self.failed_targets = planning.targets_of(preview.units)
        super()._previewed(params, preview)

    def perform(self, params: ReplayParams, reason: str | None) -> Done:
        created = cast(ops.Created, self.console.actions.replay(reason=reason, **self.arguments(params)))
        kind = created.preview.replay_kind or ""
        return Done(
            f"REPLAY #{created.execution_id} created ({kind}, {len(created.preview.units)} unit(s) of "
            f"{created.preview.job_id})",
            created.execution_id,
        )


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
        return [d.job_id for d in self.console.actions.registry]

    def default_for(self, job_id: str | None) -> date | None:
        definition = self.console.actions.registry.get(job_id) if job_id else None
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
        return self.console.actions.trigger(
            p.job_id,
            date_from=p.date_from,
            date_to=p.date_to,
            targets=list(p.targets) if p.targets else None,
            reason=reason,
            dry_run=dry_run,
        )

    def dry_run(self, params: TriggerParams) -> ops.Preview:
        return cast(ops.Preview, self._call(params, None, True))

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

    def perform(self, params: Any, reason: str | None) -> Done:
        self.console.actions.set_job_paused(self.job.job_id, self.pause, reason)
        return Done(f"job {self.job.job_id} {'paused' if self.pause else 'resumed'}")


# Filters -------------------------------------------------------------------------------------------------


class FormDialog(ConsoleModal):
    """A small form applied with enter; esc closes it (nothing typed here is precious)."""

    HEADING: ClassVar[str] = ""
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "cancel", show=False),
        Binding("ctrl+c", "cancel", "cancel", show=False, priority=True),
    ]

    def rows(self) -> Iterable[Horizontal]:
        return ()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(Text(self.HEADING, style="bold"), id="dialog-title")
            yield from self.rows()
            yield Static(id="dialog-status")
            with Horizontal(id="dialog-buttons"):
                yield Button("enter apply", id="apply", variant="primary", compact=True)
                yield Button("clear all", id="clear", compact=True)
                yield Button("esc cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def result(self) -> Any:
        raise NotImplementedError

    def empty(self) -> Any:
        raise NotImplementedError

    def apply(self) -> None:
        try:
            chosen = self.result()
        except Problem as problem:
            self.query_one("#dialog-status", Static).update(Text(str(problem), style="red"))
            return
        self.dismiss(chosen)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.apply()
        elif event.button.id == "clear":
            self.dismiss(self.empty())
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
        self.call_db(self.console.queries.job_ids, self._jobs_known, failed=lambda _exc: None)

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
