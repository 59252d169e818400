"""The console end to end: a real PostgreSQL, a real in-process runner, the Textual pilot pressing keys.

Every action goes through the dialogs and the ops layer; tests wait on conditions, never on fixed sleeps.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from c1console import ops
from c1console.queries import ConsoleQueries, ExecutionFilter
from c1console.scheduler.runner import Runner
from c1console.screens import dialogs
from c1console.screens.alerts import AlertsScreen
from c1console.screens.app import ConsoleApp, HeaderInfo
from c1console.screens.audit import AuditScreen
from c1console.screens.checklists import DailyScreen, MonthlyScreen
from c1console.screens.compensations import CompensationsScreen, HistoryScreen
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.jobs import JobsScreen
from c1console.screens.keys import KeyBar
from c1console.screens.tables import cursor_key, move_cursor_to
from c1console.store.engine import Database
from tests.runtime import execution, session, wait_for, wait_terminal

DAY = date(2026, 11, 2)  # a Monday
SIZE = (120, 40)
pytestmark = pytest.mark.anyio
T = TypeVar("T")


def console(db: Database, who: ops.Session) -> ConsoleApp:
    header = HeaderInfo(database=db.display, runner_mode="embedded", operator=who.operator, role=who.role)
    queries = ConsoleQueries(db)
    return ConsoleApp(queries, who, header, listen=queries.listen)


async def home_with(pilot: Pilot[Any], app: ConsoleApp, *execution_ids: int) -> ExecutionsScreen:
    """The executions screen once it shows these executions and knows the operator's role."""

    def ready() -> ExecutionsScreen | None:
        screen = app.screen
        if isinstance(screen, ExecutionsScreen) and all(i in screen.rows for i in execution_ids):
            return screen
        return None

    screen = await wait_for(pilot, ready, what=f"executions {execution_ids} on screen")
    await wait_for(pilot, lambda: app.listening, what="the listener")
    return screen


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)


def latest_id(raw: psycopg.Connection, where: str, *args: object) -> int | None:
    row = raw.execute(f"SELECT max(execution_id) FROM c1.execution WHERE {where}", args).fetchone()
    return row[0] if row else None


def audit_count(raw: psycopg.Connection, action: str, execution_id: int | None = None) -> int:
    if execution_id is None:
        return raw.execute("SELECT count(*) FROM c1.audit_log WHERE action = %s", (action,)).fetchone()[0]
    return raw.execute(
        "SELECT count(*) FROM c1.audit_log WHERE action = %s AND execution_id = %s", (action, execution_id)
    ).fetchone()[0]


def selected_id(screen: ExecutionsScreen) -> int | None:
    chosen = screen.selected()
    return chosen.execution_id if chosen is not None else None


class TestReplay:
    async def test_failed_units_replayed_in_three_keys_plus_reason(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        failed = ops.trigger(alice, "flaky", date_from=DAY)
        assert isinstance(failed, ops.Created)
        assert wait_terminal(db, failed.execution_id).status == "FAILED"
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, failed.execution_id)
            assert selected_id(home) == failed.execution_id
            await pilot.press("r")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen
            )
            await type_text(pilot, "price file reloaded")
            await pilot.press("enter")  # review: the preview is shown and the dialog armed
            await wait_for(pilot, lambda: dialog.armed is not None, what="the dialog to arm")
            assert dialog.preview is not None and dialog.preview.units == [(DAY, "T3")]
            await pilot.press("enter")  # confirm
            new_id = await wait_for(
                pilot, lambda: latest_id(raw, "replay_of = %s", failed.execution_id), what="the REPLAY row"
            )
            await wait_for(pilot, lambda: selected_id(home) == new_id, what="the cursor on the new execution")
            assert home.rows[new_id].run_type == "REPLAY" and home.rows[new_id].replay_kind == "SINGLE"
            assert audit_count(raw, "exec.replay", new_id) == 1
            reason = raw.execute(
                "SELECT reason FROM c1.audit_log WHERE execution_id = %s", (new_id,)
            ).fetchone()
            assert reason[0] == "price file reloaded"
            # the replay runs and its row turns SUCCESS in place, the cursor staying on it
            await wait_for(pilot, lambda: home.rows[new_id].status == "SUCCESS", what="the replay to succeed")
            assert selected_id(home) == new_id

    async def test_replay_from_the_drill_down_shows_it_in_the_chain(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        failed = ops.trigger(alice, "flaky", date_from=DAY)
        wait_terminal(db, failed.execution_id)
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            await home_with(pilot, app, failed.execution_id)
            await pilot.press("enter")
            from c1console.screens.detail import DetailScreen

            detail = await wait_for(
                pilot, lambda: isinstance(app.screen, DetailScreen) and app.screen.detail and app.screen
            )
            assert detail.detail is not None and detail.detail.error is not None
            assert detail.detail.error.code == "C1-INP-001"
            await pilot.press("r")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.ReplayDialog) and app.screen
            )
            await type_text(pilot, "feed fixed")
            await pilot.press("enter")
            await wait_for(pilot, lambda: dialog.armed is not None)
            await pilot.press("enter")
            new_id = await wait_for(pilot, lambda: latest_id(raw, "replay_of = %s", failed.execution_id))
            await wait_for(
                pilot,
                lambda: (
                    detail.detail is not None and any(r.execution_id == new_id for r in detail.detail.related)
                ),
                what="the chain",
            )
            await wait_for(pilot, lambda: cursor_key(detail.table("related")) == str(new_id))


class TestTriggerStopResume:
    async def test_trigger_from_the_dialog(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            await home_with(pilot, app)
            await wait_for(pilot, lambda: app.can_act)
            await pilot.press("t")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.TriggerDialog) and app.screen
            )
            dialog.query_one("#job", Select).value = "noop"
            dialog.query_one("#from", Input).value = "2026-11-02"
            dialog.query_one("#to", Input).value = "2026-11-03"
            dialog.query_one("#reason", Input).focus()
            await type_text(pilot, "catch up")
            await pilot.press("enter")
            await wait_for(pilot, lambda: dialog.armed is not None, what="the trigger preview")
            assert dialog.preview is not None and len(dialog.preview.units) == 10
            await pilot.press("enter")
            new_id = await wait_for(pilot, lambda: latest_id(raw, "job_id = 'noop' AND run_type = 'MANUAL'"))
            home = app.screen
            assert isinstance(home, ExecutionsScreen)
            await wait_for(pilot, lambda: selected_id(home) == new_id, what="the cursor on the new execution")
            await wait_for(pilot, lambda: home.rows[new_id].status == "SUCCESS")
            assert audit_count(raw, "exec.trigger", new_id) == 1
            assert (execution(db, new_id).business_date_from, execution(db, new_id).business_date_to) == (
                DAY,
                date(2026, 11, 3),
            )

    async def test_stop_then_resume(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        created = ops.trigger(alice, "slow", date_from=DAY, date_to=date(2026, 11, 3))
        assert isinstance(created, ops.Created)
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, created.execution_id)
            await wait_for(pilot, lambda: home.rows[created.execution_id].status == "RUNNING")
            assert move_cursor_to(home.table, str(created.execution_id))
            await pilot.press("s")
            dialog = await wait_for(pilot, lambda: isinstance(app.screen, dialogs.StopDialog) and app.screen)
            await type_text(pilot, "wrong prices loaded")
            await pilot.press("enter", "enter")
            stopped = wait_terminal(db, created.execution_id)
            assert stopped.status == "STOPPED" and stopped.stop_requested_by == "alice"
            assert audit_count(raw, "exec.stop", created.execution_id) == 1
            assert dialog.is_attached is False
            await wait_for(pilot, lambda: home.rows[created.execution_id].status == "STOPPED")
            assert selected_id(home) == created.execution_id
            # resume: the reason is optional; review, confirm
            await pilot.press("R")
            resume = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.ResumeDialog) and app.screen
            )
            await pilot.press("enter")
            await wait_for(pilot, lambda: resume.armed is not None, what="the resume preview")
            await pilot.press("enter")
            new_id = await wait_for(pilot, lambda: latest_id(raw, "resumed_from = %s", created.execution_id))
            await wait_for(pilot, lambda: selected_id(home) == new_id)
            assert audit_count(raw, "exec.resume", new_id) == 1
            done = wait_terminal(db, new_id)
            assert done.status == "SUCCESS" and done.units_total == 80 - stopped.units_done

    async def test_a_refused_action_says_why_and_keeps_the_reason(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        created = ops.trigger(alice, "noop", date_from=DAY)
        wait_terminal(db, created.execution_id)
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, created.execution_id)
            await pilot.press("R")  # a SUCCESS execution does not resume: the preview says why
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.ResumeDialog) and app.screen
            )
            await wait_for(pilot, lambda: dialog.preview_problem is not None)
            assert "only STOPPED or FAILED ones resume" in dialog.preview_problem
            await type_text(pilot, "try")
            await pilot.press("escape")  # a typed reason is not dropped by one key
            assert app.screen is dialog and dialog.discard_armed
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is home)
            assert latest_id(raw, "resumed_from IS NOT NULL") is None


class TestRollbackAndCompensation:
    async def test_rollback_of_a_finished_execution_is_audited(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        created = ops.trigger(alice, "noop", date_from=DAY)
        assert wait_terminal(db, created.execution_id).status == "SUCCESS"
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, created.execution_id)
            await wait_for(pilot, lambda: app.can_act)
            assert move_cursor_to(home.table, str(created.execution_id))
            await pilot.press("b")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.RollbackDialog) and app.screen
            )
            await wait_for(pilot, lambda: dialog.preview is not None, what="the rollback preview")
            assert len(dialog.preview.plan.deactivate) == len(created.preview.units)
            await type_text(pilot, "wrong account mapping")
            await pilot.press("enter")
            await wait_for(pilot, lambda: dialog.armed is not None, what="the dialog to arm")
            await pilot.press("enter")
            await wait_for(
                pilot,
                lambda: audit_count(raw, "exec.rollback", created.execution_id) == 1,
                what="the audit row",
            )
            row = raw.execute(
                "SELECT rolled_back_by, rolled_back_reason FROM c1.execution WHERE execution_id = %s",
                (created.execution_id,),
            ).fetchone()
            assert row == ("alice", "wrong account mapping")
            active = raw.execute(
                "SELECT count(*) FROM c1.result WHERE execution_id = %s AND is_active",
                (created.execution_id,),
            ).fetchone()[0]
            assert active == 0

    async def test_a_requester_cannot_approve_their_own_compensation(
        self,
        alice: ops.Session,
        db: Database,
        raw: psycopg.Connection,
        registry: Any,
        settings: Any,
    ) -> None:
        anna = session(db, settings, registry, operator="anna", role="approver")
        comp_id = ops.request_compensation(
            anna,
            job_id="noop",
            business_date=DAY,
            target="T1",
            payload={"value": 1},
            reason="custodian correction",
            evidence_ref="OPS-1",
        )
        before = audit_count(raw, "comp.approve")
        app = console(db, anna)
        async with app.run_test(size=SIZE) as pilot:
            await home_with(pilot, app)
            await wait_for(pilot, lambda: app.can_act)
            await pilot.press("7")
            comps = await wait_for(
                pilot,
                lambda: isinstance(app.screen, CompensationsScreen) and app.screen.items and app.screen,
            )
            assert move_cursor_to(comps.table, str(comp_id))
            await pilot.press("a")
            dialog = await wait_for(
                pilot, lambda: isinstance(app.screen, dialogs.DecideDialog) and app.screen
            )
            await type_text(pilot, "looks right")
            await pilot.press("enter", "enter")
            status = dialog.query_one("#dialog-status", Static)
            await wait_for(
                pilot, lambda: "cannot approve it" in str(status.render()), what="the refusal in the dialog"
            )
            assert app.screen is dialog
        row = raw.execute(
            "SELECT status, decided_by FROM c1.compensation WHERE compensation_id = %s", (comp_id,)
        ).fetchone()
        assert row == ("PENDING", None)
        assert audit_count(raw, "comp.approve") == before

    async def test_the_checklists_alerts_and_history_read_the_database(
        self, runner: Runner, alice: ops.Session, db: Database, registry: Any, settings: Any
    ) -> None:
        failed = ops.trigger(alice, "flaky", date_from=DAY)
        wait_terminal(db, failed.execution_id)
        comp_id = ops.request_compensation(
            alice,
            job_id="noop",
            business_date=DAY,
            target="T1",
            payload={"value": 2},
            reason="manual fix",
            evidence_ref="OPS-2",
            attachments=[ops.Attachment("letter.txt", b"hello")],
        )
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            await home_with(pilot, app, failed.execution_id)
            await pilot.press("4")
            daily = await wait_for(pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen)
            daily.period = DAY
            daily.load()
            await wait_for(
                pilot,
                lambda: (
                    daily.checklist is not None
                    and daily.checklist.business_date == DAY
                    and any(f.execution_id == failed.execution_id for f in daily.checklist.failures)
                ),
                what="the daily checklist with the failure",
            )
            await pilot.press("5")
            await wait_for(pilot, lambda: isinstance(app.screen, MonthlyScreen) and app.screen.checklist)
            await pilot.press("6")
            await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen) and app.screen.loaded)
            await pilot.press("7")
            comps = await wait_for(
                pilot, lambda: isinstance(app.screen, CompensationsScreen) and app.screen.items and app.screen
            )
            assert move_cursor_to(comps.table, str(comp_id))
            await wait_for(pilot, lambda: comps.evidence.get(comp_id), what="the evidence")
            assert [e.filename for e in comps.evidence[comp_id]] == ["letter.txt"]
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen) and app.screen.loaded)


class TestJobsAndAudit:
    async def test_pause_and_resume_a_job_then_verify_the_audit(
        self, runner: Runner, alice: ops.Session, db: Database, raw: psycopg.Connection
    ) -> None:
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            await home_with(pilot, app)
            await pilot.press("2")
            jobs = await wait_for(
                pilot, lambda: isinstance(app.screen, JobsScreen) and app.screen.items and app.screen
            )
            assert move_cursor_to(jobs.table, "flaky")
            for paused, reason in ((True, "vendor outage"), (False, "vendor back")):
                await pilot.press("p")
                await wait_for(pilot, lambda: isinstance(app.screen, dialogs.PauseDialog))
                await type_text(pilot, reason)
                await pilot.press("enter", "enter")
                await wait_for(
                    pilot, lambda p=paused: jobs.items["flaky"].paused is p, what=f"paused={paused}"
                )
                row = raw.execute("SELECT paused FROM c1.job WHERE job_id = 'flaky'").fetchone()
                assert row[0] is paused
            assert audit_count(raw, "job.pause") == 1 and audit_count(raw, "job.resume") == 1
            await pilot.press("3")
            audit = await wait_for(
                pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.items and app.screen
            )
            await wait_for(pilot, lambda: any(a.action == "job.resume" for a in audit.items.values()))
            await pilot.press("v")
            verdict = await wait_for(pilot, lambda: (v := audit.report_text()) is not None and v.plain)
            rows = raw.execute("SELECT count(*) FROM c1.audit_log").fetchone()[0]
            assert f"chain OK up to #{rows}" in verdict


class TestViewer:
    async def test_a_viewer_is_refused_with_a_reason_and_nothing_is_written(
        self,
        runner: Runner,
        alice: ops.Session,
        db: Database,
        raw: psycopg.Connection,
        registry: Any,
        settings: Any,
    ) -> None:
        failed = ops.trigger(alice, "flaky", date_from=DAY)
        wait_terminal(db, failed.execution_id)
        victor = session(db, settings, registry, operator="victor", role="viewer")
        before = raw.execute(
            "SELECT (SELECT count(*) FROM c1.execution), (SELECT count(*) FROM c1.audit_log)"
        ).fetchone()
        app = console(db, victor)
        said: list[str] = []
        notify = app.notify
        app.notify = lambda message, **kw: (said.append(message), notify(message, **kw))[1]  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, failed.execution_id)
            footer = " ".join(item.plain for item in home.query_one(KeyBar).items())
            assert "replay" not in footer and "stop" not in footer and "open" in footer
            for key in ("r", "s", "R", "t"):
                heard = len(said)
                await pilot.press(key)
                await wait_for(pilot, lambda n=heard: len(said) > n, what=f"a refusal for {key}")
                assert isinstance(app.screen, ExecutionsScreen)
            assert all("victor is viewer and cannot" in s and "operator role" in s for s in said)
            await pilot.press("2")
            await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen) and app.screen.items)
            await pilot.press("p")
            await wait_for(pilot, lambda: "pause or resume a job" in said[-1])
        after = raw.execute(
            "SELECT (SELECT count(*) FROM c1.execution), (SELECT count(*) FROM c1.audit_log)"
        ).fetchone()
        assert after == before


class TestLive:
    async def test_live_changes_keep_the_cursor_on_the_same_execution(
        self, runner: Runner, alice: ops.Session, db: Database
    ) -> None:
        first = ops.trigger(alice, "noop", date_from=DAY)
        second = ops.trigger(alice, "noop", date_from=date(2026, 11, 3))
        for created in (first, second):
            wait_terminal(db, created.execution_id)
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app, first.execution_id, second.execution_id)
            assert move_cursor_to(home.table, str(first.execution_id))
            assert home.table.cursor_row == 1
            table_rows = home.table.row_count
            # new executions arrive at the top (NOTIFY), change status in place; the cursor follows its row
            news = [ops.trigger(alice, "slow", date_from=DAY) for _ in range(2)]
            ids = [n.execution_id for n in news]
            await wait_for(pilot, lambda: all(i in home.rows for i in ids), timeout=5, what="rows within 1 s")
            assert selected_id(home) == first.execution_id
            assert home.table.cursor_row == 3 and home.table.row_count == table_rows + 2
            await wait_for(pilot, lambda: home.rows[ids[0]].status == "RUNNING", what="an in-place change")
            assert selected_id(home) == first.execution_id
            # sorted by status, rows move as their status changes: the cursor still follows its execution
            await pilot.press("o", "o")  # ID → JOB → STATUS
            assert home.sort_column == "status"
            assert move_cursor_to(home.table, str(ids[1]))
            for i in ids:
                await wait_for(pilot, lambda i=i: home.rows[i].status == "SUCCESS", what=f"{i} to finish")
            assert selected_id(home) == ids[1]

    async def test_pause_holds_the_table_and_resume_catches_up(
        self, runner: Runner, alice: ops.Session, db: Database
    ) -> None:
        app = console(db, alice)
        async with app.run_test(size=SIZE) as pilot:
            home = await home_with(pilot, app)
            await pilot.press("Z")
            assert app.live is False
            created = ops.trigger(alice, "noop", date_from=DAY)
            wait_terminal(db, created.execution_id)
            await pilot.pause(0.3)
            assert created.execution_id not in home.rows
            await pilot.press("Z")
            await wait_for(pilot, lambda: created.execution_id in home.rows, what="the catch-up")


def test_pages_read_both_ways_over_the_real_schema(alice: ops.Session, db: Database) -> None:
    """The keyset pages the executions screen reads: newest first, older than before_id, and upwards from
    after_id (after_id=0: the oldest page), each returned newest first, with the same filters."""
    made = [ops.trigger(alice, "noop", date_from=DAY).execution_id for _ in range(7)]  # type: ignore[union-attr]
    ops.stop(alice, made[1], "a stopped one")
    queries = ConsoleQueries(db)
    everything = ExecutionFilter()
    newest = queries.executions(everything, limit=3)
    assert [e.execution_id for e in newest.rows] == made[:-4:-1] and newest.has_more
    oldest = queries.executions(everything, after_id=0, limit=3)
    assert [e.execution_id for e in oldest.rows] == made[2::-1] and oldest.has_more
    above = queries.executions(everything, after_id=made[2], limit=3)
    assert [e.execution_id for e in above.rows] == made[5:2:-1] and above.has_more
    top = queries.executions(everything, after_id=made[5], limit=3)
    assert [e.execution_id for e in top.rows] == [made[6]] and not top.has_more
    below = queries.executions(everything, before_id=made[3], limit=3)
    assert [e.execution_id for e in below.rows] == made[2::-1] and not below.has_more
    stopped = queries.executions(ExecutionFilter(statuses=("STOPPED",)), after_id=0, limit=3)
    assert [e.execution_id for e in stopped.rows] == [made[1]] and not stopped.has_more
