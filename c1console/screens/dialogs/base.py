"""What every dialog shares: the modal base, the two-step action dialog and the small filter form.

Every action dialog works the same way: a small form prefilled from what is selected, a reason, and a
preview of what will happen computed by the very ops function that will do it (``dry_run=True``). The
first ``enter`` reviews: it checks the fields and the reason, then runs that ops dry run with the reason
typed — every check confirming makes (reason, role, state, four eyes), nothing written — and only then
shows the preview and arms; a refusal is said there, once, and "press enter again" is never shown for
what confirming would refuse. The second ``enter`` confirms. Changing any field disarms. ``esc`` or
``ctrl+c`` with a reason typed asks first: the first press only warns, a second one discards — a typed
reason is never lost by one stray key.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from c1console import ops, planning
from c1console.errors import BadInput, Problem, Refused
from c1console.inputs import parse_date, parse_reason
from c1console.screens.cells import dates, status_text
from c1console.screens.services import Hosted
from c1console.screens.workers import DbCalls, problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution

PREVIEW_DELAY = 0.3  # seconds of quiet typing before the preview is recomputed
UNITS_SHOWN = 4  # units listed under a preview
CANCEL_KEYS: list[BindingType] = [
    Binding("escape", "cancel", "cancel", show=False),
    Binding("ctrl+c", "cancel", "cancel", show=False, priority=True),
]


@dataclass(frozen=True)
class Done:
    """What a confirmed action did: the notification text and the execution to put the cursor on; an
    action that created several (a bulk replay) lists them all in ``created``, the first one first."""

    message: str
    execution_id: int | None = None
    created: tuple[int, ...] = ()


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


class ConsoleModal(Hosted, DbCalls, ModalScreen[Any]):
    """A dialog: what it uses of the console is ``services``."""

    def today(self) -> date:
        return self.services.clock().date()

    def unit_bound(self) -> int:
        """The most units one run started from the console may have (the CLI needs --yes beyond it)."""
        return self.services.settings.large_run_units

    def check_span(self, start: date, end: date) -> None:
        """Refuses a date range no preview should even plan: longer than any run the console starts."""
        bound = self.unit_bound()
        planning.check_span(
            start, end, bound, f"the console starts runs of at most {bound} units; narrow the range"
        )


# Action dialogs ------------------------------------------------------------------------------------------


class ActionDialog(ConsoleModal):
    # Per dialog; a dialog may set them per instance (approve or reject, pause or resume).
    HEADING: str = ""
    VERB: str = ""
    REASON_REQUIRED: bool = True
    PREVIEWS: ClassVar[bool] = True
    REASON_LABEL: ClassVar[str] = "reason"
    REASON_HINT: ClassVar[str] = "why?"
    BINDINGS: ClassVar[list[BindingType]] = CANCEL_KEYS

    def __init__(self) -> None:
        super().__init__()
        self.preview: Any = None  # an ops.Preview, or what dry_run returns (RollbackPreview)
        self.preview_problem: str | None = None
        self.preview_params: Hashable | None = None
        self.armed: tuple[Hashable, str | None] | None = None
        self.reviewing: tuple[Hashable, str | None] | None = None  # the first enter's dry run, on its way
        self.refusal: str | None = None  # what the status line refuses (the preview area never repeats it)
        self.busy = False
        self.discard_armed = False
        self._preview_timer: Timer | None = None
        self._choosing: Select[Any] | None = None  # the drop-down whose list the operator opened

    # To implement ------------------------------------------------------------------------------------

    def what(self) -> Text:
        return Text()

    def form(self) -> ComposeResult:
        yield from ()

    def params(self) -> Hashable:
        """The form's values, checked (a Problem says what is wrong); the reason is not part of them."""
        return ()

    def dry_run(self, params: Any, reason: str | None) -> Any:
        """``perform``'s ops call with ``dry_run=True``: the preview as the fields change (reason None), and
        the first ``enter``'s review with the reason typed, which refuses whatever confirming would."""
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
        # Scrolls when taller than the terminal (80x24 with a long preview); focus keeps fields in view.
        with VerticalScroll(id="dialog", classes="dialog", can_focus=False):
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
            yield from self.after_reason()
            yield from self.preview_area()
            yield Static(id="dialog-status")
            with Horizontal(id="dialog-buttons"):
                yield Button("enter review", id="proceed", variant="primary", compact=True)
                yield Button("esc cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        reason = self.query("#reason").results(Input)
        field = next(reason, None)
        if field is None:  # opened as the console quits: Textual mounts it without composing it
            return
        field.focus()
        self.layout_changed()
        if self.PREVIEWS:
            self.refresh_preview()
        else:
            self.query_one("#preview", Static).display = False

    def after_reason(self) -> ComposeResult:
        """Rows below the reason (the redo boxes: typed the reason, tab reaches them)."""
        yield from ()

    def preview_area(self) -> ComposeResult:
        """Where the preview goes (a dialog whose preview may be long wraps it in a scroll area)."""
        yield Static(id="preview")

    def layout_changed(self) -> None:
        """Subclasses show or hide rows here."""

    def problem_of(self, exc: BaseException) -> str:
        """What the dialog says of a refusal: ops' own line (a dialog may name its own field instead)."""
        return problem_text(exc)

    # State -------------------------------------------------------------------------------------------

    def reason_text(self) -> str:
        return self.query_one("#reason", Input).value

    def checked_reason(self) -> str | None:
        """The reason typed, checked by the same rules as ops; a missing one is asked for in the dialog's
        own words (ops' hint names the command line's flag)."""
        text = self.reason_text()
        if self.REASON_REQUIRED and not text.strip():
            raise BadInput(f"a {self.REASON_LABEL} is required", hint=f"type a {self.REASON_LABEL}")
        return parse_reason(text, required=False)

    def say(self, text: str | Text, style: str = "") -> None:
        status = self.query_one("#dialog-status", Static)
        status.update(Text(text, style=style) if isinstance(text, str) else text)
        if text:
            status.scroll_visible(animate=False)
        if self.refusal is not None:
            self.refusal = None
            self.show_preview()  # a problem the status line said is the preview area's again

    def refuse(self, text: str) -> None:
        """Says why not in the status line; the preview area, when it says the same, leaves it to that."""
        self.say(text, "red")
        self.refusal = text
        self.show_preview()

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
            shown = "" if self.preview_problem == self.refusal else self.preview_problem
            widget.update(Text(shown, style="red"))
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
            lambda: self.dry_run(params, None),
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
        else:
            self.preview = preview
        self.show_preview()

    def _preview_failed(self, params: Hashable, exc: BaseException) -> None:
        if params != self.preview_params:
            return
        self.preview_problem = self.problem_of(exc)
        self.show_preview()

    def inputs_changed(self) -> None:
        """What was reviewed or refused is not what is typed any more."""
        self.disarm()
        self.reviewing = None
        self.discard_armed = False
        if self.refusal is not None:
            self.say("")
        self.query_one("#proceed", Button).label = "enter review"

    def fields_changed(self) -> None:
        self.inputs_changed()
        if self.PREVIEWS:
            if self._preview_timer is not None:
                self._preview_timer.stop()
            self._preview_timer = self.set_timer(PREVIEW_DELAY, self.refresh_preview)

    # Events ------------------------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "reason":
            self.inputs_changed()
        else:
            self.fields_changed()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.layout_changed()
        self.fields_changed()
        if event.select is self._choosing:  # chosen from its list (not its first value, set at mount)
            self._choosing = None
            self.focus_after(event.select)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        parent = event.widget.parent
        if isinstance(parent, Select):  # its open list: the operator is choosing
            self._choosing = parent

    def focus_after(self, widget: Widget) -> None:
        """Focus the first field shown after ``widget``'s row (the reason when it is the last): what is
        typed after choosing from a drop-down goes there, and ``enter`` reviews instead of reopening it."""
        rows = list(self.query(".field"))
        row = next((r for r in rows if widget in r.walk_children()), None)
        if row is None:
            return
        for later in rows[rows.index(row) + 1 :]:
            if not later.display:
                continue
            target = next((w for w in later.query("Input, Select") if w.focusable), None)
            if target is not None:
                target.focus()
                return

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
            reason = self.checked_reason()
        except Problem as problem:
            self.disarm()
            self.refuse(str(problem))
            return
        if self.armed == (params, reason):
            self.submit(params, reason)
        elif self.reviewing != (params, reason):  # else that review is on its way: it arms or refuses
            self.review(params, reason)

    def review(self, params: Hashable, reason: str | None) -> None:
        """The first enter: ops' dry run with what is typed, then arm; or say why confirming would fail."""
        self.disarm()
        if self.refusal is not None:
            self.say("")
        self.reviewing = (params, reason)
        self.query_one("#proceed", Button).label = "checking…"
        self.call_db(
            lambda: self.dry_run(params, reason),
            lambda result: self._reviewed(params, reason, result),
            failed=lambda exc: self._review_failed(params, reason, exc),
            group="review",
            exclusive=True,
        )

    def _reviewed(self, params: Hashable, reason: str | None, result: Any) -> None:
        if self.reviewing != (params, reason):
            return
        self.reviewing = None
        self.query_one("#proceed", Button).label = "enter review"
        large = self.too_large(result)
        if large is not None:
            self.refuse(large)
            return
        if self.PREVIEWS:  # what confirming does, as checked now (the reason included)
            self.preview, self.preview_params, self.preview_problem = result, params, None
            self.show_preview()
        self.arm(params, reason)

    def _review_failed(self, params: Hashable, reason: str | None, exc: BaseException) -> None:
        if self.reviewing != (params, reason):
            return
        self.reviewing = None
        self.query_one("#proceed", Button).label = "enter review"
        self.refuse(self.problem_of(exc))

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
        text = self.problem_of(exc)
        self.refuse(text)
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


# Forms -------------------------------------------------------------------------------------------------


class FormDialog(ConsoleModal):
    """A small form applied with enter; esc closes it (nothing typed here is precious)."""

    HEADING: ClassVar[str] = ""
    BINDINGS: ClassVar[list[BindingType]] = CANCEL_KEYS

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
        first = next(self.query(Input).results(Input), None)
        if first is not None:  # None: opened as the console quits, never composed
            first.focus()

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
