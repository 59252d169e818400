"""Failures as work items (sql/013): open until fixed, handed on, acknowledged or rolled back; never redone
by accident; replayed in bulk. Against a real database and runner."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from c1console import ops
from c1console.errors import Refused
from c1console.queries import ConsoleQueries, ExecutionFilter
from c1console.requests import ReplayOf, ReplayRange, ReplaySingle
from c1console.scheduler.runner import Runner
from c1console.store import audit, failures
from c1console.store.engine import Database, connection
from tests.runtime import approved_compensation, session, wait_terminal

DAY = date(2026, 11, 2)
NEXT = date(2026, 11, 3)


def state(db: Database, execution_id: int) -> failures.Resolution:
    with connection(db) as conn:
        return failures.resolutions(conn, [execution_id])[execution_id]


def open_ids(db: Database) -> list[int]:
    with connection(db) as conn:
        return [f.execution_id for f in failures.open_failures(conn)]


def failed_flaky(alice: ops.Session, db: Database, day: date = DAY, to: date = NEXT) -> int:
    """A FAILED flaky execution: T3 fails on each day (MANUAL runs of flaky fail T3, REPLAYs do not)."""
    created = ops.trigger(alice, "flaky", date_from=day, date_to=to)
    assert isinstance(created, ops.Created)
    assert wait_terminal(db, created.execution_id).status == "FAILED"
    return created.execution_id


def replayed(alice: ops.Session, db: Database, of: int, **kwargs: object) -> int:
    created = ops.replay(alice, ReplayOf(of, failed_only=True), reason="price feed fixed", **kwargs)  # type: ignore[arg-type]
    assert isinstance(created, ops.Created)
    wait_terminal(db, created.execution_id)
    return created.execution_id


def last_audit(db: Database, action: str) -> audit.AuditEntry:
    with connection(db) as conn:
        return audit.list_entries(conn, action=action, limit=1)[0]


def test_a_failure_is_open_until_a_replay_fixes_its_units(
    db: Database, runner: Runner, alice: ops.Session
) -> None:
    failed = failed_flaky(alice, db)
    found = state(db, failed)
    assert (found.state, found.open_units, found.units_not_succeeded) == ("OPEN", 2, 2)
    assert open_ids(db) == [failed]
    queries = ConsoleQueries(db)
    page = queries.executions(ExecutionFilter(open_only=True))
    assert [e.execution_id for e in page.rows] == [failed]
    assert page.rows[0].is_open

    fix = replayed(alice, db, failed)
    found = state(db, failed)
    assert (found.state, found.open_units, found.fixed_by) == ("RESOLVED", 0, fix)
    assert open_ids(db) == []
    assert queries.executions(ExecutionFilter(open_only=True)).rows == []
    detail = queries.detail(failed)
    assert detail is not None and detail.resolution is not None and detail.resolution.fixed_by == fix
    assert {u.fixed_by for u in detail.failed_units} == {fix}
    # the drill-down's audit includes the replay's own rows
    assert any(a.action == "exec.replay" and a.execution_id == fix for a in detail.audit)


def test_a_failed_resume_carries_the_open_item_so_it_counts_once(
    db: Database, runner: Runner, alice: ops.Session
) -> None:
    failed = failed_flaky(alice, db)
    resumed = ops.resume(alice, failed, "try again")
    assert isinstance(resumed, ops.Created)
    assert wait_terminal(db, resumed.execution_id).status == "FAILED"  # T3 fails again in a MANUAL run
    assert (state(db, failed).state, state(db, failed).handed_to) == ("HANDED_ON", resumed.execution_id)
    assert open_ids(db) == [resumed.execution_id]
    with pytest.raises(Refused, match=f"acknowledge #{resumed.execution_id} instead"):
        ops.acknowledge(alice, failed, "not the one", dry_run=True)

    ops.acknowledge(alice, resumed.execution_id, "prices for T3 are delisted; nothing to compute")
    acked = state(db, resumed.execution_id)
    assert (acked.state, acked.acked_by) == ("ACKNOWLEDGED", "alice")
    assert open_ids(db) == []
    entry = last_audit(db, "exec.ack")
    assert (entry.execution_id, entry.actor, entry.details["open_units"]) == (
        resumed.execution_id,
        "alice",
        2,
    )
    with pytest.raises(Refused, match="already acknowledged by alice"):
        ops.acknowledge(alice, resumed.execution_id, "twice")


def test_acknowledgements_are_append_only_and_only_for_failures(
    db: Database, runner: Runner, alice: ops.Session, raw: psycopg.Connection
) -> None:
    failed = failed_flaky(alice, db)
    ops.acknowledge(alice, failed, "false alarm: the vendor resent the file")
    with pytest.raises(psycopg.DatabaseError, match="append-only"):
        raw.execute("UPDATE c1.execution_ack SET reason = 'x' WHERE execution_id = %s", (failed,))
    with pytest.raises(psycopg.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM c1.execution_ack WHERE execution_id = %s", (failed,))
    ok = ops.trigger(alice, "noop", date_from=DAY, date_to=DAY)
    assert isinstance(ok, ops.Created)
    wait_terminal(db, ok.execution_id)
    with pytest.raises(psycopg.DatabaseError, match="only FAILED or STOPPED"):
        raw.execute("INSERT INTO c1.execution_ack VALUES (%s, 'x', now(), 'x')", (ok.execution_id,))
    with pytest.raises(Refused, match="is SUCCESS"):
        ops.acknowledge(alice, ok.execution_id, "why not")


def test_replaying_a_resolved_failure_warns_and_needs_again(
    db: Database, runner: Runner, alice: ops.Session
) -> None:
    failed = failed_flaky(alice, db)
    fix = replayed(alice, db, failed)
    with pytest.raises(Refused, match=f"nothing still failing .* already replayed by #{fix}") as refused:
        ops.replay(alice, ReplayOf(failed, failed_only=True), reason="again?", dry_run=True)
    assert "--again" in (refused.value.hint or "")
    with pytest.raises(Refused, match="already replayed"):
        ops.resume(alice, failed, "resume it", dry_run=True)

    preview = ops.replay(
        alice, ReplayOf(failed, failed_only=True), reason=None, dry_run=True, redo=ops.Redo(again=True)
    )
    assert isinstance(preview, ops.Preview)
    assert len(preview.units) == 2
    assert f"WILL RUN AGAIN: 2 unit(s) already replayed by #{fix}" in preview.describe()
    again = replayed(alice, db, failed, redo=ops.Redo(again=True))
    entry = last_audit(db, "exec.replay")
    assert entry.execution_id == again
    assert entry.details["again"] is True
    assert entry.details["warned"]["already_replayed"] == {f"{DAY} T3": fix, f"{NEXT} T3": fix}


def test_replaying_all_units_leaves_out_the_fixed_ones_by_default(
    db: Database, runner: Runner, alice: ops.Session
) -> None:
    failed = failed_flaky(alice, db)
    fix = replayed(alice, db, failed)
    preview = ops.replay(alice, ReplayOf(failed, failed_only=False), reason=None, dry_run=True)
    assert isinstance(preview, ops.Preview)
    assert len(preview.units) == 8  # 10 units, the 2 fixed by the replay left out
    assert f"left out: 2 unit(s) already replayed by #{fix}" in preview.describe()


def test_a_compensated_result_is_left_out_and_named_unless_superseded_explicitly(
    db: Database, runner: Runner, alice: ops.Session, registry, settings
) -> None:  # type: ignore[no-untyped-def]
    bob = session(db, settings, registry, "bob", "approver")
    comp = approved_compensation(alice, bob, "noop", DAY, "T2", db)
    second = ops.trigger(alice, "noop", date_from=NEXT, date_to=NEXT)
    assert isinstance(second, ops.Created)
    wait_terminal(db, second.execution_id)
    request = ReplayRange("noop", DAY, NEXT)
    preview = ops.replay(alice, request, reason=None, dry_run=True)
    assert isinstance(preview, ops.Preview)
    assert len(preview.units) == 9 and (DAY, "T2") not in preview.units
    assert f"left out: 1 result(s) from approved compensation #{comp} (approved by bob)" in preview.describe()
    with pytest.raises(Refused, match=f"approved compensation \\(#{comp}, approved by bob\\)"):
        ops.replay(alice, ReplaySingle("noop", "T2", DAY, DAY), reason=None, dry_run=True)
    created = ops.replay(alice, request, reason="restate all", redo=ops.Redo(supersede_compensation=True))
    assert isinstance(created, ops.Created) and len(created.preview.units) == 10
    entry = last_audit(db, "exec.replay")
    assert entry.details["warned"]["compensations"] == [comp]
    assert entry.details["supersede_compensation"] is True


def test_marked_failures_replay_together_in_one_transaction(
    db: Database, runner: Runner, alice: ops.Session, raw: psycopg.Connection
) -> None:
    sources = [failed_flaky(alice, db, day, day) for day in (DAY, NEXT, date(2026, 11, 4))]
    ok = ops.trigger(alice, "noop", date_from=DAY, date_to=DAY)
    assert isinstance(ok, ops.Created)
    wait_terminal(db, ok.execution_id)
    with pytest.raises(Refused, match=f"execution {ok.execution_id} has no units that did not succeed"):
        ops.replay_many(alice, [*sources, ok.execution_id], reason="bulk")
    assert raw.execute("SELECT count(*) FROM c1.execution WHERE run_type = 'REPLAY'").fetchone() == (0,)

    previews = ops.replay_many(alice, sources, reason=None, dry_run=True)
    assert [p.replay_of for p in previews] == sources
    created = ops.replay_many(alice, sources, reason="prices arrived for all three days")
    ids = [c.execution_id for c in created]
    rows = raw.execute(
        "SELECT replay_of, xmin::text FROM c1.execution WHERE execution_id = ANY(%s) ORDER BY execution_id",
        (ids,),
    ).fetchall()
    assert [r[0] for r in rows] == sources
    assert len({r[1] for r in rows}) == 1  # one transaction wrote them all
    audited = raw.execute(
        "SELECT execution_id, details->'bulk_of' FROM c1.audit_log WHERE action = 'exec.replay' ORDER BY 1"
    ).fetchall()
    assert [a[0] for a in audited] == ids and all(a[1] == sources for a in audited)
    for i in ids:
        wait_terminal(db, i)
    assert open_ids(db) == []


def test_rolling_back_the_fix_reopens_the_failure_and_says_so_first(
    db: Database, runner: Runner, alice: ops.Session
) -> None:
    failed = failed_flaky(alice, db)
    fix = replayed(alice, db, failed)
    preview = ops.rollback(alice, fix, None, dry_run=True)
    assert preview.reopens == (failed,)
    assert f"re-opens failure(s) #{failed}" in preview.describe()
    ops.rollback(alice, fix, "the replay used a bad price file")
    assert state(db, failed).state == "OPEN"
    ops.rollback(alice, failed, "the whole day is withdrawn")
    rolled = state(db, failed)
    assert (rolled.state, rolled.rolled_back_by) == ("ROLLED_BACK", "alice")
    assert open_ids(db) == []


def test_a_failure_being_replayed_is_not_replayed_twice_by_accident(
    db: Database, alice: ops.Session, registry, settings
) -> None:  # type: ignore[no-untyped-def]
    runner = Runner(db, registry, settings).start()
    try:
        failed = failed_flaky(alice, db)
    finally:
        runner.stop()
    first = ops.replay(alice, ReplayOf(failed, failed_only=True), reason="price feed fixed")
    assert isinstance(first, ops.Created)  # READY: no runner picks it up here
    with pytest.raises(Refused, match=f"being replayed by #{first.execution_id}, not finished yet"):
        ops.replay(alice, ReplayOf(failed, failed_only=True), reason="twice?", dry_run=True)
    with pytest.raises(Refused, match="being replayed"):
        ops.replay_many(alice, [failed], reason="twice?", dry_run=True)
    again = ops.replay(
        alice, ReplayOf(failed, failed_only=True), reason=None, dry_run=True, redo=ops.Redo(again=True)
    )
    assert isinstance(again, ops.Preview)
    assert f"WILL RUN AGAIN: 2 unit(s) being replayed by #{first.execution_id}" in again.describe()
