"""`y` copies the selected id and `Y` its text on every screen that has a selection (issue 16): through
Textual's App.copy_to_clipboard (an OSC 52 escape; the app keeps the text in ``app.clipboard``), and a
notification says what was copied — or why nothing was."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from c1console.screens.alerts import AlertsScreen
from c1console.screens.app import ConsoleApp
from c1console.screens.audit import AuditScreen
from c1console.screens.checklists import DailyScreen
from c1console.screens.compensations import CompensationsScreen, HistoryScreen
from c1console.screens.detail import DetailScreen, TracebackScreen
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.help import HelpScreen
from c1console.screens.jobs import JobsScreen
from tests.console import fixed
from tests.runtime import wait_for

pytestmark = pytest.mark.anyio
SIZE = (120, 40)
TO_OPEN = ("down",) * 5  # 1045, FAILED and open
TO_FAILED = ("down",) * 8  # 1042


def notices(app: ConsoleApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def copied(pilot: Pilot[Any], key: str, text: str, notice: str) -> None:
    """Presses ``key``; the clipboard then holds ``text`` and the newest notification says ``notice``."""
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    before = len(notices(app))
    await pilot.press(key)
    await wait_for(pilot, lambda: len(notices(app)) > before, what=f"a notification after {key}")
    assert app.clipboard == text
    assert notices(app)[-1] == notice


async def not_copied(pilot: Pilot[Any], key: str, notice: str) -> None:
    app = pilot.app
    assert isinstance(app, ConsoleApp)
    app.copy_to_clipboard("untouched")
    before = len(notices(app))
    await pilot.press(key)
    await wait_for(pilot, lambda: len(notices(app)) > before, what=f"a notification after {key}")
    assert notices(app)[-1] == notice
    assert app.clipboard == "untouched"


async def shown(pilot: Pilot[Any], kind: type[Any]) -> Any:
    app = pilot.app
    return await wait_for(
        pilot,
        lambda: isinstance(app.screen, kind) and getattr(app.screen, "loaded", True) and app.screen,
        what=kind.__name__,
    )


async def test_executions_y_copies_the_bare_id_and_Y_the_execution_as_one_line() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await copied(pilot, "y", "1050", "copied execution id: 1050")
        await pilot.press(*TO_OPEN)
        await copied(pilot, "y", "1045", "copied execution id: 1045")
        line = (
            "#1045 performance_calc MANUAL FAILED 2026-10-01..10-30 C1-LOG-005: 6 unit(s) failed; first: "
            "PF-004 2026-10-30: period boundary off by one"
        )
        await copied(pilot, "Y", line, f"copied execution: {line[:59]}…")


async def test_audit_y_copies_the_entry_id_and_Y_its_reason() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await pilot.press("3")
        screen = await shown(pilot, AuditScreen)
        await wait_for(pilot, lambda: screen.selected() is not None, what="a selected entry")
        await copied(pilot, "y", "14", "copied audit id: 14")
        await copied(
            pilot,
            "Y",
            "client asked for an intraday revaluation",
            "copied audit reason: client asked for an intraday revaluation",
        )


async def test_drill_down_copies_by_tab() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await pilot.press(*TO_FAILED, "enter")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DetailScreen) and app.screen.detail is not None and app.screen,
        )
        await copied(pilot, "y", "1042", "copied execution id: 1042")  # the summary: the execution
        await pilot.press("right_square_bracket")  # units, the failed one first
        await wait_for(pilot, lambda: "units" in screen.tables, what="the units table")
        await copied(pilot, "y", "2026-11-02 ACC-1003", "copied unit key: 2026-11-02 ACC-1003")
        message = "3 duplicate position records for ISIN KR7005930003 in the KSD custody file"
        await copied(pilot, "Y", message, f"copied unit message: {message[:59]}…")
        await pilot.press("down")  # ACC-1001 succeeded: it has no message
        await not_copied(pilot, "Y", "nothing to copy: the selection has no unit message")
        await pilot.press("left_square_bracket", "left_square_bracket")  # the audit tab (its replay's row)
        await wait_for(pilot, lambda: "audit" in screen.tables, what="the audit table")
        await copied(pilot, "y", "13", "copied audit id: 13")
        await copied(
            pilot, "Y", "custodian resent the file", "copied audit reason: custodian resent the file"
        )
        await pilot.press("left_square_bracket")  # related: the replay 1047
        await wait_for(pilot, lambda: "related" in screen.tables, what="the related table")
        await copied(pilot, "y", "1047", "copied execution id: 1047")


async def test_jobs_and_alerts_copy_the_selected_id_and_Y_a_line() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await pilot.press("2")
        jobs = await shown(pilot, JobsScreen)
        for _ in range(len(jobs.items)):  # to the paused job, wherever the table sorts it
            if jobs.selected() is not None and jobs.selected().paused:
                break
            await pilot.press("down")
        await copied(pilot, "y", "performance_calc", "copied job id: performance_calc")
        line = (
            "performance_calc — Performance calculation · no schedule · paused by bob: "
            "benchmark vendor migration this week"
        )
        await copied(pilot, "Y", line, f"copied job: {line[:59]}…")
        await pilot.press("6")
        alerts = await shown(pilot, AlertsScreen)
        await wait_for(pilot, lambda: alerts.selected() is not None, what="a selected alert")
        await copied(pilot, "y", "80", "copied notification id: 80")
        line = "#80 comp_requested via email PENDING: SMTP 421 try again later"
        await copied(pilot, "Y", line, f"copied notification: {line[:59]}…")


async def test_the_traceback_view_copies_the_unit_key_and_its_traceback() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await pilot.press(*TO_FAILED, "enter")
        screen = await wait_for(
            pilot,
            lambda: isinstance(app.screen, DetailScreen) and app.screen.detail is not None and app.screen,
        )
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: "units" in screen.tables, what="the units table")
        await pilot.press("t")
        await shown(pilot, TracebackScreen)
        await copied(pilot, "y", "2026-11-02 ACC-1003", "copied unit key: 2026-11-02 ACC-1003")
        await pilot.press("Y")
        await wait_for(pilot, lambda: notices(app)[-1].startswith("copied traceback:"), what="the notice")
        assert app.clipboard.startswith("3 duplicate position records for ISIN KR7005930003")
        assert "Traceback (most recent call last):" in app.clipboard
        assert app.clipboard.endswith("KR7005930003 in the KSD custody file")


async def test_compensations_and_result_history_copy_their_ids() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await pilot.press("7")
        screen = await shown(pilot, CompensationsScreen)
        await wait_for(pilot, lambda: screen.selected() is not None, what="a selected compensation")
        await copied(pilot, "y", "5", "copied compensation id: 5")
        reason = "custodian price correction for PF-004"
        await copied(pilot, "Y", reason, f"copied compensation reason: {reason}")
        await pilot.press("h")
        history = await shown(pilot, HistoryScreen)
        await wait_for(pilot, lambda: history.selected() is not None, what="a selected version")
        await copied(pilot, "y", "501", "copied result id: 501")
        await copied(pilot, "Y", '{"nav": 100.9}', 'copied result payload: {"nav": 100.9}')


async def test_nothing_selected_or_nothing_to_copy_is_said_and_the_clipboard_is_kept() -> None:
    queries = fixed.FixedQueries()
    queries.rows = []  # no executions: no row to copy
    queries.by_id = {}
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        await not_copied(pilot, "y", "nothing selected to copy")
        await pilot.press("4")  # the daily checklist has nothing to copy (it exports: e)
        await shown(pilot, DailyScreen)
        await not_copied(pilot, "y", "nothing to copy on this screen")


async def test_y_and_Y_are_in_the_help() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await shown(pilot, ExecutionsScreen)
        keys = {k.shown: k for k in app.KEYS}
        assert keys["y"].action == "copy(False)" and "Copy the selected id" in keys["y"].help
        assert keys["Y"].action == "copy(True)" and "message or reason" in keys["Y"].help
        await pilot.press("question_mark")
        help_screen = await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen)
        from rich.console import Console

        console = Console(width=120, record=True)
        console.print(help_screen.content)
        text = console.export_text()
        assert "Copy the selected id" in text and "Copy the selected message or reason" in text
