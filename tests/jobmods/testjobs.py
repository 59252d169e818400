"""Jobs for the runner tests. Importing this module registers them in c1console.jobs.REGISTRY (the way a
job author's module does); ``build()`` gives a private registry for in-process tests."""

from __future__ import annotations

import os
import threading
import time
from datetime import date

from c1console.errors import ExternalError, InputDataError
from c1console.jobs import REGISTRY, JobDefinition, Registry, UnitContext

TARGETS = [f"T{n}" for n in range(1, 6)]
FAIL_TARGETS: set[str] = {"T3"}
_transient_seen: set[tuple[int, date, str]] = set()
_lock = threading.Lock()


def noop(business_date: date, target: str, ctx: UnitContext) -> dict:
    return {"date": business_date.isoformat(), "target": target, "execution": ctx.execution_id}


def slow(business_date: date, target: str, ctx: UnitContext) -> dict:
    time.sleep(float(os.environ.get("C1_TEST_UNIT_SECONDS", "0.05")))
    ctx.log.info("slow unit %s %s", business_date, target)
    return {"target": target}


def flaky(business_date: date, target: str, ctx: UnitContext) -> dict:
    if target in FAIL_TARGETS and ctx.run_type != "REPLAY":
        raise InputDataError(f"price for {target} on {business_date} missing")
    return {"target": target, "run_type": ctx.run_type}


def transient(business_date: date, target: str, ctx: UnitContext) -> dict:
    key = (ctx.execution_id, business_date, target)
    with _lock:
        first = key not in _transient_seen
        _transient_seen.add(key)
    if first:
        raise ExternalError("feed timed out")
    return {"attempt": ctx.attempt}


def many_targets(day: date) -> list[str]:
    return [f"ACC-{n:03d}" for n in range(1, 41)]


def definitions() -> list[JobDefinition]:
    fixed = lambda _day: TARGETS  # noqa: E731
    return [
        JobDefinition("noop", "No-op", noop, fixed, chunk_size=3),
        JobDefinition("slow", "Slow units", slow, many_targets, chunk_size=5),
        JobDefinition("flaky", "Flaky input", flaky, fixed, schedule="0 6 * * 1-5", timezone="Asia/Seoul"),
        JobDefinition("strict", "Stops on first failure", flaky, fixed, stop_on_first_failure=True),
        JobDefinition("transient", "Transient feed", transient, fixed, retries=1, retry_delay_seconds=0.01),
    ]


def build() -> Registry:
    registry = Registry()
    for definition in definitions():
        registry.add(definition)
    return registry


for _definition in definitions():
    REGISTRY.add(_definition)
