"""Every write's dry run (what a console dialog's first enter runs) refuses exactly what the write refuses, in
the same words, and writes nothing (issue 16). Against the real database, no runner: executions stay READY
unless stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import psycopg
import pytest

from c1console import checklists, ops
from c1console.errors import BadInput, Problem, Refused
from c1console.jobs import Registry
from c1console.requests import ReplayOf
from c1console.store.engine import Database
from tests.faults.test_bad_input import counts
from tests.runtime import session

DAY = date(2026, 11, 2)


def same_refusal(
    raw: psycopg.Connection, act: Callable[[bool], Any], kind: type[Problem], words: str
) -> None:
    """``act(dry_run)`` refuses the same way dry or not, and neither writes a row anywhere."""
    before = counts(raw)
    with pytest.raises(Problem) as dry:
        act(True)
    assert counts(raw) == before, "a refused dry run wrote something"
    with pytest.raises(Problem) as real:
        act(False)
    assert counts(raw) == before, "a refused write wrote something"
    assert type(dry.value) is type(real.value) is kind
    assert str(dry.value) == str(real.value)
    assert words in str(dry.value), str(dry.value)


def dry_then_real(raw: psycopg.Connection, act: Callable[[bool], Any]) -> tuple[Any, Any]:
    """A dry run that passes writes nothing; the write then does what it said."""
    before = counts(raw)
    dry = act(True)
    assert counts(raw) == before, "a dry run wrote something"
    audit = raw.execute("SELECT count(*) FROM c1.audit_log").fetchone()[0]
    real = act(False)
    assert raw.execute("SELECT count(*) FROM c1.audit_log").fetchone()[0] == audit + 1
    return dry, real


@pytest.fixture
def olga(db: Database, registry: Registry, settings: Any) -> ops.Session:
    return session(db, settings, registry, operator="olga", role="approver")


@pytest.fixture
def victor(db: Database, registry: Registry, settings: Any) -> ops.Session:
    return session(db, settings, registry, operator="victor", role="viewer")


def stopped(alice: ops.Session) -> int:
    created = ops.trigger(alice, "noop", date_from=DAY, reason="to stop")
    assert isinstance(created, ops.Created)
    ops.stop(alice, created.execution_id, "to stop")
    return created.execution_id


def test_stop(raw: psycopg.Connection, alice: ops.Session, victor: ops.Session) -> None:
    execution_id = stopped(alice)
    same_refusal(
        raw,
        lambda dry: ops.stop(alice, execution_id, "again", dry_run=dry),
        Refused,
        f"execution {execution_id} is already STOPPED",
    )
    ready = ops.trigger(alice, "noop", date_from=DAY)
    assert isinstance(ready, ops.Created)
    same_refusal(
        raw,
        lambda dry: ops.stop(victor, ready.execution_id, "hold", dry_run=dry),
        Refused,
        "victor is viewer and cannot stop an execution",
    )
    same_refusal(
        raw,
        lambda dry: ops.stop(alice, ready.execution_id, "a\x07b", dry_run=dry),
        BadInput,
        "control characters",
    )
    same_refusal(
        raw, lambda dry: ops.stop(alice, 99_999, "hold", dry_run=dry), BadInput, "99999 does not exist"
    )
    assert dry_then_real(raw, lambda dry: ops.stop(alice, ready.execution_id, "hold", dry_run=dry)) == (
        "STOPPED",
        "STOPPED",
    )


def test_decide_compensation(raw: psycopg.Connection, alice: ops.Session, olga: ops.Session) -> None:
    def requested(by: ops.Session, target: str) -> int:
        return ops.request_compensation(
            by,
            job_id="noop",
            business_date=DAY,
            target=target,
            payload={"value": 1},
            reason="custodian correction",
            evidence_ref="OPS-1",
        )

    own = requested(olga, "T1")
    for approve in (True, False):
        verb = "approve" if approve else "reject"
        same_refusal(
            raw,
            lambda dry, a=approve: ops.decide_compensation(olga, own, approve=a, note="fine", dry_run=dry),
            Refused,
            f"olga requested compensation {own} and cannot {verb} it — four eyes",
        )
    other = requested(alice, "T2")
    same_refusal(  # alice is an operator: approvers decide
        raw,
        lambda dry: ops.decide_compensation(alice, other, approve=True, note=None, dry_run=dry),
        Refused,
        "alice is operator and cannot approve compensations",
    )
    dry, real = dry_then_real(
        raw, lambda dry: ops.decide_compensation(olga, other, approve=True, note="matches", dry_run=dry)
    )
    assert dry is None and isinstance(real, int)
    same_refusal(
        raw,
        lambda dry: ops.decide_compensation(olga, other, approve=False, note="late", dry_run=dry),
        Refused,
        f"compensation {other} was already approved by olga",
    )


def test_sign_checklist(
    raw: psycopg.Connection, db: Database, alice: ops.Session, victor: ops.Session
) -> None:
    attention = replace(checklists.daily(db, DAY), verdict=checklists.ATTENTION)
    same_refusal(
        raw,
        lambda dry: ops.sign_checklist(alice, attention, "seen", dry_run=dry),
        BadInput,
        f"at least {ops.MIN_OVERRIDE_COMMENT} characters",
    )
    same_refusal(
        raw,
        lambda dry: ops.sign_checklist(victor, attention, "the TSE feed was late, OPS-2215", dry_run=dry),
        Refused,
        "victor is viewer and cannot sign a checklist",
    )
    dry, real = dry_then_real(
        raw, lambda dry: ops.sign_checklist(alice, attention, "the TSE feed was late, OPS-2215", dry_run=dry)
    )
    assert dry == ops.SignPreview("daily", DAY.isoformat(), ()) and isinstance(real, int)


def test_pause(raw: psycopg.Connection, alice: ops.Session, victor: ops.Session) -> None:
    same_refusal(
        raw,
        lambda dry: ops.set_job_paused(alice, "flaky", False, "back", dry_run=dry),
        Refused,
        "job flaky is already running",
    )
    same_refusal(
        raw,
        lambda dry: ops.set_job_paused(alice, "nope", True, "outage", dry_run=dry),
        BadInput,
        "unknown job 'nope'",
    )
    same_refusal(
        raw,
        lambda dry: ops.set_job_paused(victor, "flaky", True, "outage", dry_run=dry),
        Refused,
        "victor is viewer and cannot pause a job",
    )
    dry_then_real(raw, lambda dry: ops.set_job_paused(alice, "flaky", True, "vendor outage", dry_run=dry))
    same_refusal(
        raw,
        lambda dry: ops.set_job_paused(alice, "flaky", True, "again", dry_run=dry),
        Refused,
        "job flaky is already paused",
    )


def test_the_dry_runs_that_preview_check_the_role_too(
    raw: psycopg.Connection, alice: ops.Session, victor: ops.Session
) -> None:
    """trigger, replay, resume and rollback previewed for anyone; confirming then refused a viewer."""
    created = ops.trigger(alice, "noop", date_from=DAY, reason="to replay")
    assert isinstance(created, ops.Created)
    execution_id = stopped(alice)
    same_refusal(
        raw,
        lambda dry: ops.trigger(victor, "noop", date_from=DAY, dry_run=dry),
        Refused,
        "victor is viewer and cannot trigger a job",
    )
    same_refusal(
        raw,
        lambda dry: ops.replay(victor, ReplayOf(execution_id), reason="again", dry_run=dry),
        Refused,
        "victor is viewer and cannot replay",
    )
    same_refusal(
        raw,
        lambda dry: ops.resume(victor, execution_id, "go", dry_run=dry),
        Refused,
        "victor is viewer and cannot resume an execution",
    )
    same_refusal(
        raw,
        lambda dry: ops.rollback(victor, execution_id, "wrong", dry_run=dry),
        Refused,
        "victor is viewer and cannot roll back an execution",
    )
    same_refusal(  # READY: not finished
        raw,
        lambda dry: ops.rollback(alice, created.execution_id, "wrong", dry_run=dry),
        Refused,
        f"execution {created.execution_id} is READY",
    )


def test_a_read_only_console_names_the_flag(raw: psycopg.Connection, alice: ops.Session) -> None:
    looking = replace(alice, read_only=True)
    execution_id = ops.trigger(alice, "noop", date_from=DAY).execution_id  # type: ignore[union-attr]
    same_refusal(
        raw,
        lambda dry: ops.stop(looking, execution_id, "hold", dry_run=dry),
        Refused,
        "read-only console (--read-only): alice cannot stop an execution here",
    )
    with pytest.raises(Refused) as refused:
        ops.stop(looking, execution_id, "hold")
    assert "admin can grant" not in str(refused.value) and "without --read-only" in str(refused.value)


def test_a_blank_reason_passes_a_dry_run_only(raw: psycopg.Connection, alice: ops.Session) -> None:
    """A preview comes before the reason is typed: the dialogs ask for it themselves; the write refuses."""
    created = ops.trigger(alice, "noop", date_from=DAY)
    assert isinstance(created, ops.Created)
    before = counts(raw)
    assert ops.stop(alice, created.execution_id, None, dry_run=True) == "STOPPED"
    with pytest.raises(BadInput, match="a reason is required"):
        ops.stop(alice, created.execution_id, None)
    assert counts(raw) == before
