"""Random sequences of operator actions against a live runner; the invariants hold after every step."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from c1console import ops
from c1console.errors import Problem
from c1console.requests import ReplayOf, ReplayRange
from c1console.scheduler.runner import Runner
from c1console.store import audit
from c1console.store.engine import Database, connection
from tests.jobmods import testjobs
from tests.runtime import runner_settings, session

MONDAY = date(2026, 11, 2)
JOBS = ["noop", "slow", "flaky"]


def test_random_operator_actions_keep_the_invariants(
    db: Database, db_url: str, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("C1_TEST_UNIT_SECONDS", "0.005")
    config = runner_settings(db_url)
    registry = testjobs.build()
    alice = session(db, config, registry)
    runner = Runner(db, registry, config, max_workers=3).start()
    accepted = {"count": 0}

    class Operators(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[int] = []

        def act(self, action) -> None:  # type: ignore[no-untyped-def]
            try:
                outcome = action()
            except Problem:
                return  # refused cleanly: nothing written (checked by the audit-count invariant)
            accepted["count"] += 1
            if isinstance(outcome, ops.Created):
                self.ids.append(outcome.execution_id)

        @rule(job=st.sampled_from(JOBS), offset=st.integers(0, 6), span=st.integers(0, 2))
        def trigger(self, job: str, offset: int, span: int) -> None:
            start = MONDAY + timedelta(days=offset)
            self.act(
                lambda: ops.trigger(
                    alice, job, date_from=start, date_to=start + timedelta(days=span), reason="rule"
                )
            )

        @rule(pick=st.integers(0, 50))
        def stop(self, pick: int) -> None:
            if self.ids:
                self.act(lambda: ops.stop(alice, self.ids[pick % len(self.ids)], "rule stop"))

        @rule(pick=st.integers(0, 50))
        def resume(self, pick: int) -> None:
            if self.ids:
                self.act(lambda: ops.resume(alice, self.ids[pick % len(self.ids)], "rule resume"))

        @rule(pick=st.integers(0, 50), failed_only=st.booleans())
        def replay_of(self, pick: int, failed_only: bool) -> None:
            if self.ids:
                self.act(
                    lambda: ops.replay(
                        alice, ReplayOf(self.ids[pick % len(self.ids)], failed_only), reason="rule replay"
                    )
                )

        @rule(job=st.sampled_from(JOBS), offset=st.integers(-2, 6))
        def replay_range(self, job: str, offset: int) -> None:
            start = MONDAY + timedelta(days=offset)
            self.act(
                lambda: ops.replay(
                    alice, ReplayRange(job, start, start + timedelta(days=1)), reason="rule range"
                )
            )

        @rule(job=st.sampled_from(JOBS), paused=st.booleans())
        def pause(self, job: str, paused: bool) -> None:
            self.act(lambda: ops.set_job_paused(alice, job, paused, "rule pause"))

        @invariant()
        def at_most_one_active_result_per_key(self) -> None:
            worst = raw.execute(
                "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM c1.result WHERE is_active"
                " GROUP BY job_id, business_date, target_key) x"
            ).fetchone()[0]
            assert worst <= 1

        @invariant()
        def one_audit_row_per_accepted_action(self) -> None:
            rows = raw.execute("SELECT count(*) FROM c1.audit_log WHERE actor <> 'system'").fetchone()[0]
            assert rows == accepted["count"]

        @invariant()
        def nothing_running_without_a_live_owner(self) -> None:
            orphans = raw.execute(
                "SELECT count(*) FROM c1.execution e LEFT JOIN c1.runner r USING (runner_id)"
                " WHERE e.status = 'RUNNING' AND (r.runner_id IS NULL OR r.lease_expires_at < now())"
            ).fetchone()[0]
            assert orphans == 0

        @invariant()
        def audit_chain_verifies(self) -> None:
            with connection(db) as conn:
                assert audit.verify_chain(conn).ok

    try:
        run_state_machine_as_test(
            Operators,
            settings=settings(
                max_examples=12,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        runner.stop()
    assert accepted["count"] > 0
