"""Keys, paging, filters, outages and start-up on fixed data (no database: fast, deterministic)."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from c1console.queries import PAGE, AuditEntry, ChainReport, ExecutionFilter, ExecutionPage
from c1console.screens import dialogs
from c1console.screens.audit import AuditScreen
from c1console.screens.executions import ExecutionsScreen
from tests.console import fixed
from tests.runtime import wait_for

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
T = TypeVar("T")


async def home(pilot: Pilot[Any]) -> ExecutionsScreen:
    app = pilot.app
    return await wait_for(
        pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded and app.screen
    )


def info(screen: Any) -> str:
    return str(screen.query_one("#info", Static).render())


class ManyQueries(fixed.FixedQueries):
    """``count`` executions, ids count..1, every page read recorded as (before_id, after_id)."""

    def __init__(self, count: int = 250) -> None:
        super().__init__()
        base = self.rows[-1]
        self.rows = [replace(base, execution_id=i) for i in range(count, 0, -1)]
        self.by_id = {e.execution_id: e for e in self.rows}
        self.pages: list[tuple[int | None, int | None]] = []

    def executions(
        self,
        flt: ExecutionFilter,
        *,
        before_id: int | None = None,
        after_id: int | None = None,
        limit: int = 100,
    ) -> ExecutionPage:
        self.pages.append((before_id, after_id))
        return super().executions(flt, before_id=before_id, after_id=after_id, limit=limit)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 10 rows, a window of 3 pages: the window's rules at a size the tests walk quickly."""
    monkeypatch.setattr(ExecutionsScreen, "page_size", 10)
    monkeypatch.setattr(ExecutionsScreen, "window_pages", 3)


async def settled(pilot: Pilot[Any], screen: ExecutionsScreen) -> None:
    await wait_for(pilot, lambda: screen.loaded and not screen.loading_more, what="the page to load")
    await pilot.pause()


def selected_id(screen: ExecutionsScreen) -> int | None:
    chosen = screen.selected()
    return chosen.execution_id if chosen is not None else None


def cursor_in_view(screen: ExecutionsScreen) -> bool:
    table = screen.table
    top = round(table.scroll_y)
    visible = table.scrollable_content_region.height - table.header_height
    return top <= table.cursor_row < top + visible


def contiguous(screen: ExecutionsScreen) -> bool:
    """The window is one run of ids (the fixture's ids have no gaps) and the table shows exactly it."""
    ids = sorted(screen.rows)
    table = screen.table
    shown = [int(row.key.value or 0) for row in table.ordered_rows]
    return (
        ids == list(range(ids[0], ids[-1] + 1))
        and table.row_count == len(ids)
        and shown == ids[::-1]  # the table's own index agrees, newest first (the default sort)
        and all(table.get_row_index(str(i)) == n for n, i in enumerate(shown))
    )


async def test_history_is_paged_as_the_cursor_reaches_the_end() -> None:
    queries = ManyQueries()
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        assert len(screen.rows) == 100 and screen.has_more
        for _ in range(5):
            await pilot.press("pagedown")
            await settled(pilot, screen)
        assert len(screen.rows) == 200
        for _ in range(5):
            await pilot.press("pagedown")
            await settled(pilot, screen)
        await wait_for(pilot, lambda: len(screen.rows) == 250 and not screen.has_more)
        assert queries.pages == [(None, None), (151, None), (51, None)]
        assert screen.selected() is not None and not screen.has_newer


async def test_end_loads_the_oldest_page_directly_and_home_the_newest(small_pages: None) -> None:
    queries = ManyQueries()
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        assert sorted(screen.rows) == list(range(241, 251)) and screen.has_more
        assert "end: oldest" in info(screen)
        await pilot.press("end")
        await wait_for(pilot, lambda: selected_id(screen) == 1, what="the oldest execution")
        assert queries.pages == [(None, None), (None, 0)]  # one query: no walk through the history
        assert sorted(screen.rows) == list(range(1, 11)) and screen.has_newer and not screen.has_more
        assert screen.table.cursor_row == 9 and "newer above" in info(screen)
        await pilot.press("end")  # already there: stays on the last row, reads nothing
        assert selected_id(screen) == 1 and len(queries.pages) == 2
        await pilot.press("home")
        await wait_for(pilot, lambda: selected_id(screen) == 250, what="the newest execution")
        assert sorted(screen.rows) == list(range(241, 251)) and not screen.has_newer
        assert screen.table.cursor_row == 0 and queries.pages[-1] == (None, None)
        await pilot.press("G")
        await wait_for(pilot, lambda: selected_id(screen) == 1)
        await pilot.press("g")
        await wait_for(pilot, lambda: selected_id(screen) == 250)


async def test_the_window_stays_bounded_and_pages_back_in(small_pages: None) -> None:
    queries = ManyQueries()
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=(100, 16)) as pilot:  # ~10 rows on screen: the window scrolls
        screen = await home(pilot)
        on_screen = 0  # the cursor's line on screen: it moves down to the bottom and stays, never jumps up
        for n in range(1, 61):  # down 60 rows: six pages read, the newest ones dropped
            await pilot.press("down")
            await settled(pilot, screen)
            assert selected_id(screen) == 250 - n and cursor_in_view(screen)
            line = screen.table.cursor_row - round(screen.table.scroll_y)
            assert line >= on_screen, f"the cursor jumped from line {on_screen} to {line} at row {n}"
            on_screen = line
            assert len(screen.rows) <= screen.window_rows + screen.page_size and contiguous(screen)
        assert screen.has_newer and screen.has_more and max(screen.rows) < 250
        assert len(screen.rows) <= 30
        for n in range(1, 61):  # and back up: the dropped pages are read again, the oldest dropped
            await pilot.press("up")
            await settled(pilot, screen)
            assert selected_id(screen) == 190 + n and contiguous(screen) and cursor_in_view(screen)
        assert max(screen.rows) == 250 and not screen.has_newer and len(screen.rows) <= 30
        assert any(after is not None for _before, after in queries.pages)
        # from the oldest page, upwards
        await pilot.press("end")
        await wait_for(pilot, lambda: selected_id(screen) == 1)
        for n in range(1, 40):
            await pilot.press("up")
            await settled(pilot, screen)
            assert selected_id(screen) == 1 + n and contiguous(screen) and len(screen.rows) <= 40
        assert min(screen.rows) > 1 and screen.has_more


async def test_live_rows_respect_the_window(small_pages: None) -> None:
    queries = ManyQueries()
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await pilot.press("end")
        await wait_for(pilot, lambda: selected_id(screen) == 1)
        await pilot.press("up", "up")
        await settled(pilot, screen)
        # a change to a row in the window: in place, the cursor stays; a new execution: not in this window
        changed = replace(queries.by_id[5], status="FAILED", error_code="C1-DQ-011")
        newest = replace(queries.by_id[250], execution_id=251)
        queries.rows.insert(0, newest)
        queries.by_id[251] = newest
        screen.apply([changed, newest])
        assert screen.rows[5].status == "FAILED" and 251 not in screen.rows
        assert selected_id(screen) == 3
        # the cursor sent to it (a new execution made by an action): the newest window, the cursor on it
        screen.focus_execution(251)
        await wait_for(pilot, lambda: selected_id(screen) == 251, what="the window to move to 251")
        assert not screen.has_newer and contiguous(screen)
        # live inserts at the top keep the window bounded; the cursor, on the top row, follows the newest
        fresh = [replace(newest, execution_id=i) for i in range(252, 272)]
        screen.apply(fresh)
        assert len(screen.rows) <= screen.window_rows and screen.has_more and max(screen.rows) == 271
        assert contiguous(screen) and selected_id(screen) == 271 and screen.table.cursor_row == 0
        # lower down, the cursor stays on its execution
        await pilot.press("down", "down")
        assert selected_id(screen) == 269
        screen.apply([replace(newest, execution_id=i) for i in range(272, 275)])
        assert len(screen.rows) <= screen.window_rows and contiguous(screen) and selected_id(screen) == 269


async def test_filter_dialog_search_and_clear() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await pilot.press("f")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.FilterDialog) and app.screen)
        await pilot.press("tab", *"failed", "enter")
        await wait_for(
            pilot, lambda: app.screen is screen and screen.loaded and screen.flt.statuses == ("FAILED",)
        )
        assert {e.status for e in screen.rows.values()} == {"FAILED"} and len(screen.rows) == 5
        assert "status FAILED" in info(screen)
        assert dialog.is_attached is False
        await pilot.press("x")
        await wait_for(pilot, lambda: screen.loaded and len(screen.rows) == 50)
        await pilot.press("slash", *"recon", "enter")
        await wait_for(pilot, lambda: screen.loaded and screen.flt.text == "recon")
        assert {e.job_id for e in screen.rows.values()} == {fixed.RECON}
        await pilot.press("escape")  # clears the search
        await wait_for(pilot, lambda: screen.loaded and screen.flt == ExecutionFilter())


async def test_a_search_with_control_characters_is_refused_and_the_box_stays_open() -> None:
    """A pasted NUL would reach PostgreSQL (which refuses it in a parameter) as an unexplained error."""
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await pilot.press("slash")
        box = screen.query_one("#search", Input)
        box.value = "re\x00con"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("control characters" in str(n.message) for n in app._notifications))
        assert box.display and screen.flt == ExecutionFilter()


async def test_a_bad_filter_is_explained_and_nothing_changes() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await pilot.press("f", "tab", *"broken", "enter")
        dialog = app.screen
        assert isinstance(dialog, dialogs.FilterDialog)
        assert "is not one of" in str(dialog.query_one("#dialog-status", Static).render())
        await pilot.press("escape")
        assert app.screen is screen and screen.flt == ExecutionFilter()


async def test_sorting_keeps_the_cursor_on_its_execution() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await pilot.press(*("down",) * 8)
        assert screen.selected().execution_id == fixed.FAILED_ID  # type: ignore[union-attr]
        for _ in range(2):  # ID, JOB, STATUS
            await pilot.press("o")
            assert screen.selected().execution_id == fixed.FAILED_ID  # type: ignore[union-attr]
        assert screen.sort_column == "status"
        assert screen.table.cursor_row < 5  # the 5 FAILED rows sort first


async def test_ctrl_c_and_esc_never_drop_a_typed_reason_silently() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await pilot.press(*("down",) * 8, "r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen)
        await pilot.press(*"half a reason")
        await pilot.press("ctrl+c")
        assert app.screen is dialog and dialog.discard_armed
        await pilot.press("x")  # any other key keeps editing
        assert not dialog.discard_armed
        assert dialog.query_one("#reason", Input).value == "half a reasonx"
        await pilot.press("ctrl+c", "ctrl+c")
        await wait_for(pilot, lambda: app.screen is screen)
        assert app.actions.calls and all(call[1]["dry_run"] for call in app.actions.calls)  # type: ignore[attr-defined]
        # with nothing typed, esc closes at once
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_the_replay_flow_calls_ops_with_the_reason_and_moves_the_cursor() -> None:
    queries = fixed.FixedQueries()
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        queries.rows.insert(
            0,
            replace(
                queries.by_id[fixed.FAILED_ID],
                execution_id=fixed.NEW_ID,
                run_type="REPLAY",
                replay_kind="SINGLE",
                replay_of=fixed.FAILED_ID,
                status="READY",
            ),
        )
        queries.by_id[fixed.NEW_ID] = queries.rows[0]
        await pilot.press(*("down",) * 8, "r", *"custodian resent", "enter")
        dialog = await wait_for(
            pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen.armed and app.screen
        )
        assert dialog.preview is not None and dialog.preview.units == [(fixed.MONDAY, "ACC-1003")]
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: screen.selected() is not None and screen.selected().execution_id == fixed.NEW_ID
        )
        done = [c for c in app.actions.calls if c[0] == "replay" and not c[1]["dry_run"]]  # type: ignore[attr-defined]
        assert done == [
            (
                "replay",
                {"of": fixed.FAILED_ID, "failed_only": True, "dry_run": False, "reason": "custodian resent"},
            )
        ]


async def test_an_outage_is_shown_and_recovers_on_its_own() -> None:
    queries = fixed.FixedQueries()
    queries.fail_next = 2
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.db_problem is not None, what="the outage to show")
        assert "database unavailable — retrying" in app.header_right().plain
        screen = await home(pilot)  # the poll every 2 s reloads once the database answers
        assert app.db_problem is None and len(screen.rows) == 50


async def test_first_frame_does_not_wait_for_the_database() -> None:
    gate = threading.Event()

    class Slow(fixed.FixedQueries):
        def executions(self, flt: ExecutionFilter, **kw: Any) -> ExecutionPage:
            gate.wait(10)
            return super().executions(flt, **kw)

    app = fixed.build_app(queries=Slow())
    started = time.monotonic()
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen)
        await pilot.pause()
        assert "loading" in info(screen) and time.monotonic() - started < 2.0
        gate.set()
        await home(pilot)


async def test_palette_offers_the_actions_and_q_quits() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        await wait_for(pilot, lambda: app.can_act)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert any(t.startswith("Replay") for t in titles) and any(t.startswith("Stop") for t in titles)
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_a_viewer_palette_has_no_actions() -> None:
    app = fixed.build_app(role="viewer")
    async with app.run_test(size=SIZE) as pilot:
        screen = await home(pilot)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert not any(t.startswith(("Replay", "Stop", "Trigger", "Resume")) for t in titles)
        assert "read-only" in app.header_right().plain


async def test_choosing_a_replay_kind_moves_on_so_the_reason_lands_in_a_field() -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await home(pilot)
        await pilot.press(*("down",) * 8, "r")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen)
        kind = dialog.query_one("#kind", Select)
        # the keyboard: to the kind, open its list, down to "all units", choose it
        await pilot.press("shift+tab", "enter")
        await wait_for(pilot, lambda: kind.expanded)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: kind.value == "all" and not kind.expanded)
        reason = dialog.query_one("#reason", Input)
        await wait_for(pilot, lambda: reason.has_focus, what="the focus on the reason")
        await pilot.press(*"custodian resent", "enter")
        assert reason.value == "custodian resent"
        assert not kind.expanded  # enter reviewed, it did not reopen the list
        await wait_for(pilot, lambda: dialog.armed, what="the review to arm")
        # a kind with fields of its own: the focus goes to its first one
        await pilot.press("shift+tab", "enter")
        await wait_for(pilot, lambda: kind.expanded)
        await pilot.press("down", "down", "enter")  # from "all" past RANGE to SINGLE
        await wait_for(pilot, lambda: kind.value == "SINGLE" and not kind.expanded)
        job = dialog.query_one("#job", Select)
        await wait_for(pilot, lambda: job.has_focus, what="the focus on the job")
        await pilot.press("tab", "ctrl+u", *"ACC-1004")  # the target, prefilled with a failed one
        assert dialog.query_one("#target", Input).value == "ACC-1004" and reason.value == "custodian resent"


class GrowingAudit(fixed.FixedQueries):
    """The fixed audit log, with rows appended as a test adds them; verify covers what is there."""

    def __init__(self) -> None:
        super().__init__()
        self.extra: list[AuditEntry] = []

    def audit(self, **kw: Any) -> list[AuditEntry]:
        rows = sorted(self.extra, key=lambda a: a.audit_id, reverse=True) + super().audit(**kw)
        before = kw.get("before_id")
        return [a for a in rows if before is None or a.audit_id < before][: kw.get("limit", PAGE)]

    def verify_audit(self) -> ChainReport:
        rows = max(a.audit_id for a in self.audit())
        return ChainReport(rows=rows, head=hashlib.sha256(f"{rows}".encode()).hexdigest())


async def test_the_audit_verdict_says_what_it_covered_when_newer_rows_arrive() -> None:
    queries = GrowingAudit()
    app = fixed.build_app(queries=queries)
    async with app.run_test(size=(140, 30)) as pilot:
        await home(pilot)
        await pilot.press("3")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded and app.screen
        )
        newest, loaded = max(a.audit_id for a in screen.items.values()), len(screen.items)
        await pilot.press("v")
        await wait_for(pilot, lambda: f"✔ chain OK up to #{newest}, head" in info(screen))
        top = queries.audit()[0]
        queries.extra = [replace(top, audit_id=newest + n) for n in range(1, 7)]
        screen.audit_changed([newest + n for n in range(1, 7)])
        await wait_for(pilot, lambda: len(screen.items) == loaded + 6, what="the new rows")
        assert f"✔ chain OK up to #{newest} (6 newer rows not verified — v)" in info(screen)
        await pilot.press("v")
        await wait_for(pilot, lambda: f"✔ chain OK up to #{newest + 6}, head" in info(screen))
        assert "not verified" not in info(screen)
