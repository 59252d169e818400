"""Rollback, the checklists, alerts and compensations on fixed data: keys, dialogs, the calls they make."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import pytest

from c1console.presentation import NO_ALERT_CHANNEL, timestamp
from c1console.screens import dialogs
from c1console.screens.alerts import AlertsScreen
from c1console.screens.checklists import DailyScreen, MonthlyScreen
from c1console.screens.compensations import CompensationsScreen, HistoryScreen
from c1console.screens.detail import DetailScreen
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.header import header_right
from c1console.screens.tables import move_cursor_to
from tests.console import fixed
from tests.runtime import wait_for

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
T = TypeVar("T")


def calls(app: Any, name: str, *, dry_run: bool | None = None) -> list[dict[str, Any]]:
    return [
        c[1]
        for c in app.actions.calls
        if c[0] == name and (dry_run is None or c[1].get("dry_run") is dry_run)
    ]


async def test_rollback_previews_then_calls_ops_with_the_reason() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        home = await wait_for(
            pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded and app.screen
        )
        assert move_cursor_to(home.table, "1048")
        await pilot.press("b")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.RollbackDialog) and app.screen)
        await wait_for(pilot, lambda: dialog.preview is not None, what="the rollback preview")
        await pilot.press("enter")  # no reason: refused in the dialog, nothing done
        assert dialog.armed is None and not calls(app, "rollback", dry_run=False)
        await pilot.press(*"wrong mapping", "enter")
        await wait_for(pilot, lambda: dialog.armed is not None, what="the review")
        await pilot.press("enter")
        await wait_for(pilot, lambda: calls(app, "rollback", dry_run=False), what="the rollback")
        assert calls(app, "rollback", dry_run=False)[0] == {
            "execution_id": 1048,
            "reason": "wrong mapping",
            "dry_run": False,
        }
        # a RUNNING execution is refused before any dialog
        assert move_cursor_to(home.table, str(fixed.RUNNING_ID))
        await pilot.press("b")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ExecutionsScreen)


async def test_rollback_from_the_drill_down() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        home = await wait_for(
            pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded and app.screen
        )
        assert move_cursor_to(home.table, str(fixed.FAILED_ID))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.detail)
        await pilot.press("b")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.RollbackDialog) and app.screen)
        assert dialog.execution.execution_id == fixed.FAILED_ID


async def test_viewer_cannot_roll_back_sign_or_decide() -> None:
    app = fixed.build_app(role="viewer")
    said: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (said.append(message), notify(message, **kw))[1]  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded)
        await pilot.press("down", "down", "b")
        await wait_for(pilot, lambda: any("cannot rollback" in s for s in said))
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen.checklist)
        await pilot.press("S")
        await wait_for(pilot, lambda: any("cannot sign" in s for s in said))
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, CompensationsScreen) and app.screen.items)
        await pilot.press("a")
        await wait_for(pilot, lambda: any("cannot decide" in s for s in said))
        assert not [c for c in app.actions.calls if not c[1].get("dry_run")]  # type: ignore[attr-defined]


async def test_daily_moves_by_day_opens_and_replays_failures() -> None:
    queries = fixed.FixedQueries()
    asked: list[date] = []
    daily = queries.daily
    queries.daily = lambda day, **kw: (asked.append(day), daily(day, **kw))[1]  # type: ignore[method-assign]
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen.checklist and app.screen
        )
        assert asked == [fixed.MONDAY]  # the previous business day of Tuesday
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.checklist.business_date == date(2026, 11, 1))
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: screen.checklist.business_date == fixed.TODAY)
        # r on a resolved failure: refused; n moves to the open one (past 1040, handed on to it), N stays
        # on it (the only one); r there: the replay dialog of its execution
        await pilot.press("r")
        await pilot.pause(0.1)
        assert app.screen is screen
        await pilot.press("n")
        assert screen.selected() is not None and screen.selected().execution_id == 1041  # type: ignore[union-attr]
        await pilot.press("N")
        assert screen.selected() is not None and screen.selected().execution_id == 1041  # type: ignore[union-attr]
        await pilot.press("r")
        replay = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen)
        assert replay.execution is not None and replay.execution.execution_id == 1041
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("enter")
        detail = await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen)
        assert detail.execution_id == 1041
        await pilot.press("4")  # again on the same screen: closes the drill-down
        await wait_for(pilot, lambda: app.screen is screen)


async def test_sign_the_daily_checklist_with_a_comment() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen.checklist)
        await pilot.press("S")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.SignDialog) and app.screen)
        await pilot.press(*"OPS-2215 follows the TSE feed")
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.armed is not None, what="the review")
        await pilot.press("enter")
        await wait_for(pilot, lambda: calls(app, "sign", dry_run=False))
        comment = "OPS-2215 follows the TSE feed"
        assert calls(app, "sign") == [
            {"period": "2026-11-02", "comment": comment, "dry_run": True},  # the review: ops' checks
            {"period": "2026-11-02", "comment": comment, "dry_run": False},
        ]


async def test_monthly_moves_by_month() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, MonthlyScreen) and app.screen.checklist and app.screen
        )
        assert screen.checklist.month == "2026-10"
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: screen.checklist.month == "2026-09")
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(pilot, lambda: screen.checklist.month == "2026-11")
        assert len(screen.checklist.failures_per_day) == 30


async def test_alerts_open_their_execution() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("6")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, AlertsScreen) and app.screen.items and app.screen
        )
        assert move_cursor_to(screen.table, "77")
        await pilot.press("enter")
        detail = await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen)
        assert detail.execution_id == 1040


async def test_compensation_approve_reject_and_history() -> None:
    app = fixed.build_app(role="approver")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("7")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, CompensationsScreen) and app.screen.items and app.screen
        )
        assert move_cursor_to(screen.table, "4")
        await pilot.press("x")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.DecideDialog) and app.screen)
        await pilot.press("enter")  # a rejection needs a note
        assert dialog.armed is None
        await pilot.press(*"no evidence", "enter")
        await wait_for(pilot, lambda: dialog.armed is not None, what="the review")
        await pilot.press("enter")
        await wait_for(pilot, lambda: calls(app, "decide", dry_run=False))
        assert calls(app, "decide", dry_run=False) == [
            {"id": 4, "approve": False, "note": "no evidence", "dry_run": False}
        ]
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("a")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.DecideDialog) and app.screen)
        await pilot.press("enter")  # an approval's note is optional
        await wait_for(pilot, lambda: dialog.armed is not None, what="the review")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(calls(app, "decide", dry_run=False)) == 2)
        assert calls(app, "decide", dry_run=False)[1] == {
            "id": 4,
            "approve": True,
            "note": None,
            "dry_run": False,
        }
        # a decided one is refused before any dialog
        await wait_for(pilot, lambda: app.screen is screen)
        assert move_cursor_to(screen.table, "3")
        await pilot.press("a")
        await pilot.pause(0.1)
        assert app.screen is screen and len(calls(app, "decide", dry_run=False)) == 2
        await pilot.press("h")
        history = await wait_for(
            pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.items and app.screen
        )
        assert history.compensation.compensation_id == 3 and len(history.items) == 2


async def test_help_and_palette_list_the_new_keys() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert any("Daily checklist" in t for t in titles) and any("Compensations" in t for t in titles)
        assert any("Roll back" in t for t in titles)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, CompensationsScreen))
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert any("Approve" in t for t in titles) and any("Reject" in t for t in titles)


async def test_no_alert_channel_is_said_in_the_header_alerts_and_daily_checklist() -> None:
    app = fixed.build_app(alert_channels=())
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded)
        assert "⚠ no alert channel" in header_right(app).plain
        await pilot.press("6")
        alerts = await wait_for(
            pilot, lambda: isinstance(app.screen, AlertsScreen) and app.screen.items and app.screen
        )
        assert NO_ALERT_CHANNEL in alerts.summary(list(alerts.items.values())).plain
        assert NO_ALERT_CHANNEL in alerts.summary([]).plain and "no alerts yet" in alerts.summary([]).plain
        await pilot.press("4")
        daily = await wait_for(
            pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen.checklist and app.screen
        )
        assert daily.checklist.alert_channels == []  # what a sign-off from here keeps
        rest = daily.rest(daily.checklist).plain
        assert f"Alert deliveries that failed  ⚠ {NO_ALERT_CHANNEL}" in rest


async def test_a_configured_channel_keeps_the_header_and_screens_quiet() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded)
        assert "no alert channel" not in header_right(app).plain
        await pilot.press("4")
        daily = await wait_for(
            pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen.checklist and app.screen
        )
        assert daily.checklist.alert_channels == ["slack"]
        assert NO_ALERT_CHANNEL not in daily.rest(daily.checklist).plain


async def test_missed_fires_read_as_console_times() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("4")
        daily = await wait_for(
            pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen.checklist and app.screen
        )
        [missed] = daily.checklist.missed
        rest = daily.rest(daily.checklist).plain
        expected = timestamp(datetime.fromisoformat(missed["scheduled_for"]), app.services.tz)
        assert f"{missed['job_id']} at {expected}" in rest and missed["scheduled_for"] not in rest
