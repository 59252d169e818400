"""The demo's jobs (pure, no database) and, end to end with a live runner, its seeded history."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from c1console import errors, ops
from c1console.config import load_settings
from c1console.demo import jobs as demo
from c1console.errors import JobError, classify
from c1console.jobs import WEEKDAYS, JobDefinition, Registry, UnitContext
from c1console.store.engine import Database

YEAR = WEEKDAYS.days(date(2026, 1, 1), date(2026, 12, 31))
EXPECTED_CODES = {
    demo.MARKET_PRICE_INGEST: ("C1-EXT-002", errors.ExternalError),
    demo.PORTFOLIO_VALUATION: ("C1-INP-001", errors.InputDataError),
    demo.POSITION_RECONCILIATION: ("C1-DQ-011", errors.DataQualityError),
    demo.PERFORMANCE_CALC: ("C1-LOG-013", errors.LogicError),
}
NATURAL_RUN_TYPE = {  # the run type under which each job's faults happen
    demo.MARKET_PRICE_INGEST: "AUTO",
    demo.PORTFOLIO_VALUATION: "AUTO",
    demo.POSITION_RECONCILIATION: "AUTO",
    demo.PERFORMANCE_CALC: "MANUAL",
}


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def context(
    job_id: str,
    day: date,
    target: str,
    run_type: str,
    *,
    execution_id: int = 1,
    attempt: int = 1,
    log: logging.Logger | None = None,
) -> UnitContext:
    return UnitContext(
        execution_id=execution_id,
        job_id=job_id,
        run_type=run_type,
        business_date=day,
        target=target,
        attempt=attempt,
        log=log or logging.getLogger("test.demo"),
        stop_requested=lambda: False,
    )


Outcome = dict[str, Any] | JobError


def run(definition: JobDefinition, day: date, target: str, run_type: str, **kw: Any) -> Outcome:
    """The unit's payload, or the JobError it raised."""
    try:
        return definition.unit(day, target, context(definition.job_id, day, target, run_type, **kw))
    except JobError as exc:
        return exc


def fresh(seed: int = demo.DEFAULT_SEED) -> Registry:
    return demo.register(Registry(), seed, pace=0)


def faulty_units(job_id: str, run_type: str, seed: int = demo.DEFAULT_SEED) -> list[tuple[date, str]]:
    """Units of the year with a planned hard fault for this run type."""
    targets = fresh(seed).require(job_id).targets_for(YEAR[0])
    found = []
    for day in YEAR:
        for target in targets:
            fault = demo.planned_fault(job_id, day, target, run_type, seed)
            if fault is not None and not fault.first_attempt_only:
                found.append((day, target))
    return found


def as_comparable(outcome: Outcome) -> object:
    return (type(outcome).__name__, outcome.code, str(outcome)) if isinstance(outcome, JobError) else outcome


# Registration --------------------------------------------------------------------------------------------


def test_register_adds_the_four_jobs_to_the_given_registry() -> None:
    registry = Registry()
    assert demo.register(registry, pace=0) is registry
    assert [d.job_id for d in registry] == sorted(EXPECTED_CODES)
    market = registry.require(demo.MARKET_PRICE_INGEST)
    assert (market.title, market.schedule, market.timezone, market.retries) == (
        "Market price ingest",
        "* * * * *",
        "Asia/Seoul",
        1,
    )
    assert market.processes == "previous_business_day" and market.trigger is not None
    assert registry.require(demo.PORTFOLIO_VALUATION).schedule == "*/2 * * * *"
    assert registry.require(demo.POSITION_RECONCILIATION).schedule == "*/3 * * * *"
    performance = registry.require(demo.PERFORMANCE_CALC)
    assert performance.schedule is None and performance.trigger is None
    assert all(d.description and d.title for d in registry)
    assert demo.seed_of(performance) == demo.DEFAULT_SEED
    assert demo.seed_of(demo.register(Registry(), 11).require(demo.PERFORMANCE_CALC)) == 11


def test_each_job_has_its_targets() -> None:
    registry = fresh()
    day = date(2026, 11, 2)
    exchanges = ["KRX", "NYSE", "LSE", "TSE", "HKEX"]
    assert registry.require(demo.MARKET_PRICE_INGEST).targets_for(day) == exchanges
    portfolios = [f"PF-{n:03d}" for n in range(1, 13)]
    assert registry.require(demo.PORTFOLIO_VALUATION).targets_for(day) == portfolios
    assert registry.require(demo.PERFORMANCE_CALC).targets_for(day) == portfolios
    accounts = [f"ACC-{n}" for n in range(1001, 1009)]
    assert registry.require(demo.POSITION_RECONCILIATION).targets_for(day) == accounts


def test_units_return_json_payloads_and_log_a_line() -> None:
    registry = fresh()
    handler = Captured()
    log = logging.Logger("test.demo.capture")  # like the runner's per-execution logger
    log.addHandler(handler)
    day = date(2026, 11, 2)
    try:
        for definition in registry:
            for target in definition.targets_for(day):
                payload = run(definition, day, target, "REPLAY", log=log)
                assert isinstance(payload, dict) and payload
                assert target in payload.values()
    finally:
        log.removeHandler(handler)
    assert len(handler.lines) == 5 + 12 + 8 + 12
    assert any("KOSPI" in line for line in handler.lines)
    market = run(registry.require(demo.MARKET_PRICE_INGEST), day, "KRX", "REPLAY")
    assert isinstance(market, dict) and market["currency"] == "KRW" and market["index_close"] > 0
    nav = run(registry.require(demo.PORTFOLIO_VALUATION), day, "PF-003", "REPLAY")
    assert isinstance(nav, dict) and nav["nav"] > 0 and nav["nav_per_unit"] > 0


# Determinism ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("run_type", ["AUTO", "MANUAL", "REPLAY"])
def test_same_seed_same_payloads_and_failures(run_type: str) -> None:
    first, second = fresh(), fresh()
    days = YEAR[:40]
    for definition in first:
        twin = second.require(definition.job_id)
        for day in days:
            for target in definition.targets_for(day):
                a = run(definition, day, target, run_type)
                b = run(twin, day, target, run_type)
                assert as_comparable(a) == as_comparable(b), (definition.job_id, day, target)


def test_another_seed_gives_other_data_and_other_failures() -> None:
    day = date(2026, 11, 2)
    a = run(fresh(7).require(demo.PORTFOLIO_VALUATION), day, "PF-001", "REPLAY")
    b = run(fresh(8).require(demo.PORTFOLIO_VALUATION), day, "PF-001", "REPLAY")
    assert isinstance(a, dict) and isinstance(b, dict) and a["nav"] != b["nav"]
    job = demo.PORTFOLIO_VALUATION
    assert faulty_units(job, "AUTO", 7) != faulty_units(job, "AUTO", 8)


def test_payload_does_not_depend_on_the_run_type() -> None:
    registry = fresh()
    for definition in registry:
        day, target = YEAR[3], definition.targets_for(YEAR[3])[0]
        kinds = ("AUTO", "MANUAL", "REPLAY")
        outcomes = [run(fresh().require(definition.job_id), day, target, kind) for kind in kinds]
        payloads = [o for o in outcomes if isinstance(o, dict)]
        assert payloads and all(p == payloads[0] for p in payloads)


# Failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("job_id", sorted(EXPECTED_CODES))
def test_failures_carry_the_intended_codes(job_id: str) -> None:
    code, cls = EXPECTED_CODES[job_id]
    units = faulty_units(job_id, NATURAL_RUN_TYPE[job_id])
    assert units, f"{job_id} never fails in a year"
    for day, target in units[:10]:
        outcome = run(fresh().require(job_id), day, target, NATURAL_RUN_TYPE[job_id])
        assert isinstance(outcome, cls), (day, target, outcome)
        assert classify(outcome) == code
        assert target in str(outcome) and str(day) in str(outcome)


@pytest.mark.parametrize("job_id", sorted(EXPECTED_CODES))
def test_replays_of_failing_units_succeed(job_id: str) -> None:
    registry = fresh()
    for day, target in faulty_units(job_id, NATURAL_RUN_TYPE[job_id]):
        assert isinstance(run(registry.require(job_id), day, target, "REPLAY"), dict)


def test_scheduled_jobs_fail_only_in_auto_runs() -> None:
    for job_id in (demo.MARKET_PRICE_INGEST, demo.PORTFOLIO_VALUATION, demo.POSITION_RECONCILIATION):
        assert faulty_units(job_id, "AUTO")
        assert not faulty_units(job_id, "MANUAL") and not faulty_units(job_id, "REPLAY")


def test_performance_fails_only_on_month_ends() -> None:
    units = faulty_units(demo.PERFORMANCE_CALC, "MANUAL")
    assert {day for day, _ in units} <= {d for d in YEAR if demo.is_month_end(d)}
    assert 0 < len(units) < 0.3 * 12 * 12  # a few portfolios per month end: rare
    assert demo.is_month_end(date(2026, 10, 30)) and not demo.is_month_end(date(2026, 10, 29))
    assert demo.is_month_end(date(2026, 1, 30))  # Jan 31 is a Saturday


@pytest.mark.parametrize(
    "job_id", [demo.MARKET_PRICE_INGEST, demo.PORTFOLIO_VALUATION, demo.POSITION_RECONCILIATION]
)
def test_about_one_auto_execution_in_four_fails(job_id: str) -> None:
    failing_days = {day for day, _ in faulty_units(job_id, "AUTO")}
    assert 0.12 < len(failing_days) / len(YEAR) < 0.38


def test_a_fault_strikes_its_first_execution_only() -> None:
    registry = fresh()
    definition = registry.require(demo.PORTFOLIO_VALUATION)
    day, target = faulty_units(demo.PORTFOLIO_VALUATION, "AUTO")[0]
    assert isinstance(run(definition, day, target, "AUTO", execution_id=10), errors.InputDataError)
    # the same execution sees the same fault again (e.g. on a retry) ...
    assert isinstance(run(definition, day, target, "AUTO", execution_id=10, attempt=2), errors.InputDataError)
    # ... but the next fire of the same business date, or a resume (MANUAL), succeeds
    assert isinstance(run(definition, day, target, "AUTO", execution_id=11), dict)
    assert isinstance(run(definition, day, target, "MANUAL", execution_id=12), dict)
    # another registration (another process) has its own incidents
    assert isinstance(run(fresh().require(demo.PORTFOLIO_VALUATION), day, target, "AUTO"), JobError)


def test_feed_timeouts_are_transient_and_some_recover_on_the_retry() -> None:
    assert errors.lookup("C1-EXT-002") is not None and errors.lookup("C1-EXT-002").transient  # type: ignore[union-attr]
    recovering = [
        (day, target)
        for day in YEAR
        for target in demo.EXCHANGES
        if (f := demo.planned_fault(demo.MARKET_PRICE_INGEST, day, target, "AUTO")) and f.first_attempt_only
    ]
    assert recovering
    day, target = recovering[0]
    definition = fresh().require(demo.MARKET_PRICE_INGEST)
    assert isinstance(run(definition, day, target, "AUTO", attempt=1), errors.ExternalError)
    assert isinstance(run(definition, day, target, "AUTO", attempt=2), dict)
    hard_day, hard_target = faulty_units(demo.MARKET_PRICE_INGEST, "AUTO")[0]
    assert isinstance(run(definition, hard_day, hard_target, "AUTO", attempt=1), errors.ExternalError)
    assert isinstance(run(definition, hard_day, hard_target, "AUTO", attempt=2), errors.ExternalError)


def test_register_refuses_a_negative_pace() -> None:
    with pytest.raises(ValueError):
        demo.register(Registry(), pace=-1)


# History, end to end with the real runner ------------------------------------------------------------------

TODAY = date(2026, 11, 13)  # a Friday; seed 7 fails two AUTO units on the latest day (Nov 12)


@pytest.mark.slow
def test_seed_history_through_ops_and_the_runner(db: Database, db_url: str, raw: Any) -> None:
    runner_module = pytest.importorskip("c1console.scheduler.runner")
    from c1console.demo.history import seed_history
    from c1console.store import audit, executions
    from c1console.store.engine import connection

    registry = demo.register(Registry(), pace=0.3)
    settings = replace(
        load_settings(database_url=db_url, env={}), lease_timeout_seconds=5.0, poll_interval_seconds=0.2
    )
    session = ops.Session(db=db, settings=settings, operator="demo-op", registry=registry)
    ops.bootstrap_admin(session)

    def wait(execution_id: int) -> None:
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with connection(db) as conn:
                found = executions.get_execution(conn, execution_id)
            if found is not None and found.status in executions.TERMINAL:
                return
            time.sleep(0.02)
        raise AssertionError(f"execution {execution_id} did not finish")

    runner = runner_module.Runner(db, registry, settings, max_workers=4, fire_schedules=False).start()
    try:
        report = seed_history(session, wait, today=TODAY)
        again = seed_history(session, wait, today=TODAY)
    finally:
        runner.stop()

    assert report.seeded and not report.notes, report.notes
    assert set(report.by_run_type) == {"AUTO", "MANUAL", "REPLAY"}
    assert set(report.by_status) == {"SUCCESS", "FAILED", "STOPPED"}
    assert report.by_run_type["AUTO"] == 30 * 3 - 1  # one fire was missed
    assert not again.seeded and (again.by_run_type, again.by_status) == (report.by_run_type, report.by_status)

    left_open = raw.execute(
        "SELECT e.execution_id, e.business_date_from"
        " FROM c1.failure f JOIN c1.execution e USING (execution_id)"
        " WHERE f.state = 'OPEN' ORDER BY e.business_date_from, e.execution_id"
    ).fetchall()
    # the newest three before the latest seeded day (Nov 12, which the live schedule also fires)
    assert tuple(r[0] for r in left_open) == report.left_open and len(report.left_open) == 3
    assert report.open_failed == report.left_open[-1] and left_open[-1][1] == date(2026, 11, 11)

    kinds = {
        r[0]
        for r in raw.execute("SELECT DISTINCT replay_kind FROM c1.execution WHERE replay_kind IS NOT NULL")
    }
    assert kinds == {"RANGE", "SINGLE"}
    stopped = raw.execute(
        "SELECT execution_id, units_done, units_total FROM c1.execution WHERE status = 'STOPPED'"
    ).fetchall()
    assert len(stopped) == 1 and stopped[0][0] == report.stopped and 0 < stopped[0][1] < stopped[0][2] == 120
    resumed = raw.execute(
        "SELECT status, run_type FROM c1.execution WHERE resumed_from = %s", (report.stopped,)
    ).fetchone()
    assert resumed == ("SUCCESS", "MANUAL")
    missed = raw.execute("SELECT job_id, scheduled_for FROM c1.missed_fire").fetchall()
    assert len(missed) == 1 and missed[0][0] == demo.POSITION_RECONCILIATION and report.missed_fires == 1
    actions = {r[0] for r in raw.execute("SELECT DISTINCT action FROM c1.audit_log")}
    assert {"exec.replay", "exec.trigger", "exec.stop", "exec.resume", "job.pause", "job.resume"} <= actions
    auto_audited = raw.execute(
        "SELECT count(*) FROM c1.audit_log a JOIN c1.execution e USING (execution_id)"
        " WHERE e.run_type = 'AUTO'"
    ).fetchone()[0]
    assert auto_audited == 0
    assert raw.execute("SELECT count(*) FROM c1.execution WHERE scheduled_for > now()").fetchone()[0] == 0
    with connection(db) as conn:
        assert audit.verify_chain(conn).ok
