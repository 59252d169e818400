"""Never redo by accident, in the dialogs that replay or resume: two boxes and what the preview warns.

By default ops leaves out the units a later execution fixed since ("left out: 1 unit(s) already replayed by
#1047") and those whose active result an approved compensation wrote. Two boxes say otherwise — "run again
units already replayed since" (``Redo.again``) and "supersede results from approved compensations"
(``Redo.supersede_compensation``); each appears once it is relevant (the preview names such units, or ops
refuses because every unit would be left out) and stays. The boxes' values are part of the dialog's params:
ticking one re-runs the dry run at once, and disarms — the confirming ``enter`` runs exactly the request
the shown preview was computed for, with the same Redo, or reviews again. When the preview warns "⚠ WILL
RUN AGAIN" / "⚠ WILL SUPERSEDE", the confirm prompt says so in capitals: the explicit second confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Checkbox

from c1console import ops
from c1console.errors import Refused
from c1console.ops.redo import AGAIN_HINT, COMPENSATION_HINT, RedoCheck
from c1console.screens.dialogs.base import UNITS_SHOWN, ActionDialog, field

AGAIN_LABEL = "run again units already replayed since"
SUPERSEDE_LABEL = "supersede results from approved compensations"
SAFE = ops.Redo()  # the default: leave out what was fixed since and what a compensation wrote
WARNING = "bold yellow"  # with the ⚠ the lines carry: never colour alone


class RedoBox(Checkbox):
    """A box of the dialog's form: space toggles it; enter reviews or confirms, as from any field. Ticked
    it shows an X, unticked a blank (not a colour alone: NO_COLOR reads it too)."""

    inherit_bindings: ClassVar[bool] = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_button", "toggle", show=False),
        Binding("enter", "proceed", "review", show=False),
    ]
    BUTTON_INNER = " "

    def watch_value(self) -> None:
        self.BUTTON_INNER = "X" if self.value else " "
        super().watch_value()

    def action_proceed(self) -> None:
        screen = self.screen
        if isinstance(screen, ActionDialog):
            screen.proceed()


def redo_checks(preview: Any) -> list[RedoCheck]:
    """The redo checks of a preview: one ops.Preview, or the list a bulk replay previews."""
    if isinstance(preview, ops.Preview):
        return [preview.redo]
    if isinstance(preview, list):
        return [p.redo for p in preview if isinstance(p, ops.Preview)]
    return []


def confirm_warning(checks: Iterable[RedoCheck]) -> str:
    """What the confirm prompt leads with when the action redoes: '' when it does not."""
    checks = list(checks)
    fixed = sum(len(c.fixed) for c in checks if c.redo.again)
    by = sorted({i for c in checks if c.redo.again for i in c.fixed.values()})
    compensated = sum(len(c.compensated) for c in checks if c.redo.supersede_compensation)
    comps = sorted(
        {x.compensation_id for c in checks if c.redo.supersede_compensation for x in c.compensated.values()}
    )
    words = []
    if fixed:
        words.append(f"RUN AGAIN {fixed} unit(s) already replayed by {', '.join(f'#{i}' for i in by)}")
    if compensated:
        words.append(
            f"SUPERSEDE {compensated} result(s) from approved compensation "
            + ", ".join(f"#{i}" for i in comps)
        )
    return " and ".join(words)


def redo_lines(check: RedoCheck) -> Text:
    """The check's lines, one each: a warning (⚠, bold) when it is done, dim when it is left out."""
    text = Text()
    for line in check.lines():
        text.append("\n" + line, style=WARNING if line.startswith("⚠") else "dim")
    return text


def describe_head(preview: ops.Preview) -> str:
    """``describe()`` without the redo lines (they are shown one a line below it)."""
    head = preview.describe()
    for line in preview.redo.lines():
        head = head.replace("; " + line, "")
    return head


def preview_with_redo(preview: ops.Preview) -> Text:
    """A replay or resume preview: what it runs, what it redoes or leaves out, and its first units."""
    text = Text(describe_head(preview))
    text.append_text(redo_lines(preview.redo))
    shown = ", ".join(f"{d}/{t}" for d, t in preview.units[:UNITS_SHOWN])
    more = len(preview.units) - UNITS_SHOWN
    text.append(f"\nunits: {shown}" + (f" … and {more} more" if more > 0 else ""), style="dim")
    return text


class RedoDialog(ActionDialog):
    """An action dialog with the two redo boxes, below the reason."""

    def after_reason(self) -> ComposeResult:
        for name, label in (("again", AGAIN_LABEL), ("supersede", SUPERSEDE_LABEL)):
            row = field(name, "", RedoBox(label, id=name, compact=True))
            row.add_class("redo-row")
            row.display = False
            yield row

    def redo(self) -> ops.Redo:
        boxes = self.query(RedoBox)
        if not boxes:  # opened as the console quits: never composed
            return SAFE
        return ops.Redo(
            again=self.query_one("#again", RedoBox).value,
            supersede_compensation=self.query_one("#supersede", RedoBox).value,
        )

    def show_box(self, name: str) -> None:
        """Once relevant, a box stays shown: the form does not jump under the operator's hand."""
        for row in self.query(f"#row-{name}"):
            row.display = True

    def show_relevant_boxes(self, preview: Any) -> None:
        checks = redo_checks(preview)
        if any(c.fixed for c in checks):
            self.show_box("again")
        if any(c.compensated for c in checks):
            self.show_box("supersede")

    # A box changed: what was previewed and armed is stale -----------------------------------------------

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self.inputs_changed()
        if self._preview_timer is not None:
            self._preview_timer.stop()
            self._preview_timer = None
        self.refresh_preview()  # at once: the preview shown is the one the next enter reviews

    # What the preview and the refusals say --------------------------------------------------------------

    def problem_of(self, exc: BaseException) -> str:
        if isinstance(exc, Refused) and exc.hint == AGAIN_HINT:
            self.show_box("again")
            return f"{exc.message} — to run them anyway, tick '{AGAIN_LABEL}' (tab to it, space)"
        if isinstance(exc, Refused) and exc.hint == COMPENSATION_HINT:
            self.show_box("supersede")
            return f"{exc.message} — to replace them anyway, tick '{SUPERSEDE_LABEL}' (tab to it, space)"
        return super().problem_of(exc)

    def preview_renderable(self, preview: Any) -> Text:
        return preview_with_redo(preview)

    def show_preview(self) -> None:
        if self.preview is not None and self.preview_problem is None:
            self.show_relevant_boxes(self.preview)
        super().show_preview()

    def redo_warning(self) -> str:
        return confirm_warning(redo_checks(self.preview)) if self.preview is not None else ""

    def confirm_words(self) -> str:
        words = super().confirm_words()
        warning = self.redo_warning()
        return f"⚠ {warning} ({words})" if warning else words
