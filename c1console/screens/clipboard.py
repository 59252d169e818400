"""`y` and `Y`: what is selected, copied to the clipboard of the operator's terminal.

A screen with something to copy says what (``Copyable.to_copy``): ``y`` the selected id as commands take
it (an execution ``1045``, not ``#1045``; an audit entry; a compensation; a unit's ``DATE TARGET``), ``Y``
its text (a message, a reason, a failed execution as one line for a ticket). The app's action asks the
screen shown, copies with Textual's ``App.copy_to_clipboard`` — an OSC 52 escape the terminal acts on, so
it works over SSH (tmux needs ``set -g set-clipboard on``) — and says what was copied, or why nothing was.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.widgets import TabbedContent

from c1console.screens.cells import dates, one_line
from c1console.screens.detail import DetailScreen, unit_key
from c1console.screens.tables import cursor_key

if TYPE_CHECKING:
    from textual.screen import Screen

    from c1console.queries import Execution

Copy = tuple[str, str]  # (the text, what it is: "execution id", "unit message", …)
SHOWN = 60  # characters of the copied text the notification repeats


@runtime_checkable
class Copyable(Protocol):
    def to_copy(self, detail: bool) -> Copy | None:
        """``detail`` False (``y``): the selected id; True (``Y``): its text. None: nothing selected."""
        ...


def execution_line(e: Execution) -> str:
    """An execution as one line for a ticket: id, job, type, status, dates, error code and summary."""
    line = f"#{e.execution_id} {e.job_id} {e.run_type} {e.status} {dates(e)}"
    if e.error_code:
        line += f" {e.error_code}"
    summary = e.error_summary or e.stop_reason
    return f"{line}: {summary}" if summary else line


def detail_copy(screen: DetailScreen, detail: bool) -> Copy | None:
    """The drill-down's selection by tab (summary: the execution itself)."""
    d = screen.detail
    if d is None:
        return None
    e = d.execution
    tab = screen.query_one(TabbedContent).active
    table = screen.tables.get(tab)
    key = cursor_key(table) if table is not None else None
    if tab == "units":
        unit = next((u for u in d.units if unit_key(u) == key), None)
        if unit is None:
            return None
        if detail:
            return (unit.message or "", "unit message")
        return (f"{unit.business_date} {unit.target_key}", "unit key")
    if tab == "related" and key is not None:
        related = next((r for r in d.related if str(r.execution_id) == key), None)
        if related is not None:
            return (execution_line(related), "execution") if detail else (key, "execution id")
    if tab == "audit" and key is not None:
        entry = next((a for a in d.audit if str(a.audit_id) == key), None)
        if entry is not None:
            return (entry.reason or "", "audit reason") if detail else (key, "audit id")
    if detail and tab == "logs":  # the Logs tab is a log view, not a table (screens/detail_logs.py)
        row = screen.log_view.selected()
        line = next((g for g in d.logs if row is not None and g.log_id == row.log_id), None)
        return (line.message, "log message") if line is not None else None
    if detail and tab == "events" and key is not None:
        event = next((v for v in d.events if str(v.event_id) == key), None)
        return (event.message or "", "event message") if event is not None else None
    return (execution_line(e), "execution") if detail else (str(e.execution_id), "execution id")


def copier(screen: Screen[Any]) -> Callable[[bool], Copy | None] | None:
    """How ``screen`` says what it has to copy; None when it has nothing of the kind (the jobs screen).
    Dialogs and other modal screens never get here: Textual keeps the app's keys from them."""
    if isinstance(screen, Copyable):
        return screen.to_copy
    if isinstance(screen, DetailScreen):  # its tabs' selection, read from its state
        return partial(detail_copy, screen)
    return None


def copied_notice(text: str, what: str) -> str:
    return f"copied {what}: {one_line(text, SHOWN)}"
