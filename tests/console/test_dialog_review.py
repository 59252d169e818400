"""The first enter of every action dialog runs ops' dry run with what is typed (issue 16): whatever the
second enter would refuse is refused at the first, in the dialog's status line only, and "press enter
again" is never shown for it. On fixed data: FixedActions refuses what ops refuses, with its words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from c1console import ops
from c1console.inputs import MAX_REASON
from c1console.screens import dialogs
from c1console.screens.app import ConsoleApp
from c1console.screens.executions import ExecutionsScreen
from tests.console import fixed
from tests.runtime import wait_for

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
ARMED = "press enter again"


def text_of(dialog: dialogs.ActionDialog, widget: str) -> str:
    return str(dialog.query_one(widget, Static).render())


class Watched:
    """Everything a dialog's status line said, so a test can tell "press enter again" was never shown."""

    def __init__(self, dialog: dialogs.ActionDialog) -> None:
        self.said: list[str] = []
        say = dialog.say

        def recording(text: Any, style: str = "") -> None:
            self.said.append(str(text))
            say(text, style)

        dialog.say = recording  # type: ignore[method-assign]


async def opened(pilot: Pilot[Any], app: ConsoleApp, dialog: dialogs.ActionDialog) -> Watched:
    await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded)
    app.push_screen(dialog)
    await wait_for(pilot, lambda: app.screen is dialog and dialog.query("#reason"), what="the dialog")
    if dialog.PREVIEWS:
        await wait_for(
            pilot, lambda: dialog.preview is not None or dialog.preview_problem is not None, what="a preview"
        )
    return Watched(dialog)


async def first_enter(pilot: Pilot[Any], dialog: dialogs.ActionDialog, reason: str) -> str:
    """Types the reason, presses enter once; returns the status line once the review has answered."""
    box = dialog.query_one("#reason", Input)
    box.value = reason
    box.focus()
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: dialog.reviewing is None and (dialog.armed is not None or dialog.refusal is not None),
        what="the review",
    )
    return text_of(dialog, "#dialog-status")


def refused_once(dialog: dialogs.ActionDialog, watched: Watched, status: str, expected: str) -> None:
    assert expected in status, status
    assert dialog.armed is None
    assert not any(ARMED in said for said in watched.said), watched.said
    if dialog.PREVIEWS:
        assert expected not in text_of(dialog, "#preview")  # said once: in the status line


def writes(app: ConsoleApp, name: str) -> list[dict[str, Any]]:
    return [c[1] for c in app.actions.calls if c[0] == name and c[1].get("dry_run") is False]  # type: ignore[attr-defined]


def execution(execution_id: int) -> Any:
    return fixed.FixedQueries().by_id[execution_id]


def compensation(compensation_id: int) -> Any:
    return next(c for c in fixed.compensations() if c.compensation_id == compensation_id)


def job(job_id: str) -> Any:
    return next(j for j in fixed.job_rows() if j.job_id == job_id)


def small_runs(app: ConsoleApp, units: int) -> None:
    app.services = replace(app.services, settings=replace(app.services.settings, large_run_units=units))


# What each refusal needs: the role, the dialog, what changes behind it, the reason typed, the words.
Case = tuple[str, Callable[[], dialogs.ActionDialog], Callable[[ConsoleApp], None], str, str, str]
CASES: dict[str, Case] = {
    # the execution failed after the dialog opened on it (RUNNING): ops refuses to stop it
    "stop_a_failed_execution": (
        "operator",
        lambda: dialogs.StopDialog(execution(fixed.RUNNING_ID)),
        lambda app: app.actions.statuses.__setitem__(fixed.RUNNING_ID, "FAILED"),  # type: ignore[attr-defined]
        "wrong prices loaded",
        f"execution {fixed.RUNNING_ID} is already FAILED",
        "stop",
    ),
    "approve_ones_own_compensation": (
        "approver",
        lambda: dialogs.DecideDialog(compensation(5), approve=True),  # requested by alice
        lambda app: None,
        "looks right",
        "alice requested compensation 5 and cannot approve it — four eyes",
        "decide",
    ),
    "reject_ones_own_compensation": (
        "approver",
        lambda: dialogs.DecideDialog(compensation(5), approve=False),
        lambda app: None,
        "not needed",
        "alice requested compensation 5 and cannot reject it",
        "decide",
    ),
    "approve_as_an_operator": (
        "operator",
        lambda: dialogs.DecideDialog(compensation(4), approve=True),
        lambda app: None,
        "",
        "alice is operator and cannot approve compensations",
        "decide",
    ),
    "sign_with_a_short_comment": (
        "operator",
        lambda: dialogs.SignDialog(fixed.daily_checklist(fixed.MONDAY)),  # needs attention
        lambda app: None,
        "seen",
        f"at least {ops.MIN_OVERRIDE_COMMENT} characters",
        "sign",
    ),
    "pause_a_paused_job": (
        "operator",
        lambda: dialogs.PauseDialog(replace(job(fixed.PRICES), paused=False)),  # paused since it opened
        lambda app: app.actions.paused.__setitem__(fixed.PRICES, True),  # type: ignore[attr-defined]
        "vendor migration",
        f"job {fixed.PRICES} is already paused",
        "pause",
    ),
    "roll_back_a_running_execution": (
        "operator",
        lambda: dialogs.RollbackDialog(execution(1048)),
        lambda app: app.actions.statuses.__setitem__(1048, "RUNNING"),  # type: ignore[attr-defined]
        "wrong mapping",
        "execution 1048 is RUNNING",
        "rollback",
    ),
    "trigger_more_than_the_console_runs": (
        "operator",
        lambda: dialogs.TriggerDialog(fixed.PRICES),  # one day of 5 feeds, over a bound of 3 units
        lambda app: small_runs(app, 3),
        "",
        "5 unit(s) of market_price_ingest: more than 3 units",
        "trigger",
    ),
    "replay_more_than_the_console_runs": (
        "operator",
        lambda: dialogs.ReplayDialog(execution(fixed.FAILED_ID)),  # the failed units: 1
        lambda app: small_runs(app, 0),
        "custodian resent",
        "more than 0 units",
        "replay",
    ),
    "a_reason_too_long": (
        "operator",
        lambda: dialogs.StopDialog(execution(fixed.RUNNING_ID)),
        lambda app: None,
        "x" * (MAX_REASON + 1),
        f"the reason is {MAX_REASON + 1} characters long",
        "stop",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_the_first_enter_refuses_what_confirming_would(name: str) -> None:
    role, make, behind, reason, expected, call = CASES[name]
    app = fixed.build_app(role=role)
    behind(app)
    async with app.run_test(size=SIZE) as pilot:
        dialog = make()
        watched = await opened(pilot, app, dialog)
        status = await first_enter(pilot, dialog, reason)
        refused_once(dialog, watched, status, expected)
        await pilot.press("enter")  # the second enter checks again: still refused, nothing done
        await wait_for(pilot, lambda: dialog.reviewing is None and dialog.refusal is not None)
        refused_once(dialog, watched, text_of(dialog, "#dialog-status"), expected)
        assert not writes(app, call)


@pytest.mark.parametrize(
    ("make", "label"),
    [
        (lambda: dialogs.StopDialog(execution(fixed.RUNNING_ID)), "reason"),
        (lambda: dialogs.SignDialog(fixed.daily_checklist(fixed.MONDAY)), "comment"),
        (lambda: dialogs.DecideDialog(compensation(4), approve=False), "note"),
    ],
)
async def test_a_missing_reason_is_asked_for_without_command_line_flags(
    make: Callable[[], dialogs.ActionDialog], label: str
) -> None:
    app = fixed.build_app(role="approver")
    async with app.run_test(size=SIZE) as pilot:
        dialog = make()
        watched = await opened(pilot, app, dialog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.refusal is not None, what="the refusal")
        status = text_of(dialog, "#dialog-status")
        assert status == f"a {label} is required — type a {label}"
        assert "--" not in status and not any(ARMED in said for said in watched.said)
        assert not app.actions.calls  # type: ignore[attr-defined]


async def test_a_field_error_is_shown_once() -> None:
    """A bad date was shown in the preview area and again in the status line after enter."""
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.TriggerDialog(fixed.PRICES)
        await opened(pilot, app, dialog)
        dialog.query_one("#from", Input).value = "2026-13-01"
        await wait_for(pilot, lambda: dialog.preview_problem is not None, what="the preview's problem")
        expected = "from: '2026-13-01' is not a date"
        assert expected in text_of(dialog, "#preview")  # while typing: the preview area says it
        dialog.query_one("#reason", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.refusal is not None)
        assert expected in text_of(dialog, "#dialog-status")  # after enter: the status line, only
        assert expected not in text_of(dialog, "#preview")
        dialog.query_one("#from", Input).value = "2026-11-02"  # fixing it clears the refusal
        await wait_for(pilot, lambda: dialog.preview is not None, what="the new preview")
        assert text_of(dialog, "#dialog-status") == ""


async def test_a_review_that_passes_arms_with_the_reason_checked_by_ops() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.StopDialog(execution(fixed.RUNNING_ID))
        await opened(pilot, app, dialog)
        status = await first_enter(pilot, dialog, "wrong prices loaded")
        assert status.startswith(ARMED) and dialog.armed is not None
        assert app.actions.calls == [  # type: ignore[attr-defined]
            ("stop", {"execution_id": fixed.RUNNING_ID, "reason": "wrong prices loaded", "dry_run": True})
        ]
        await pilot.press("enter")
        await wait_for(pilot, lambda: writes(app, "stop"), what="the stop")
