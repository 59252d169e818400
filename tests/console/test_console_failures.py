"""Failures as work items on the executions screen and in the header: the resolution column, the open
filter, n/N, marks and the bulk replay, acknowledging, the open count and the new-failure notification.

The fixed fakes (tests/console/fixed) check the screen's rules fast and exactly; the tests at the end run
the issue's "done when" against the real database and runner.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import psycopg
import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static

from c1console import ops
from c1console.queries import OPEN, RESOLVED, ExecutionFilter
from c1console.scheduler.runner import Runner
from c1console.screens import dialogs
from c1console.screens.app import ConsoleApp, Notified
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.help import help_text
from c1console.screens.history_rows import COLUMNS
from c1console.screens.jobs import JobsScreen
from c1console.screens.keys import KeyBar
from c1console.store.engine import Database
from tests.console import fixed
from tests.console.fixed.rows import ACKED_ID, HANDED_ID, OPEN_IDS, ROLLED_BACK_ID, resolution
from tests.console.test_console_pilot import console, home_with, latest_id
from tests.runtime import wait_for, wait_terminal

pytestmark = pytest.mark.anyio
NARROW = (80, 24)
WIDE = (120, 40)
DAY = date(2026, 11, 2)


async def home(pilot: Pilot[Any]) -> ExecutionsScreen:
    app = pilot.app
    return await wait_for(
        pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded and app.screen
    )


def info(screen: ExecutionsScreen) -> str:
    return str(screen.query_one("#info", Static).render())


def cell(screen: ExecutionsScreen, execution_id: int, column: str) -> str:
    return str(screen.table.get_cell(str(execution_id), column).plain)


def selected_id(screen: ExecutionsScreen) -> int | None:
    chosen = screen.selected()
    return chosen.execution_id if chosen is not None else None


def notified(app: ConsoleApp, words: str) -> bool:
    return any(words in str(n.message) for n in app._notifications)


def change(queries: fixed.FixedQueries, execution_id: int, **fields: Any) -> None:
    """An execution changed behind the console (what the next read returns)."""
    new = replace(queries.by_id[execution_id], **fields)
    queries.by_id[execution_id] = new
    queries.rows = [new if e.execution_id == execution_id else e for e in queries.rows]


def add(queries: fixed.FixedQueries, e: Any) -> None:
    queries.rows.insert(0, e)
    queries.by_id[e.execution_id] = e


def live_app(queries: fixed.FixedQueries | None = None) -> ConsoleApp:
    """The fixed console taking notifications in (no listener: the test posts them)."""
    app = fixed.build_app(queries=queries)
    app.live = True
    return app


# The resolution column ---------------------------------------------------------------------------------


async def test_each_row_says_open_or_how_it_was_resolved_in_words() -> None:
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        assert [cell(screen, i, "resolution") for i in OPEN_IDS] == ["● open", "● open"]
        assert cell(screen, fixed.FAILED_ID, "resolution") == "↻ #1047"  # fixed by its replay
        assert cell(screen, fixed.STOPPED_ID, "resolution") == "↻ #1039"  # by its resume
        assert cell(screen, HANDED_ID, "resolution") == "→ #1041"  # its replay failed too
        assert cell(screen, ACKED_ID, "resolution") == "✓ ack"
        assert cell(screen, ROLLED_BACK_ID, "resolution") == "⟲ rolled back"  # a SUCCESS, rolled back
        assert cell(screen, 1048, "resolution") == ""
        # sorted by it: open failures first, the cursor staying on its execution
        await pilot.press(*("down",) * 8)
        assert selected_id(screen) == fixed.FAILED_ID
        screen.sort_by("resolution", reverse=False)
        order = [int(str(row.key.value)) for row in screen.table.ordered_rows]
        assert order[:2] == sorted(OPEN_IDS) and order[2] == HANDED_ID
        assert selected_id(screen) == fixed.FAILED_ID


def visible_columns(screen: ExecutionsScreen) -> list[str]:
    """The columns wholly inside the table's width, left to right (nothing scrolled)."""
    table = screen.table
    room = table.scrollable_content_region.width
    shown, x = [], 0
    for column in table.ordered_columns:
        x += column.get_render_width(table)
        if x <= room:
            shown.append(str(column.key.value))
    return shown


async def test_at_80_columns_status_resolution_progress_and_error_stay_in_view() -> None:
    queries = fixed.FixedQueries()
    two_years = replace(
        queries.by_id[1045],
        execution_id=1051,
        business_date_from=date(2025, 1, 1),
        business_date_to=date(2026, 12, 2),
        job_id="position_reconciliation_eu_and_asia",
    )
    add(queries, two_years)
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=NARROW) as pilot:
        screen = await home(pilot)
        assert 1051 in screen.rows and screen.narrow
        assert visible_columns(screen)[:6] == ["id", "job", "status", "resolution", "progress", "error"]
        assert cell(screen, 1051, "job").endswith("…") and "█" not in cell(
            screen, fixed.RUNNING_ID, "progress"
        )
        await pilot.resize_terminal(*WIDE)
        await wait_for(pilot, lambda: not screen.narrow, what="the wide layout")
        assert cell(screen, 1051, "job") == "position_reconciliation_eu_and_asia"
        assert "█" in cell(screen, fixed.RUNNING_ID, "progress")
        assert [key for key, _label in COLUMNS][:6] == visible_columns(screen)[:6]


# The open filter, and rows leaving it live --------------------------------------------------------------


async def test_u_shows_open_failures_only_and_back() -> None:
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and screen.flt.open_only)
        assert set(screen.rows) == set(OPEN_IDS)
        assert "filter: open failures only" in info(screen)
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and not screen.flt.open_only and len(screen.rows) == 50)
        # the filter dialog keeps it (it has no field for it); x clears it with the rest
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and screen.flt.open_only)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, dialogs.FilterDialog))
        await pilot.press("tab", *"failed", "enter")
        await wait_for(pilot, lambda: screen.loaded and screen.flt.statuses == ("FAILED",))
        assert screen.flt.open_only and set(screen.rows) == set(OPEN_IDS)
        await pilot.press("x")
        await wait_for(pilot, lambda: screen.loaded and screen.flt == ExecutionFilter())


async def test_a_failure_fixed_elsewhere_leaves_the_open_list_and_the_count_drops() -> None:
    queries = fixed.FixedQueries()
    app = live_app(queries)
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await wait_for(pilot, lambda: app.open_count == 2, what="the open count")
        assert "⚠ 2 open" in app.header_right().plain
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and set(screen.rows) == set(OPEN_IDS))
        # a replay of 1041 succeeds: the notification names the replay only; 1041's row is re-read
        fixed_it = resolution(1041, RESOLVED, 1, fixed_by=fixed.NEW_ID, fixed_at=fixed.NOW)
        change(queries, 1041, resolution=fixed_it)
        add(queries, replace(queries.by_id[1047], execution_id=fixed.NEW_ID, replay_of=1041))
        app.post_message(Notified([fixed.NEW_ID], []))
        await wait_for(pilot, lambda: 1041 not in screen.rows, what="1041 to leave the open list")
        assert set(screen.rows) == {1045} and fixed.NEW_ID not in screen.rows
        await wait_for(pilot, lambda: app.open_count == 1, what="the count to drop")
        assert "⚠ 1 open" in app.header_right().plain
        # unfiltered, its row says what fixed it
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and 1041 in screen.rows)
        assert cell(screen, 1041, "resolution") == f"↻ #{fixed.NEW_ID}"


async def test_an_approved_compensation_changes_a_row_on_the_audit_notification() -> None:
    queries = fixed.FixedQueries()
    app = live_app(queries)
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        change(queries, 1045, resolution=resolution(1045, RESOLVED, 6, fixed_by_compensation=3))
        app.post_message(Notified([], [999]))
        await wait_for(pilot, lambda: cell(screen, 1045, "resolution") == "↻ comp #3")
        await wait_for(pilot, lambda: app.open_count == 1)


async def test_a_failure_open_again_comes_into_the_open_list() -> None:
    queries = fixed.FixedQueries()
    app = live_app(queries)
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and set(screen.rows) == set(OPEN_IDS))
        await wait_for(pilot, lambda: app.open_count == 2)
        # the rollback of 1047 re-opens 1042 (only 1047 is notified)
        change(queries, fixed.FAILED_ID, resolution=resolution(fixed.FAILED_ID, OPEN, 1))
        change(queries, 1047, rolled_back_at=fixed.NOW, rolled_back_by="bob")
        app.post_message(Notified([1047], []))
        await wait_for(pilot, lambda: fixed.FAILED_ID in screen.rows, what="1042 back in the open list")
        assert cell(screen, fixed.FAILED_ID, "resolution") == "● open"
        await wait_for(
            pilot, lambda: notified(app, "failure #1042 position_reconciliation C1-DQ-011 — n jumps")
        )


# n / N ---------------------------------------------------------------------------------------------------


async def test_n_and_shift_n_move_between_open_failures() -> None:
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        assert selected_id(screen) == 1050
        await pilot.press("n")
        assert selected_id(screen) == 1045
        await pilot.press("n")
        assert selected_id(screen) == 1041
        await pilot.press("n")  # none below: says so, stays
        await wait_for(pilot, lambda: notified(app, "no open failure below"))
        assert selected_id(screen) == 1041
        await pilot.press("N")
        assert selected_id(screen) == 1045
        await pilot.press("N")
        await wait_for(pilot, lambda: notified(app, "no open failure above"))
        assert selected_id(screen) == 1045


async def test_n_brings_in_an_open_failure_beyond_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExecutionsScreen, "page_size", 10)
    monkeypatch.setattr(ExecutionsScreen, "window_pages", 2)
    queries = fixed.FixedQueries()
    change(
        queries,
        1010,
        status="FAILED",
        units_failed=1,
        error_code="C1-EXT-002",
        resolution=resolution(1010, OPEN, 1),
    )
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        assert 1010 not in screen.rows and screen.has_more
        await pilot.press("n", "n")
        assert selected_id(screen) == 1041
        await pilot.press("n")  # the next one is not loaded: read, and the window brought to it
        await wait_for(pilot, lambda: selected_id(screen) == 1010, what="the cursor on 1010")
        assert screen.rows[1010].is_open


async def test_a_new_failure_is_announced_on_any_screen_and_n_jumps_to_it() -> None:
    queries = fixed.FixedQueries()
    app = live_app(queries)
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await wait_for(pilot, lambda: app.open_count == 2)
        assert not notified(app, "new failure")  # the first read announces nothing
        await pilot.press("down", "down")
        assert selected_id(screen) == 1048
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
        new = replace(
            queries.by_id[1045],
            execution_id=1051,
            job_id=fixed.VALUATION,
            error_code="C1-EXT-001",
            resolution=resolution(1051, OPEN, 2),
        )
        add(queries, new)
        app.post_message(Notified([1051], []))
        await wait_for(
            pilot, lambda: notified(app, "new failure #1051 portfolio_valuation C1-EXT-001 — n jumps")
        )
        await wait_for(pilot, lambda: app.open_count == 3)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen and selected_id(screen) == 1051)
        await pilot.press("n")  # then on down the list as usual
        assert selected_id(screen) == 1045


# Marks and the bulk replay -------------------------------------------------------------------------------


async def mark_three(pilot: Pilot[Any], screen: ExecutionsScreen) -> None:
    await pilot.press(*("down",) * 5, "space")  # 1045, the cursor moves on to 1044
    assert selected_id(screen) == 1044
    await pilot.press("down", "down", "down", "space", "space")  # 1041 and 1040
    assert screen.marks == {1045, 1041, 1040}


async def test_space_marks_rows_and_the_marks_survive_updates_sorting_filters_and_paging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ExecutionsScreen, "page_size", 10)
    monkeypatch.setattr(ExecutionsScreen, "window_pages", 2)
    queries = fixed.FixedQueries()
    app = live_app(queries)
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await mark_three(pilot, screen)
        assert cell(screen, 1045, "id") == "*1045" and cell(screen, 1044, "id") == "1044"
        assert "* 3 marked — r replays them, esc clears" in info(screen)
        # a live update of a marked row, and a new execution arriving
        change(queries, 1041, resolution=resolution(1041, RESOLVED, 1, fixed_by=1047))
        add(queries, replace(queries.by_id[1048], execution_id=1051))
        app.post_message(Notified([1041, 1051], []))
        await wait_for(pilot, lambda: 1051 in screen.rows and cell(screen, 1041, "resolution") == "↻ #1047")
        assert cell(screen, 1041, "id") == "*1041" and screen.marks == {1045, 1041, 1040}
        screen.sort_by("job", reverse=False)
        assert cell(screen, 1040, "id") == "*1040"
        screen.sort_by("id", reverse=True)
        # paged out and back in
        await pilot.press("end")
        await wait_for(pilot, lambda: 1001 in screen.rows and 1045 not in screen.rows)
        await pilot.press("home")
        await wait_for(pilot, lambda: 1045 in screen.rows)
        assert cell(screen, 1045, "id") == "*1045"
        # another filter and back
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and screen.flt.open_only)
        assert cell(screen, 1045, "id") == "*1045" and screen.marks == {1045, 1041, 1040}
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and not screen.flt.open_only)
        assert cell(screen, 1045, "id") == "*1045" and "3 marked" in info(screen)


async def test_esc_closes_the_search_then_clears_marks_then_the_filter() -> None:
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.loaded and screen.flt.open_only)
        await pilot.press("space", "space")  # 1045, then 1041 (the last row: the cursor stays)
        assert screen.marks == set(OPEN_IDS)
        await pilot.press("up", "space")  # unmarks 1045
        assert screen.marks == {1041} and cell(screen, 1045, "id") == "1045"
        await pilot.press("slash")
        assert screen.search.is_open
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.search.is_open)
        assert screen.marks and screen.flt.open_only
        await pilot.press("escape")
        assert not screen.marks and "marked" not in info(screen) and screen.flt.open_only
        assert cell(screen, 1041, "id") == "1041"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.loaded and screen.flt == ExecutionFilter())


async def test_r_with_marks_replays_them_in_one_dialog_and_clears_the_marks() -> None:
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await mark_three(pilot, screen)
        await pilot.press("r")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, dialogs.BulkReplayDialog) and app.screen
        )
        assert [e.execution_id for e in dialog.executions] == [1045, 1041, 1040]  # newest first
        await pilot.press("escape")  # cancelled: the marks stay
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.marks == {1045, 1041, 1040}
        await pilot.press("r")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, dialogs.BulkReplayDialog) and app.screen
        )
        await pilot.press(*"feeds back", "enter")
        await wait_for(pilot, lambda: dialog.armed is not None, what="the preview")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and not screen.marks, what="the marks to clear")
        done = [c for c in app.actions.calls if c[0] == "replay_many" and not c[1]["dry_run"]]  # type: ignore[attr-defined]
        assert [c[1]["ids"] for c in done] == [[1045, 1041, 1040]]
        assert "marked" not in info(screen)


async def test_marks_paged_out_are_read_for_the_bulk_dialog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ExecutionsScreen, "page_size", 10)
    monkeypatch.setattr(ExecutionsScreen, "window_pages", 2)
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await pilot.press(*("down",) * 5, "space")
        await pilot.press("end")
        await wait_for(pilot, lambda: 1045 not in screen.rows and 1001 in screen.rows)
        await pilot.press("space")  # marks 1001 (the last row)
        await pilot.press("r")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, dialogs.BulkReplayDialog) and app.screen
        )
        assert [e.execution_id for e in dialog.executions] == [1045, 1001]


# Acknowledge ---------------------------------------------------------------------------------------------


async def test_a_acknowledges_an_open_failure_and_refuses_the_others_with_ops_words() -> None:
    app = fixed.build_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await wait_for(pilot, lambda: app.can_act)
        for execution_id, words in (
            (fixed.FAILED_ID, "execution 1042 is resolved by #1047: nothing open to acknowledge"),
            (HANDED_ID, "moved to #1041, which replayed them and failed too — acknowledge #1041 instead"),
            (ACKED_ID, "execution 1036 was already acknowledged by bob at"),
            (1048, "execution 1048 is SUCCESS — only FAILED or STOPPED ones are acknowledged"),
        ):
            screen.focus_execution(execution_id)
            await wait_for(pilot, lambda i=execution_id: selected_id(screen) == i)  # type: ignore[misc]
            await pilot.press("a")
            await wait_for(pilot, lambda w=words: notified(app, w))  # type: ignore[misc]
            assert app.screen is screen
        screen.focus_execution(1045)
        await wait_for(pilot, lambda: selected_id(screen) == 1045)
        await pilot.press("a")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, dialogs.AcknowledgeDialog) and app.screen
        )
        assert dialog.execution.execution_id == 1045


async def test_a_viewer_is_refused_a_and_r_with_marks() -> None:
    app = fixed.build_app(role="viewer")
    async with app.run_test(size=WIDE) as pilot:
        screen = await home(pilot)
        await pilot.press(*("down",) * 5, "a")
        await wait_for(pilot, lambda: notified(app, "cannot acknowledge"))
        await pilot.press("space", "r")
        await wait_for(pilot, lambda: notified(app, "cannot replay"))
        assert app.screen is screen and screen.marks == {1045}


# Header, key bar, help ----------------------------------------------------------------------------------


async def test_the_header_counts_open_failures_in_words() -> None:
    queries = fixed.FixedQueries()
    app = live_app(queries)
    async with app.run_test(size=NARROW) as pilot:
        await home(pilot)
        await wait_for(pilot, lambda: app.open_count == 2)
        assert app.header_right().plain.startswith("⚠ 2 open │")
        for i in OPEN_IDS:
            change(queries, i, resolution=resolution(i, RESOLVED, 1, fixed_by=1047))
        app.post_message(Notified(list(OPEN_IDS), []))
        await wait_for(pilot, lambda: app.open_count == 0)
        assert app.header_right().plain.startswith("✔ 0 open │")


async def test_the_key_bar_fits_80_columns_and_help_lists_every_new_key() -> None:
    app = fixed.build_app()
    async with app.run_test(size=NARROW) as pilot:
        screen = await home(pilot)
        await wait_for(pilot, lambda: app.can_act)
        bar = screen.query_one(KeyBar)
        lines = bar.lines(bar.content_region.width)
        assert all(line.cell_len <= 78 for line in lines) and len(lines) <= 3
        shown = " ".join(line.plain for line in lines)
        for item in (
            "u open only",
            "n next open",
            "space mark",
            "r replay",
            "a ack",
            "b rollback",
            "x clear",
        ):
            assert item in shown
        out = Console(width=140, file=io.StringIO(), no_color=True)
        out.print(help_text("Executions", screen.KEYS, app.KEYS, True))
        lines = [line.strip() for line in out.file.getvalue().splitlines()]  # type: ignore[attr-defined]
        for key, words in (
            ("u", "Open failures only"),
            ("n", "Next open failure"),
            ("N", "Previous open failure"),
            ("space", "Mark or unmark the row"),
            ("a", "Acknowledge the selected open failure"),
            ("esc", "else clear the marks, else clear the filters"),
        ):
            assert any(line.startswith(f"{key} ") and words in line for line in lines), key
        legend = "\n".join(lines)
        for mark in ("● open", "↻ #N", "→ #N", "✓ ack", "⟲ rolled back", "*1045"):
            assert mark in legend


# The real database and runner: the "done when" --------------------------------------------------


def failed_flaky(alice: ops.Session, db: Database, day: date) -> int:
    created = ops.trigger(alice, "flaky", date_from=day)
    assert isinstance(created, ops.Created)
    assert wait_terminal(db, created.execution_id).status == "FAILED"  # T3 fails in a MANUAL run
    return created.execution_id


def status_of(raw: psycopg.Connection, execution_id: int) -> str | None:
    row = raw.execute("SELECT status FROM c1.execution WHERE execution_id = %s", (execution_id,)).fetchone()
    return row[0] if row else None


class TestDoneWhen:
    async def test_open_filter_n_r_reason_enter_enter_resolves_the_failure_live(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        older = failed_flaky(alice, db, DAY)
        newer = failed_flaky(alice, db, date(2026, 11, 3))
        app = console(db, alice)
        async with app.run_test(size=WIDE) as pilot:
            screen = await home_with(pilot, app, older, newer)
            await wait_for(pilot, lambda: app.open_count == 2, what="the header count")
            assert "⚠ 2 open" in app.header_right().plain
            await pilot.press("u")
            await wait_for(pilot, lambda: screen.loaded and set(screen.rows) == {older, newer})
            assert selected_id(screen) == newer
            await pilot.press("n")
            assert selected_id(screen) == older
            await pilot.press("r")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen
            )
            await pilot.press(*"price file reloaded", "enter")
            await wait_for(pilot, lambda: dialog.armed is not None, what="the preview")
            await pilot.press("enter")
            replay = await wait_for(pilot, lambda: latest_id(raw, "replay_of = %s", older), what="the REPLAY")
            await wait_for(pilot, lambda: status_of(raw, replay) == "SUCCESS", what="the replay to succeed")
            # within a second of its success, the failure leaves the open list and the count drops
            await wait_for(pilot, lambda: older not in screen.rows, timeout=1.5, what="the failure to leave")
            await wait_for(pilot, lambda: app.open_count == 1, timeout=1.5, what="the count to drop")
            assert newer in screen.rows and "⚠ 1 open" in app.header_right().plain
            await pilot.press("u")
            await wait_for(pilot, lambda: screen.loaded and older in screen.rows)
            assert cell(screen, older, "resolution") == f"↻ #{replay}"
            assert cell(screen, newer, "resolution") == "● open"

    async def test_three_marked_failures_replay_together_and_marks_survive_live_updates(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        sources = [failed_flaky(alice, db, day) for day in (DAY, date(2026, 11, 3), date(2026, 11, 4))]
        app = console(db, alice)
        async with app.run_test(size=WIDE) as pilot:
            screen = await home_with(pilot, app, *sources)
            await pilot.press("u")
            await wait_for(pilot, lambda: screen.loaded and set(screen.rows) == set(sources))
            await pilot.press("space", "space", "space")
            assert screen.marks == set(sources)
            await pilot.press("u")  # every execution again, the marks kept
            await wait_for(pilot, lambda: screen.loaded and not screen.flt.open_only)
            # a new execution arrives and runs while the rows are marked
            noise = ops.trigger(alice, "noop", date_from=DAY)
            assert isinstance(noise, ops.Created)
            await wait_for(pilot, lambda: noise.execution_id in screen.rows, what="the new execution, live")
            await wait_for(pilot, lambda: screen.rows[noise.execution_id].status == "SUCCESS")
            assert screen.marks == set(sources)
            assert all(cell(screen, i, "id") == f"*{i}" for i in sources)
            assert "3 marked" in info(screen)
            await pilot.press("r")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.BulkReplayDialog) and app.screen
            )
            assert [e.execution_id for e in dialog.executions] == sorted(sources, reverse=True)
            await pilot.press(*"feed fixed for the three days", "enter")
            await wait_for(pilot, lambda: dialog.armed is not None, what="the combined preview")
            await pilot.press("enter")
            await wait_for(
                pilot, lambda: app.screen is screen and not screen.marks, what="the marks to clear"
            )
            rows = raw.execute(  # one transaction: one now() for the three
                "SELECT replay_of, execution_id, created_at FROM c1.execution WHERE replay_of = ANY(%s)",
                (sources,),
            ).fetchall()
            assert sorted(r[0] for r in rows) == sorted(sources) and len({r[2] for r in rows}) == 1
            replays = {r[0]: r[1] for r in rows}
            for source, replay in replays.items():
                await wait_for(
                    pilot,
                    lambda s=source, r=replay: cell(screen, s, "resolution") == f"↻ #{r}",  # type: ignore[misc]
                    what=f"{source} resolved by {replay}",
                )
            await wait_for(pilot, lambda: app.open_count == 0)
