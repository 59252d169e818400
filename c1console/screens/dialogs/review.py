"""The dialogs that review: sign a checklist, approve or reject a compensation (four eyes)."""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static

from c1console import ops
from c1console.checklist_text import already_signed, ordinal
from c1console.checklists import Daily, Monthly
from c1console.screens.cells import one_line, verdict_text
from c1console.screens.dialogs.base import ActionDialog, Done

if TYPE_CHECKING:
    from c1console.queries import Compensation


class SignDialog(ActionDialog):
    """Signs the checklist on screen (what was shown is what is stored). Every sign-off is kept: on a signed
    period the dialog says so when it opens ("already signed by … at …"), the first ``enter``'s dry run
    names the sign-offs the database holds by then, and the question says it ADDs one."""

    HEADING = "Sign the checklist"
    VERB = "sign"
    PREVIEWS = False
    REASON_LABEL = "comment"
    REASON_HINT = "comment"

    def __init__(self, checklist: Daily | Monthly) -> None:
        super().__init__()
        self.checklist = checklist
        # the sign-offs the operator was told of: the screen's, then those the review found
        self.earlier: tuple[dict[str, Any], ...] = tuple(checklist.signoffs)

    def what(self) -> Text:
        c = self.checklist
        kind = "daily" if isinstance(c, Daily) else "monthly"
        text = Text.assemble(f"the {kind} checklist ", (c.period, "bold"), ": ", verdict_text(c.verdict))
        if self.earlier:
            text.append(f"\n⚠ {already_signed(self.earlier, self.services.tz)}", style="bold yellow")
        if c.verdict != "OK":
            text.append(
                f"\nIt needs attention: say in the comment why you sign it anyway (at least "
                f"{ops.MIN_OVERRIDE_COMMENT} characters).",
                style="dim",
            )
        return text

    def confirm_words(self) -> str:
        if self.earlier:
            return f"ADD a {ordinal(len(self.earlier) + 1)} sign-off to the {self.checklist.period} checklist"
        return f"sign the {self.checklist.period} checklist"

    def dry_run(self, params: Any, reason: str | None) -> ops.SignPreview | int:
        return self.services.actions.sign_checklist(self.checklist, reason, dry_run=True)

    def _reviewed(self, params: Hashable, reason: str | None, result: Any) -> None:
        fresh = isinstance(result, ops.SignPreview) and self.reviewing == (params, reason)
        if fresh and result.earlier != self.earlier:  # signed (again) since the screen was read
            self.earlier = result.earlier
            self.query_one("#dialog-what", Static).update(self.what())
        super()._reviewed(params, reason, result)

    def perform(self, params: Any, reason: str | None) -> Done:
        seen = len(self.earlier)
        signoff_id = self.services.actions.sign_checklist(self.checklist, reason, seen=seen)
        again = f"; {seen + 1} sign-offs in all" if seen else ""
        return Done(f"checklist {self.checklist.period} signed (sign-off #{signoff_id}{again})")


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

    def dry_run(self, params: Any, reason: str | None) -> None:
        c = self.compensation
        self.services.actions.decide_compensation(
            c.compensation_id, approve=self.approve, note=reason, dry_run=True
        )

    def perform(self, params: Any, reason: str | None) -> Done:
        c = self.compensation
        result_id = self.services.actions.decide_compensation(
            c.compensation_id, approve=self.approve, note=reason
        )
        if self.approve:
            return Done(f"compensation #{c.compensation_id} approved: result #{result_id} is active")
        return Done(f"compensation #{c.compensation_id} rejected")
