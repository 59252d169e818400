"""The dialogs of failures as work items: acknowledge one open failure, replay several at once.

Acknowledging takes a reason and leaves who, when and why beside the failure; it is no fix (the units stay
failed) and ops refuses it for a failure that is not open, naming why. The bulk replay creates one REPLAY
of the failed units still open per source execution (``ReplayOf(id, failed_only=True)``), each linked to
the failure it fixes, all in one transaction: one reason, one combined preview, the redo boxes for all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from c1console import ops
from c1console.screens.dialogs.base import ActionDialog, Done, describe_execution
from c1console.screens.dialogs.redo import WARNING, RedoDialog

if TYPE_CHECKING:
    from textual import events

    from c1console.queries import Execution

BULK_ROWS = 15  # the bulk dialog's rows besides its preview and boxes (frame, title, note, reason, status…)


class AcknowledgeDialog(ActionDialog):
    """Marks one open failure acknowledged: it leaves the open list; who, when and why are kept."""

    HEADING = "Acknowledge failure"
    VERB = "acknowledge"
    REASON_HINT = "why is it no longer open work? e.g. a false alarm"

    def __init__(self, execution: Execution) -> None:
        super().__init__()
        self.execution = execution

    def what(self) -> Text:
        text = describe_execution(self.execution)
        text.append(
            "\nNo fix: the failed units stay failed. The failure leaves the open list, with who, when and "
            "why kept beside it.",
            style="dim",
        )
        return text

    def open_units(self) -> int:
        e = self.execution
        if e.resolution is not None:
            return e.resolution.open_units
        return e.units_failed or max(e.units_total - e.units_done, 0)

    def dry_run(self, params: Any, reason: str | None) -> str:
        e = self.execution
        self.services.actions.acknowledge(e.execution_id, reason, dry_run=True)
        code = f" {e.error_code}" if e.error_code else ""
        return (
            f"acknowledge #{e.execution_id} {e.job_id}{code}: {self.open_units()} unit(s) still open leave "
            "the open list; kept: who, when, why"
        )

    def preview_renderable(self, preview: Any) -> Text:
        return Text(str(preview))

    def confirm_words(self) -> str:
        return f"acknowledge #{self.execution.execution_id}"

    def perform(self, params: Any, reason: str | None) -> Done:
        execution_id = self.execution.execution_id
        self.services.actions.acknowledge(execution_id, reason)
        return Done(f"#{execution_id} acknowledged: it left the open list", execution_id)


@dataclass(frozen=True)
class BulkParams:
    execution_ids: tuple[int, ...]
    redo: ops.Redo


class PreviewScroll(VerticalScroll):
    """The bulk preview, scrolled with the arrow keys once tabbed to; enter reviews or confirms."""

    DEFAULT_CSS = """
    PreviewScroll {
        height: auto;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "proceed", "review", show=False)]

    def action_proceed(self) -> None:
        screen = self.screen
        if isinstance(screen, ActionDialog):
            screen.proceed()


def source_line(p: ops.Preview) -> Text:
    """One source execution of a bulk replay: what its REPLAY runs, and what it leaves out or redoes."""
    days = f"{p.date_from}" if p.date_from == p.date_to else f"{p.date_from}..{p.date_to}"
    line = Text.assemble(
        (f"#{p.replay_of} ", "bold"),
        f"{p.job_id} → REPLAY {p.replay_kind or ''} {len(p.units)} unit(s) {days}",
    )
    for said in p.redo.lines():
        if said.startswith("⚠"):
            line.append(f"\n  {said}", style=WARNING)
        else:
            line.append(f"; {said}", style="dim")
    return line


class BulkReplayDialog(RedoDialog):
    """Replays the failed units still open of several executions: one REPLAY per source execution."""

    HEADING = "Replay marked failures"
    VERB = "replay"

    def __init__(self, executions: list[Execution]) -> None:
        super().__init__()
        self.executions = list({e.execution_id: e for e in executions}.values())

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(e.execution_id for e in self.executions)

    def what(self) -> Text:
        n = len(self.executions)
        shown = ", ".join(f"#{i}" for i in self.ids[:8]) + (f" and {n - 8} more" if n > 8 else "")
        text = Text.assemble((f"{n} execution(s): ", "bold"), shown)
        text.append(
            "\nCreates one REPLAY per source execution, each linked to its source, of its failed units still "
            "open; all in one transaction (one refused: none created).",
            style="dim",
        )
        return text

    def preview_area(self) -> ComposeResult:
        with PreviewScroll(id="preview-scroll"):
            yield from super().preview_area()

    def on_resize(self, event: events.Resize) -> None:
        self.fit_preview()

    def show_box(self, name: str) -> None:
        super().show_box(name)
        self.fit_preview()

    def fit_preview(self) -> None:
        """The preview scrolls within what the terminal leaves of the dialog (all of it fits 80x24)."""
        boxes = sum(1 for row in self.query(".redo-row") if row.display)
        for scroll in self.query("#preview-scroll"):
            scroll.styles.max_height = max(3, self.size.height - BULK_ROWS - boxes)

    def params(self) -> BulkParams:
        return BulkParams(self.ids, self.redo())

    def dry_run(self, params: BulkParams, reason: str | None) -> list[ops.Preview]:
        return cast(
            list[ops.Preview],
            self.services.actions.replay_many(
                list(params.execution_ids), reason=reason, dry_run=True, redo=params.redo
            ),
        )

    def too_large(self, preview: Any) -> str | None:
        for p in preview if isinstance(preview, list) else []:
            large = super().too_large(p)
            if large is not None:
                return f"#{p.replay_of}: {large}"
        return None

    def preview_renderable(self, preview: Any) -> Text:
        previews = cast(list[ops.Preview], preview)
        text = Text()
        for p in previews:
            text.append_text(source_line(p))
            text.append("\n")
        units = sum(len(p.units) for p in previews)
        supersedes = sum(p.supersedes for p in previews)
        left_out = sum(len(p.redo.left_out) for p in previews)
        text.append(
            f"total: {len(previews)} REPLAY execution(s), {units} unit(s); {supersedes} active result(s) "
            "would be superseded (kept, inactive)" + (f"; {left_out} unit(s) left out" if left_out else ""),
            style="bold",
        )
        return text

    def confirm_words(self) -> str:
        previews = cast(list[ops.Preview], self.preview or [])
        units = sum(len(p.units) for p in previews)
        words = f"create {len(previews)} REPLAY execution(s) ({units} unit(s))"
        warning = self.redo_warning()
        return f"⚠ {warning} ({words})" if warning else words

    def perform(self, params: BulkParams, reason: str | None) -> Done:
        created = cast(
            list[ops.Created],
            self.services.actions.replay_many(list(params.execution_ids), reason=reason, redo=params.redo),
        )
        ids = tuple(c.execution_id for c in created)
        pairs = ", ".join(f"#{c.execution_id} ← #{c.preview.replay_of}" for c in created)
        return Done(f"{len(ids)} REPLAY execution(s) created: {pairs}", ids[0] if ids else None, ids)
