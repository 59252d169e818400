"""Every role attempts every action: only what the role allows succeeds, refusals write nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import psycopg
import pytest

from c1console import checklists, ops
from c1console.errors import Refused
from c1console.requests import ReplayOf
from c1console.store.engine import Database
from tests.faults.stats import COUNTS
from tests.jobmods import testjobs
from tests.runtime import runner_settings, session

DAY = date(2026, 11, 2)
ALLOWED = {
    "viewer": set(),
    "operator": {"trigger", "stop", "resume", "replay", "rollback", "pause", "request", "sign"},
    "approver": {"trigger", "stop", "resume", "replay", "rollback", "pause", "request", "sign", "approve"},
}


def actions(db: Database, actor: ops.Session, setup: ops.Session) -> dict[str, Callable[[], object]]:
    """Each action on its own fresh object, made by an admin, so only the role decides the outcome."""

    def stopped() -> int:
        created = ops.trigger(setup, "noop", date_from=DAY)
        ops.stop(setup, created.execution_id, "prepared")  # type: ignore[union-attr]
        return created.execution_id  # type: ignore[union-attr]

    def pending_comp() -> int:
        return ops.request_compensation(
            setup,
            job_id="noop",
            business_date=DAY,
            target="T1",
            payload="{}",
            reason="prepared",
            evidence_ref="INC",
        )

    return {
        "trigger": lambda: ops.trigger(actor, "noop", date_from=DAY),
        "stop": lambda: ops.stop(actor, ops.trigger(setup, "noop", date_from=DAY).execution_id, "role test"),  # type: ignore[union-attr]
        "resume": lambda: ops.resume(actor, stopped(), "role test"),
        "replay": lambda: ops.replay(actor, ReplayOf(stopped()), reason="role test"),
        "rollback": lambda: ops.rollback(actor, stopped(), "role test"),
        "pause": lambda: ops.set_job_paused(actor, "noop", True, "role test"),
        "request": lambda: ops.request_compensation(
            actor,
            job_id="noop",
            business_date=DAY,
            target="T2",
            payload="{}",
            reason="role test",
            evidence_ref="INC",
        ),
        "approve": lambda: ops.decide_compensation(actor, pending_comp(), approve=True, note="role test"),
        "sign": lambda: ops.sign_checklist(
            actor, checklists.daily(db, date(2026, 11, 3)), "role test sign-off"
        ),
        "grant": lambda: ops.grant(actor, "someone", "viewer", "role test"),
    }


@pytest.mark.parametrize("role", ["viewer", "operator", "approver"])
def test_each_role_can_do_only_what_it_may(
    role: str, db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    settings = runner_settings(db_url)
    registry = testjobs.build()
    setup = session(db, settings, registry, operator="admin-setup", role="admin")
    actor = session(db, settings, registry, operator=f"{role}-user", role=role)
    for name, act in actions(db, actor, setup).items():
        own_before = raw.execute(
            "SELECT count(*) FROM c1.audit_log WHERE actor = %s", (actor.operator,)
        ).fetchone()[0]
        if name in ALLOWED[role]:
            act()
            own_after = raw.execute(
                "SELECT count(*) FROM c1.audit_log WHERE actor = %s", (actor.operator,)
            ).fetchone()[0]
            assert own_after == own_before + 1, name
        else:
            with pytest.raises(Refused, match=f"{actor.operator} is {role} and cannot"):
                act()
            own_after = raw.execute(
                "SELECT count(*) FROM c1.audit_log WHERE actor = %s", (actor.operator,)
            ).fetchone()[0]
            assert own_after == own_before, f"{role} refused {name} but wrote an audit row"
        COUNTS[f"role checks ({role})"] += 1


def test_the_application_role_cannot_disable_the_invariants(raw: psycopg.Connection) -> None:
    raw.execute("INSERT INTO c1.job (job_id, title, definition_hash) VALUES ('j', 'J', 'h')")
    raw.execute("SET ROLE c1_app")
    try:
        attempts = [
            "ALTER TABLE c1.audit_log DISABLE TRIGGER ALL",
            "ALTER TABLE c1.execution DISABLE TRIGGER USER",
            "DROP TRIGGER audit_chain ON c1.audit_log",
            "CREATE OR REPLACE FUNCTION c1.reject_change()"
            " RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
            "UPDATE c1.audit_log SET reason = 'x'",
            "DELETE FROM c1.audit_log",
            "DELETE FROM c1.execution",
            "DELETE FROM c1.result",
            "TRUNCATE c1.result",
            "SET session_replication_role = replica",
            "UPDATE c1.result SET payload = '{}'",
            "UPDATE c1.execution SET job_id = 'x'",
        ]
        for statement in attempts:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute(statement)
            COUNTS["app-role bypass attempts refused"] += 1
        # and it can still do its job
        raw.execute(
            "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by)"
            " VALUES ('j', 'MANUAL', '2026-11-02', '2026-11-02', 'x')"
        )
    finally:
        raw.execute("RESET ROLE")
