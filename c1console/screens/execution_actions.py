"""Stop, resume, replay, roll back and acknowledge one execution, the same from every screen that shows
one; replay several marked ones at once.

In order: the role (a viewer is told why not, as for every action), an execution to act on, the refusal
its state gives — the same state rule ops applies, so an action ops would refuse at once is refused before
its dialog opens — and then the dialog, whose preview is ops' own dry run. What follows a confirmed action
(where the cursor goes) is the screen's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from c1console.queries import TERMINAL, not_open
from c1console.screens.base import ConsoleScreen
from c1console.screens.dialogs import (
    AcknowledgeDialog,
    ActionDialog,
    BulkReplayDialog,
    Done,
    ReplayDialog,
    ResumeDialog,
    RollbackDialog,
    StopDialog,
)

if TYPE_CHECKING:
    from c1console.queries import Execution

ExecutionAction = Literal["stop", "resume", "replay", "rollback", "acknowledge"]


def stop_refusal(e: Execution) -> str | None:
    if e.status in TERMINAL:
        return f"execution {e.execution_id} is already {e.status} — only READY or RUNNING stop"
    return None


def rollback_refusal(e: Execution) -> str | None:
    if e.status not in TERMINAL:
        return f"execution {e.execution_id} is {e.status} — stop it and let it finish first"
    return None


def ack_refusal(e: Execution) -> str | None:
    """Only an open failure is acknowledged: ops' rule and words (ops/failures.py), on the state the row
    was read with (ops checks again at the dry run and at the confirm)."""
    n, r = e.execution_id, e.resolution
    if r is None:
        if e.status in ("FAILED", "STOPPED"):
            return None  # its state is not known here: the dialog's dry run asks ops
        return f"execution {n} is {e.status} — only FAILED or STOPPED ones are acknowledged"
    why = not_open(r)
    return None if why is None else " — ".join(part for part in why if part)


DIALOGS: dict[ExecutionAction, Callable[[Execution], ActionDialog]] = {
    "stop": StopDialog,
    "resume": ResumeDialog,
    "replay": ReplayDialog,
    "rollback": RollbackDialog,
    "acknowledge": AcknowledgeDialog,
}
# What the execution's state refuses before any dialog (resume and replay: the dialog's preview says).
REFUSALS: dict[ExecutionAction, Callable[[Execution], str | None]] = {
    "stop": stop_refusal,
    "rollback": rollback_refusal,
    "acknowledge": ack_refusal,
}


class ExecutionActions:
    """The actions on an execution for one screen: ``missing`` is what it says when it has none to act
    on; ``after`` gets what a dialog did (None when cancelled)."""

    def __init__(self, screen: ConsoleScreen, *, missing: str, after: Callable[[Done | None], None]) -> None:
        self.screen = screen
        self.missing = missing
        self.after = after

    def open(self, action: ExecutionAction, execution: Execution | None) -> None:
        screen = self.screen
        if not screen.allowed(action):
            return
        if execution is None:
            screen.notify(self.missing, severity="warning")
            return
        refusal = REFUSALS.get(action)
        problem = refusal(execution) if refusal is not None else None
        if problem:
            screen.notify(problem, severity="error", title="refused")
            return
        screen.app.push_screen(DIALOGS[action](execution), self.after)

    def open_many(self, executions: list[Execution], *, after: Callable[[Done | None], None]) -> None:
        """The bulk replay of marked executions (newest first): its preview is ops' dry run of them all."""
        screen = self.screen
        if not screen.allowed("replay"):
            return
        if not executions:
            screen.notify("the marked executions are gone — mark them again", severity="warning")
            return
        screen.app.push_screen(BulkReplayDialog(executions), after)
