"""The guard triggers (sql/009) against the tables' actual columns.

For every column that information_schema lists, an UPDATE that changes only that column must be refused
with C1003 naming it, unless the column is in the movable set below for that row's state. A column added
to a table later is therefore checked by these tests without anyone listing it: if its guard freezes it
(the default) and it should move, or if the guard lets it move and this file does not say so, a test
fails. Each movable set must name real columns, so a rename cannot leave a stale entry behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from tests.rawsql import add_execution, add_job, add_result, move

EXECUTION_RUNNING = {
    "status",
    "started_at",
    "ended_at",
    "runner_id",
    "stop_requested_at",
    "stop_requested_by",
    "stop_reason",
    "error_code",
    "error_summary",
    "units_total",
    "units_done",
    "units_failed",
}
EXECUTION_FINISHED = {"rolled_back_at", "rolled_back_by", "rolled_back_reason"}
UNIT_OPEN = {"status", "error_code", "message", "traceback", "attempts", "started_at", "ended_at"}
RESULT = {"is_active", "superseded_by", "deactivated_at", "deactivated_reason"}
COMPENSATION_PENDING = {"status", "decided_by", "decided_at", "decision_note"}
NOTIFICATION = {"status", "attempts", "next_attempt_at", "last_error", "sent_at"}


@dataclass(frozen=True)
class Case:
    """A row of ``table`` in some state (made by ``make``, which returns its key) and what may move."""

    table: str
    state: str
    make: Callable[[psycopg.Connection], dict[str, object]]
    movable: set[str]
    next_status: str | None = None  # a legal next status, for a movable status column


def _execution(status: str) -> Callable[[psycopg.Connection], dict[str, object]]:
    def make(raw: psycopg.Connection) -> dict[str, object]:
        execution_id = add_execution(raw)
        for step in {"RUNNING": ["RUNNING"], "SUCCESS": ["RUNNING", "SUCCESS"]}.get(status, []):
            move(raw, execution_id, step)
        if status == "ROLLED_BACK":
            move(raw, execution_id, "RUNNING")
            move(raw, execution_id, "SUCCESS")
            raw.execute(
                "UPDATE c1.execution SET rolled_back_at = now(), rolled_back_by = 'op',"
                " rolled_back_reason = 'wrong' WHERE execution_id = %s",
                (execution_id,),
            )
        return {"execution_id": execution_id}

    return make


def _unit(status: str) -> Callable[[psycopg.Connection], dict[str, object]]:
    def make(raw: psycopg.Connection) -> dict[str, object]:
        execution_id = add_execution(raw)
        raw.execute(
            "INSERT INTO c1.execution_unit (execution_id, business_date, target_key) VALUES (%s, %s, 'A')",
            (execution_id, "2026-11-02"),
        )
        if status != "PENDING":
            raw.execute(
                "UPDATE c1.execution_unit SET status = %s WHERE execution_id = %s", (status, execution_id)
            )
        return {"execution_id": execution_id, "business_date": "2026-11-02", "target_key": "A"}

    return make


def _result(raw: psycopg.Connection) -> dict[str, object]:
    return {"result_id": add_result(raw, add_execution(raw))}


def _compensation(status: str) -> Callable[[psycopg.Connection], dict[str, object]]:
    def make(raw: psycopg.Connection) -> dict[str, object]:
        add_job(raw)
        compensation_id = raw.execute(
            """INSERT INTO c1.compensation (job_id, business_date, target_key, payload, reason,
                                           requested_by)
               VALUES ('valuation', '2026-11-02', 'A', '{"v": 1}', 'fix', 'alice')
               RETURNING compensation_id"""
        ).fetchone()[0]
        if status != "PENDING":
            raw.execute(
                "UPDATE c1.compensation SET status = %s, decided_by = 'bob', decided_at = now()"
                " WHERE compensation_id = %s",
                (status, compensation_id),
            )
        return {"compensation_id": compensation_id}

    return make


def _notification(raw: psycopg.Connection) -> dict[str, object]:
    notification_id = raw.execute(
        "INSERT INTO c1.notification (event, channel, dedupe_key) VALUES ('failed', 'email', 'k')"
        " RETURNING notification_id"
    ).fetchone()[0]
    return {"notification_id": notification_id}


CASES = [
    Case("execution", "READY", _execution("READY"), EXECUTION_RUNNING, "RUNNING"),
    Case("execution", "RUNNING", _execution("RUNNING"), EXECUTION_RUNNING, "SUCCESS"),
    Case("execution", "SUCCESS", _execution("SUCCESS"), EXECUTION_FINISHED),
    Case("execution", "ROLLED_BACK", _execution("ROLLED_BACK"), set()),
    Case("execution_unit", "PENDING", _unit("PENDING"), UNIT_OPEN, "SUCCESS"),
    Case("execution_unit", "RUNNING", _unit("RUNNING"), UNIT_OPEN, "FAILED"),
    Case("execution_unit", "SUCCESS", _unit("SUCCESS"), set()),
    Case("execution_unit", "SKIPPED", _unit("SKIPPED"), set()),
    Case("result", "any", _result, RESULT),
    Case("compensation", "PENDING", _compensation("PENDING"), COMPENSATION_PENDING, "APPROVED"),
    Case("compensation", "APPROVED", _compensation("APPROVED"), set()),
    Case("notification", "any", _notification, NOTIFICATION),
]


def _columns(raw: psycopg.Connection, table: str) -> list[tuple[str, str, bool]]:
    """(name, data type, generated identity) of each column of c1.<table>, from information_schema."""
    rows = raw.execute(
        "SELECT column_name, data_type, is_identity = 'YES' FROM information_schema.columns"
        " WHERE table_schema = 'c1' AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    assert rows, table
    return [(r[0], r[1], r[2]) for r in rows]


_CHANGED = {
    "text": "coalesce({c}, '') || 'x'",
    "integer": "coalesce({c}, 0) + 1",
    "bigint": "coalesce({c}, 0) + 1",
    "date": "coalesce({c}, DATE '2000-01-01') + 1",
    "timestamp with time zone": "coalesce({c}, now()) + interval '1 second'",
    "boolean": "NOT coalesce({c}, false)",
    "jsonb": """coalesce({c}, '{{}}') || '{{"changed": 1}}'""",
    "ARRAY": "coalesce({c}, '{{}}') || 'x'::text",
    "bytea": "coalesce({c}, '') || '\\x00'::bytea",
}


def _changed_value(column: str, data_type: str, identity: bool, next_status: str | None) -> sql.Composable:
    """An expression for a value of ``column`` different from the current one, whatever it is."""
    if identity:
        return sql.SQL("DEFAULT")  # the next identity value: the only change UPDATE allows
    if column == "status" and next_status is not None:
        return sql.Literal(next_status)
    assert data_type in _CHANGED, f"column {column} of type {data_type}: teach _CHANGED this type"
    return sql.SQL(_CHANGED[data_type]).format(c=sql.Identifier(column))


def _try_update(
    raw: psycopg.Connection, case: Case, column: str, value: sql.Composable
) -> psycopg.Error | None:
    """Changes one column of a fresh row of the case, in a transaction rolled back; the error, if any."""
    try:
        with raw.transaction(force_rollback=True):
            key = case.make(raw)
            where = sql.SQL(" AND ").join(
                sql.SQL("{} = {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in key.items()
            )
            updated = raw.execute(
                sql.SQL("UPDATE c1.{} SET {} = {} WHERE {}").format(
                    sql.Identifier(case.table), sql.Identifier(column), value, where
                )
            ).rowcount
            assert updated == 1, (case, column)
    except psycopg.Error as exc:
        return exc
    return None


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.table}-{c.state}")
def test_guard_freezes_every_column_it_does_not_name(raw: psycopg.Connection, case: Case) -> None:
    columns = _columns(raw, case.table)
    names = {c[0] for c in columns}
    assert case.movable <= names, f"movable columns of {case.table} that do not exist: {case.movable - names}"
    wrong = []
    for column, data_type, identity in columns:
        error = _try_update(raw, case, column, _changed_value(column, data_type, identity, case.next_status))
        refused = error is not None and error.sqlstate == "C1003"
        if column in case.movable and refused:
            wrong.append(f"{column}: movable but refused ({error})")
        elif column not in case.movable and not refused:
            wrong.append(f"{column}: frozen but {'accepted' if error is None else error.sqlstate}")
        elif refused:
            assert f"column(s) {column} may not change" in str(error), str(error)
    assert not wrong, f"c1.{case.table} ({case.state}): " + "; ".join(wrong)


def test_terminal_refusals_keep_their_messages(raw: psycopg.Connection) -> None:
    execution_id = _execution("SUCCESS")(raw)["execution_id"]
    with pytest.raises(psycopg.Error) as caught:
        raw.execute("UPDATE c1.execution SET status = 'FAILED' WHERE execution_id = %s", (execution_id,))
    assert caught.value.sqlstate == "C1003"
    assert f"execution {execution_id} is SUCCESS (terminal): column(s) status may not change" in str(
        caught.value
    )
    key = _unit("FAILED")(raw)
    with pytest.raises(psycopg.Error) as caught:
        raw.execute(
            "UPDATE c1.execution_unit SET message = 'x', attempts = 7 WHERE execution_id = %s",
            (key["execution_id"],),
        )
    assert caught.value.sqlstate == "C1003"
    assert "(terminal): column(s) attempts, message may not change" in str(caught.value)


def test_illegal_unit_transition_is_still_c1001(raw: psycopg.Connection) -> None:
    key = _unit("RUNNING")(raw)
    with pytest.raises(psycopg.Error) as caught:
        raw.execute(
            "UPDATE c1.execution_unit SET status = 'PENDING' WHERE execution_id = %s", (key["execution_id"],)
        )
    assert caught.value.sqlstate == "C1001"
    assert "illegal transition RUNNING -> PENDING" in str(caught.value)


def test_a_no_change_update_of_a_frozen_row_is_accepted(raw: psycopg.Connection) -> None:
    execution_id = _execution("ROLLED_BACK")(raw)["execution_id"]
    raw.execute("UPDATE c1.execution SET status = status WHERE execution_id = %s", (execution_id,))
    key = _unit("SUCCESS")(raw)
    raw.execute(
        "UPDATE c1.execution_unit SET message = message WHERE execution_id = %s", (key["execution_id"],)
    )
