"""The dialogs of issue 15: acknowledge a failure, replay marked failures in bulk, and never redo by
accident — the redo boxes re-run the dry run, and the confirming enter runs exactly the request the shown
preview was computed for (same Redo), or reviews again. On fixed data, and against the real database and
runner for the resolved failure replayed again."""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from c1console import ops
from c1console.scheduler.runner import Runner
from c1console.screens import dialogs
from c1console.screens.app import ConsoleApp
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.tables import move_cursor_to
from c1console.store.engine import Database
from tests.console import fixed
from tests.console.test_console_pilot import console, home_with, latest_id
from tests.runtime import wait_for, wait_terminal

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
AGAIN = ops.Redo(again=True)
SAFE = ops.Redo()
ARMED = "press enter again to "


def text_of(dialog: dialogs.ActionDialog, widget: str) -> str:
    return str(dialog.query_one(widget, Static).render())


def execution(execution_id: int) -> Any:
    return fixed.FixedQueries().by_id[execution_id]


def calls(app: ConsoleApp, name: str, *, dry_run: bool | None = None) -> list[dict[str, Any]]:
    return [
        c[1]
        for c in app.actions.calls  # type: ignore[attr-defined]
        if c[0] == name and (dry_run is None or c[1]["dry_run"] is dry_run)
    ]


def redo_of(call: dict[str, Any]) -> ops.Redo:
    return call.get("redo", SAFE)  # type: ignore[no-any-return]


class Opened:
    """A dialog pushed over the fixed executions screen; ``done`` is what its callback received."""

    def __init__(self) -> None:
        self.done: list[dialogs.Done | None] = []


async def opened(pilot: Pilot[Any], app: ConsoleApp, dialog: dialogs.ActionDialog) -> Opened:
    await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded)
    result = Opened()
    app.push_screen(dialog, result.done.append)
    await wait_for(pilot, lambda: app.screen is dialog and dialog.query("#reason"), what="the dialog")
    await previewed(pilot, dialog)
    return result


async def previewed(pilot: Pilot[Any], dialog: dialogs.ActionDialog) -> None:
    await wait_for(
        pilot,
        lambda: dialog.preview is not None or dialog.preview_problem is not None,
        what="the preview",
    )


async def enter(pilot: Pilot[Any], dialog: dialogs.ActionDialog) -> str:
    """Presses enter; returns the status line once the review armed the dialog or refused."""
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: dialog.reviewing is None and (dialog.armed is not None or dialog.refusal is not None),
        what="the review",
    )
    return text_of(dialog, "#dialog-status")


async def type_reason(pilot: Pilot[Any], dialog: dialogs.ActionDialog, reason: str) -> None:
    box = dialog.query_one("#reason", Input)
    box.focus()
    await pilot.press(*reason)


async def tick(pilot: Pilot[Any], dialog: dialogs.ActionDialog, name: str) -> None:
    """Tabs from the reason to the box (it is shown, below the reason), presses space, waits for the new
    preview the tick computes."""
    box = dialog.query_one(f"#{name}", dialogs.RedoBox)
    assert box.parent is not None and box.parent.display, f"the {name} box is not shown"
    reason = dialog.query_one("#reason", Input)
    reason.focus()
    await wait_for(pilot, lambda: reason.has_focus)
    while not box.has_focus:
        await pilot.press("tab")
    before = box.value
    await pilot.press("space")
    await wait_for(pilot, lambda: box.value is not before, what="the box to toggle")
    await previewed(pilot, dialog)


# Acknowledge -------------------------------------------------------------------------------------------


async def test_acknowledge_previews_then_confirms_with_the_reason() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.AcknowledgeDialog(execution(1045))
        result = await opened(pilot, app, dialog)
        preview = text_of(dialog, "#preview")
        assert "acknowledge #1045 performance_calc C1-LOG-005: 6 unit(s) still open leave the open list" in (
            preview.replace("\n", " ")
        )
        await type_reason(pilot, dialog, "month-end rerun covers it")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "acknowledge #1045"), status
        assert calls(app, "acknowledge") == [
            {"execution_id": 1045, "reason": None, "dry_run": True},  # the preview, as it opened
            {"execution_id": 1045, "reason": "month-end rerun covers it", "dry_run": True},  # the review
        ]
        await pilot.press("enter")
        await wait_for(pilot, lambda: result.done, what="the dialog to close")
        assert result.done == [dialogs.Done("#1045 acknowledged: it left the open list", 1045)]
        assert calls(app, "acknowledge", dry_run=False) == [
            {"execution_id": 1045, "reason": "month-end rerun covers it", "dry_run": False}
        ]


async def test_acknowledging_a_resolved_failure_is_refused_in_ops_words() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.AcknowledgeDialog(execution(fixed.FAILED_ID))
        await opened(pilot, app, dialog)
        refusal = f"execution {fixed.FAILED_ID} is resolved by #1047: nothing open to acknowledge"
        assert dialog.preview_problem == refusal  # said as the dialog opens
        await type_reason(pilot, dialog, "false alarm")
        status = await enter(pilot, dialog)
        assert status == refusal and dialog.armed is None
        assert refusal not in text_of(dialog, "#preview")  # said once: in the status line
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.reviewing is None and dialog.refusal is not None)
        assert not calls(app, "acknowledge", dry_run=False)


# Bulk replay -------------------------------------------------------------------------------------------


async def test_bulk_replay_shows_one_combined_preview_and_creates_one_replay_per_source() -> None:
    app = fixed.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        marked = [execution(i) for i in (1045, 1040, fixed.FAILED_ID)]
        dialog = dialogs.BulkReplayDialog(marked)
        result = await opened(pilot, app, dialog)
        what = text_of(dialog, "#dialog-what").replace("\n", " ")
        assert "one REPLAY per source execution, each linked to its source" in what
        preview = text_of(dialog, "#preview")
        assert "#1045 performance_calc → REPLAY RANGE 6 unit(s) 2026-10-30" in preview
        assert "#1040 market_price_ingest → REPLAY RANGE 2 unit(s) 2026-11-02" in preview
        assert "#1042 position_reconciliation → REPLAY SINGLE 1 unit(s) 2026-11-02" in preview
        assert "total: 3 REPLAY execution(s), 9 unit(s)" in preview
        await type_reason(pilot, dialog, "feeds fixed")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "create 3 REPLAY execution(s) (9 unit(s))"), status
        await pilot.press("enter")
        await wait_for(pilot, lambda: result.done, what="the dialog to close")
        done = result.done[0]
        assert done is not None and done.execution_id == fixed.NEW_ID
        assert done.created == (fixed.NEW_ID, fixed.NEW_ID + 1, fixed.NEW_ID + 2)
        assert calls(app, "replay_many", dry_run=False) == [
            {"ids": [1045, 1040, fixed.FAILED_ID], "reason": "feeds fixed", "dry_run": False, "redo": SAFE}
        ]


async def test_bulk_replay_of_a_resolved_failure_goes_ahead_only_with_the_again_box() -> None:
    app = fixed.build_app()
    app.actions.already_replayed[fixed.FAILED_ID] = 1047  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = dialogs.BulkReplayDialog([execution(1040), execution(fixed.FAILED_ID)])
        result = await opened(pilot, app, dialog)
        assert dialog.preview_problem is not None
        assert "execution 1042: nothing still failing — its 1 unit(s) were already replayed by #1047" in (
            dialog.preview_problem
        )
        assert "tick 'run again units already replayed since'" in dialog.preview_problem
        await type_reason(pilot, dialog, "rerun both")
        status = await enter(pilot, dialog)
        assert "nothing still failing" in status and dialog.armed is None
        await tick(pilot, dialog, "again")
        assert "⚠ WILL RUN AGAIN: 1 unit(s) already replayed by #1047" in text_of(dialog, "#preview")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "⚠ RUN AGAIN 1 unit(s) already replayed by #1047"), status
        await pilot.press("enter")
        await wait_for(pilot, lambda: result.done, what="the dialog to close")
        writes = calls(app, "replay_many", dry_run=False)
        assert [w["redo"] for w in writes] == [AGAIN]


# Never redo by accident ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["replay", "resume"])
async def test_the_again_box_re_previews_and_the_confirm_runs_the_same_redo(which: str) -> None:
    app = fixed.build_app()
    app.actions.already_replayed[fixed.FAILED_ID] = 1047  # type: ignore[attr-defined]
    async with app.run_test(size=SIZE) as pilot:
        failed = execution(fixed.FAILED_ID)
        dialog = dialogs.ReplayDialog(failed) if which == "replay" else dialogs.ResumeDialog(failed)
        result = await opened(pilot, app, dialog)
        # refused as it opens: everything would be left out; the box that goes ahead is shown
        assert dialog.preview_problem is not None and "nothing still failing" in dialog.preview_problem
        await type_reason(pilot, dialog, "custodian resent again")
        before = len(calls(app, which))
        await tick(pilot, dialog, "again")
        ticked = calls(app, which)[before:]
        assert ticked and all(redo_of(c) == AGAIN and c["dry_run"] for c in ticked)  # the dry run, again
        preview = text_of(dialog, "#preview")
        assert "⚠ WILL RUN AGAIN: 1 unit(s) already replayed by #1047" in preview
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "⚠ RUN AGAIN 1 unit(s) already replayed by #1047"), status
        await pilot.press("enter")
        await wait_for(pilot, lambda: result.done, what="the dialog to close")
        reviewed = [c for c in calls(app, which, dry_run=True) if c.get("reason", "x") is not None]
        assert redo_of(reviewed[-1]) == AGAIN
        assert [redo_of(c) for c in calls(app, which, dry_run=False)] == [AGAIN]


async def test_a_box_changed_after_the_preview_forces_a_new_review() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.ReplayDialog(execution(fixed.FAILED_ID))
        result = await opened(pilot, app, dialog)
        dialog.query_one("#kind", Select).value = "all"  # all 8 units: ACC-1003 was fixed by #1047
        await wait_for(pilot, lambda: dialog.preview is not None and len(dialog.preview.units) == 7)
        assert "left out: 1 unit(s) already replayed by #1047" in text_of(dialog, "#preview")
        await type_reason(pilot, dialog, "all again")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "replay 7 unit(s)"), status
        # ticked after the preview armed: disarmed, previewed again; the next enter reviews, never confirms
        await tick(pilot, dialog, "again")
        assert dialog.armed is None and text_of(dialog, "#dialog-status") == ""
        assert dialog.preview is not None and len(dialog.preview.units) == 8
        assert "⚠ WILL RUN AGAIN: 1 unit(s) already replayed by #1047" in text_of(dialog, "#preview")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "⚠ RUN AGAIN 1 unit(s)"), status
        assert not calls(app, "replay", dry_run=False)
        # and back: the armed RUN AGAIN is not what the box says any more
        await tick(pilot, dialog, "again")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "replay 7 unit(s)"), status
        assert not calls(app, "replay", dry_run=False)
        await pilot.press("enter")
        await wait_for(pilot, lambda: result.done, what="the dialog to close")
        writes = calls(app, "replay", dry_run=False)
        assert len(writes) == 1 and redo_of(writes[0]) == SAFE and writes[0]["failed_only"] is False


async def test_a_compensated_result_is_left_out_and_named_until_the_supersede_box() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.ReplayDialog(job_id=fixed.VALUATION)
        result = await opened(pilot, app, dialog)
        dialog.query_one("#from", Input).value = "2026-11-02"
        await wait_for(pilot, lambda: dialog.preview is not None and len(dialog.preview.units) == 11)
        left_out = (
            "left out: 1 result(s) from approved compensation #3 (approved by carol) on 2026-11-02/PF-002"
        )
        assert left_out in text_of(dialog, "#preview").replace("\n", " ")
        assert not dialog.query_one("#row-again").display  # nothing fixed since: only the relevant box
        await type_reason(pilot, dialog, "revalue Monday")
        await tick(pilot, dialog, "supersede")
        assert "⚠ WILL SUPERSEDE: 1 result(s) from approved compensation #3" in text_of(dialog, "#preview")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "⚠ SUPERSEDE 1 result(s) from approved compensation #3"), status
        await pilot.press("enter")
        await wait_for(pilot, lambda: result.done, what="the dialog to close")
        writes = calls(app, "replay", dry_run=False)
        assert [redo_of(w) for w in writes] == [ops.Redo(supersede_compensation=True)]


async def test_rollback_warns_of_the_failures_it_re_opens() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = dialogs.RollbackDialog(execution(1047))  # the replay that fixed FAILED_ID
        await opened(pilot, app, dialog)
        assert "\n⚠ re-opens failure(s) #1042" in text_of(dialog, "#preview")
        await type_reason(pilot, dialog, "wrong custodian file")
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + "⚠ RE-OPEN failure(s) #1042"), status


# Against the real database and runner ---------------------------------------------------------------------

DAY = date(2026, 11, 2)


async def test_replaying_a_resolved_failure_from_the_dialog_needs_the_again_box(
    runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
) -> None:
    from c1console.requests import ReplayOf

    created = ops.trigger(alice, "flaky", date_from=DAY)
    assert isinstance(created, ops.Created)
    failed = created.execution_id
    assert wait_terminal(db, failed).status == "FAILED"
    fix = ops.replay(alice, ReplayOf(failed, failed_only=True), reason="feed fixed")
    assert isinstance(fix, ops.Created)
    assert wait_terminal(db, fix.execution_id).status == "SUCCESS"
    app = console(db, alice)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await home_with(pilot, app, failed, fix.execution_id)
        assert move_cursor_to(home.table, str(failed))
        await pilot.press("r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen)
        await previewed(pilot, dialog)
        await type_reason(pilot, dialog, "run it again anyway")
        status = await enter(pilot, dialog)
        assert f"nothing still failing — its 1 unit(s) were already replayed by #{fix.execution_id}" in status
        assert dialog.armed is None
        await tick(pilot, dialog, "again")
        assert f"⚠ WILL RUN AGAIN: 1 unit(s) already replayed by #{fix.execution_id}" in text_of(
            dialog, "#preview"
        )
        status = await enter(pilot, dialog)
        assert status.startswith(ARMED + f"⚠ RUN AGAIN 1 unit(s) already replayed by #{fix.execution_id}")
        assert latest_id(raw, "replay_of = %s", failed) == fix.execution_id  # nothing created yet
        await pilot.press("enter")
        again = await wait_for(
            pilot,
            lambda: (n := latest_id(raw, "replay_of = %s", failed)) != fix.execution_id and n,
            what="the second REPLAY",
        )
        details = raw.execute(
            "SELECT details FROM c1.audit_log WHERE action = 'exec.replay' AND execution_id = %s", (again,)
        ).fetchone()[0]
        assert details["again"] is True
        assert details["warned"]["already_replayed"] == {f"{DAY} T3": fix.execution_id}
