"""Each invariant of DESIGN.md section 3 is refused by PostgreSQL itself, whoever writes."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rawsql import add_execution, add_job, add_result, audit, move

STATUSES = ["READY", "RUNNING", "SUCCESS", "FAILED", "STOPPED"]
LEGAL = {
    ("READY", "RUNNING"),
    ("READY", "STOPPED"),
    ("RUNNING", "SUCCESS"),
    ("RUNNING", "FAILED"),
    ("RUNNING", "STOPPED"),
}


def refused(raw: psycopg.Connection, statement: str, params: object = None) -> str:
    """Runs a statement that must fail; returns the SQLSTATE it failed with."""
    with pytest.raises(psycopg.Error) as caught:
        raw.execute(statement, params)
    return caught.value.sqlstate or ""


# 1. legal transitions only, terminal states frozen ----------------------------------------------------


@pytest.mark.parametrize("start", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_only_legal_transitions(raw: psycopg.Connection, start: str, target: str) -> None:
    execution_id = add_execution(raw)
    path = {
        "READY": [],
        "RUNNING": ["RUNNING"],
        "SUCCESS": ["RUNNING", "SUCCESS"],
        "FAILED": ["RUNNING", "FAILED"],
        "STOPPED": ["STOPPED"],
    }[start]
    for status in path:
        move(raw, execution_id, status)
    if start == target:
        return
    if (start, target) in LEGAL:
        move(raw, execution_id, target)
        assert (
            raw.execute(
                "SELECT status FROM c1.execution WHERE execution_id = %s", (execution_id,)
            ).fetchone()[0]
            == target
        )
    else:
        with pytest.raises(psycopg.Error) as caught:
            move(raw, execution_id, target)
        assert caught.value.sqlstate in ("C1001", "C1003")


def test_terminal_execution_is_frozen(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    move(raw, execution_id, "RUNNING")
    move(raw, execution_id, "SUCCESS")
    state = refused(
        raw, "UPDATE c1.execution SET error_summary = 'rewritten' WHERE execution_id = %s", (execution_id,)
    )
    assert state == "C1003"


def test_identity_of_an_execution_never_changes(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    assert refused(
        raw, "UPDATE c1.execution SET job_id = 'other' WHERE execution_id = %s", (execution_id,)
    ) in ("C1003", "23503")
    assert (
        refused(
            raw, "UPDATE c1.execution SET requested_by = 'mallory' WHERE execution_id = %s", (execution_id,)
        )
        == "C1003"
    )


def test_new_execution_must_start_ready(raw: psycopg.Connection) -> None:
    add_job(raw)
    assert (
        refused(
            raw,
            """INSERT INTO c1.execution (job_id, run_type, status, business_date_from, business_date_to,
                                     requested_by, started_at, ended_at)
           VALUES ('valuation', 'MANUAL', 'SUCCESS', '2026-11-02', '2026-11-02', 'x', now(), now())""",
        )
        == "C1001"
    )


def test_every_transition_writes_an_event(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    raw.execute("SELECT set_config('c1.actor', 'runner-7', false)")
    move(raw, execution_id, "RUNNING")
    move(raw, execution_id, "FAILED")
    rows = raw.execute(
        "SELECT from_status, to_status, actor FROM c1.execution_event"
        " WHERE execution_id = %s ORDER BY event_id",
        (execution_id,),
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(None, "READY"), ("READY", "RUNNING"), ("RUNNING", "FAILED")]
    assert rows[-1][2] == "runner-7"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=6))
def test_random_transitions_only_legal_ones_succeed(raw: psycopg.Connection, attempts: list[str]) -> None:
    execution_id = add_execution(raw)
    current = "READY"
    for target in attempts:
        try:
            move(raw, execution_id, target)
            accepted = True
        except psycopg.Error:
            accepted = False
        legal = (current, target) in LEGAL or (
            target == current and current not in ("SUCCESS", "FAILED", "STOPPED")
        )
        assert accepted == legal, f"{current} -> {target} accepted={accepted}"
        if accepted:
            current = target
        stored = raw.execute(
            "SELECT status FROM c1.execution WHERE execution_id = %s", (execution_id,)
        ).fetchone()[0]
        assert stored == current


# 2. no DELETE of history, no UPDATE of a payload, audit rejects UPDATE / DELETE / TRUNCATE ------------


def test_no_delete_of_history(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    add_result(raw, execution_id)
    raw.execute(
        "INSERT INTO c1.execution_unit (execution_id, business_date, target_key) VALUES (%s, %s, 'A')",
        (execution_id, date(2026, 11, 2)),
    )
    raw.execute(
        """INSERT INTO c1.notification (event, channel, dedupe_key) VALUES ('failed', 'email', 'k')"""
    )
    audit(raw)
    for table in ("execution", "execution_event", "execution_unit", "result", "audit_log", "notification"):
        assert refused(raw, f"DELETE FROM c1.{table}") == "C1002", table
        assert refused(raw, f"TRUNCATE c1.{table} CASCADE") == "C1002", table
    assert raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0] == 1


def test_result_payload_never_updated(raw: psycopg.Connection) -> None:
    result_id = add_result(raw, add_execution(raw))
    assert (
        refused(raw, """UPDATE c1.result SET payload = '{"v": 2}' WHERE result_id = %s""", (result_id,))
        == "C1003"
    )
    raw.execute(
        "UPDATE c1.result SET is_active = false, deactivated_at = now() WHERE result_id = %s", (result_id,)
    )


def test_audit_rows_cannot_be_updated_or_deleted(raw: psycopg.Connection) -> None:
    audit_id = audit(raw)
    assert refused(raw, "UPDATE c1.audit_log SET reason = 'x' WHERE audit_id = %s", (audit_id,)) == "C1002"
    assert refused(raw, "DELETE FROM c1.audit_log WHERE audit_id = %s", (audit_id,)) == "C1002"
    assert refused(raw, "TRUNCATE c1.audit_log") == "C1002"


# 3-5. uniqueness ----------------------------------------------------------------------------------------


def test_one_active_result_per_key(raw: psycopg.Connection) -> None:
    first = add_execution(raw)
    second = add_execution(raw)
    add_result(raw, first)
    assert (
        refused(
            raw,
            "INSERT INTO c1.result (job_id, business_date, target_key, payload, execution_id, is_active)"
            " VALUES ('valuation', '2026-11-02', 'ACC-1', '{}', %s, true)",
            (second,),
        )
        == "23505"
    )
    add_result(raw, second, active=False)  # an inactive second version is fine


def test_one_result_per_unit_per_execution(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    add_result(raw, execution_id, active=False)
    assert (
        refused(
            raw,
            "INSERT INTO c1.result (job_id, business_date, target_key, payload, execution_id)"
            " VALUES ('valuation', '2026-11-02', 'ACC-1', '{}', %s)",
            (execution_id,),
        )
        == "23505"
    )


def test_one_auto_execution_per_fire(raw: psycopg.Connection) -> None:
    add_execution(raw, run_type="AUTO", scheduled_for="2026-11-02 06:00+00")
    with pytest.raises(psycopg.errors.UniqueViolation):
        add_execution(raw, run_type="AUTO", scheduled_for="2026-11-02 06:00+00")
    add_execution(raw, run_type="AUTO", scheduled_for="2026-11-03 06:00+00")


# the application role ------------------------------------------------------------------------------------


def test_app_role_cannot_bypass_invariants(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    add_result(raw, execution_id)
    audit(raw)
    raw.execute("SET ROLE c1_app")
    try:
        for statement in (
            "ALTER TABLE c1.audit_log DISABLE TRIGGER ALL",
            "DELETE FROM c1.result",
            "DELETE FROM c1.execution",
            "UPDATE c1.audit_log SET actor = 'x'",
            "TRUNCATE c1.audit_log",
            "UPDATE c1.result SET payload = '{}'",
            "DROP TABLE c1.audit_log",
        ):
            assert refused(raw, statement) in ("42501",), statement
        assert raw.execute("SELECT count(*) FROM c1.execution").fetchone()[0] == 1
    finally:
        raw.execute("RESET ROLE")
