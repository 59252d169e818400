"""The demo's batch jobs: market prices, portfolio valuation, position reconciliation, performance.

``register(registry, seed)`` adds four jobs to a registry. Everything a unit does is drawn from
``random.Random(f"{seed}:{job}:{business_date}:{target}")``: its payload, its duration (tens of
milliseconds, so a demo run takes seconds and a stop is visible) and whether a fault is planned for it.

Planned faults (``planned_fault``) follow the runbook's story, not chance at run time:

* AUTO runs of the three scheduled jobs hit a fault for about one execution in four: a price feed times out
  (EXT, retried once inside the unit; some timeouts recover on the retry), a price is missing (INP), the
  custodian file has duplicates (DQ).
* ``performance_calc`` (manual only) has a period-boundary bug on month-end business days (LOG) for a few
  portfolios, in MANUAL runs.
* REPLAY runs never fail: a replay is what an operator runs once the cause is fixed.
* A planned fault strikes once per registration: only the first execution that runs the unit fails (the
  feed came back, the file was resent), so a resume of a failed execution, or the next schedule fire of
  the same business date, succeeds. Several schedule fires of one business date (the demo fires every
  minute) therefore do not fail over and over.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from c1console.errors import DataQualityError, ExternalError, InputDataError, JobError, LogicError
from c1console.jobs import WEEKDAYS, JobDefinition, Registry, UnitContext

TIMEZONE = "Asia/Seoul"
DEFAULT_SEED = 7
SEED_ATTRIBUTE = "c1_demo_seed"

MARKET_PRICE_INGEST = "market_price_ingest"
PORTFOLIO_VALUATION = "portfolio_valuation"
POSITION_RECONCILIATION = "position_reconciliation"
PERFORMANCE_CALC = "performance_calc"

# feed -> (currency, instruments in the end-of-day file, index, index level around which it moves)
FEEDS: dict[str, tuple[str, int, str, float]] = {
    "KRX": ("KRW", 2_650, "KOSPI", 2_650.0),
    "NYSE": ("USD", 3_100, "S&P 500", 5_900.0),
    "LSE": ("GBP", 1_900, "FTSE 100", 8_300.0),
    "TSE": ("JPY", 3_800, "TOPIX", 2_750.0),
    "HKEX": ("HKD", 2_500, "Hang Seng", 19_500.0),
}
EXCHANGES: tuple[str, ...] = tuple(FEEDS)
PORTFOLIOS: tuple[str, ...] = tuple(f"PF-{n:03d}" for n in range(1, 13))
ACCOUNTS: tuple[str, ...] = tuple(f"ACC-{n}" for n in range(1001, 1009))
CUSTODIANS = ("KSD", "BNY Mellon", "State Street", "HSBC Securities Services")
HOLDINGS = (
    ("005930", "Samsung Electronics", "KRX"),
    ("000660", "SK hynix", "KRX"),
    ("035420", "NAVER", "KRX"),
    ("AAPL", "Apple", "NYSE"),
    ("JPM", "JPMorgan Chase", "NYSE"),
    ("HSBA", "HSBC Holdings", "LSE"),
    ("7203", "Toyota Motor", "TSE"),
    ("0700", "Tencent", "HKEX"),
)

# Probability that a unit's planned fault is a hard failure / a timeout the in-unit retry recovers from.
# Per unit, chosen so that about one AUTO execution in four has a failed unit (1 - (1 - p) ** targets).
AUTO_FAULT_RATE = {
    MARKET_PRICE_INGEST: 0.056,  # 5 feeds
    PORTFOLIO_VALUATION: 0.024,  # 12 portfolios
    POSITION_RECONCILIATION: 0.035,  # 8 accounts
}
RECOVERED_TIMEOUT_RATE = 0.08  # market feeds only: the first attempt times out, the retry loads the file
MONTH_END_FAULT_RATE = 0.15  # performance_calc: share of portfolios hit by the month-end boundary bug

# Unit durations in seconds (before ``pace``).
DURATION = {
    MARKET_PRICE_INGEST: (0.04, 0.08),
    PORTFOLIO_VALUATION: (0.02, 0.05),
    POSITION_RECONCILIATION: (0.02, 0.04),
    PERFORMANCE_CALC: (0.03, 0.06),
}


@dataclass(frozen=True)
class Fault:
    """A fault planned for one unit: its catalogue code, and whether only the first attempt fails."""

    code: str
    first_attempt_only: bool = False


def unit_random(seed: int, job_id: str, business_date: date, target: str) -> random.Random:
    """The one source of randomness of a unit."""
    return random.Random(f"{seed}:{job_id}:{business_date.isoformat()}:{target}")


def is_month_end(day: date) -> bool:
    """The last business day of its month."""
    following = day + timedelta(days=1)
    while not WEEKDAYS.is_business_day(following):
        following += timedelta(days=1)
    return WEEKDAYS.is_business_day(day) and following.month != day.month


def planned_fault(
    job_id: str, business_date: date, target: str, run_type: str, seed: int = DEFAULT_SEED
) -> Fault | None:
    """The fault planned for a unit run of this type, if any (the same answer for the same arguments)."""
    if run_type == "REPLAY":
        return None
    draw = unit_random(seed, job_id, business_date, target).random()
    if job_id == PERFORMANCE_CALC:
        hit = is_month_end(business_date) and draw < MONTH_END_FAULT_RATE
        return Fault("C1-LOG-013") if hit else None
    if run_type != "AUTO":
        return None
    rate = AUTO_FAULT_RATE.get(job_id, 0.0)
    if draw < rate:
        return Fault(
            {MARKET_PRICE_INGEST: "C1-EXT-002", PORTFOLIO_VALUATION: "C1-INP-001"}.get(job_id, "C1-DQ-011")
        )
    if job_id == MARKET_PRICE_INGEST and draw < rate + RECOVERED_TIMEOUT_RATE:
        return Fault("C1-EXT-002", first_attempt_only=True)
    return None


class Incidents:
    """Which execution met each planned fault first: a fault strikes that execution only."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, date, str], int] = {}
        self._lock = threading.Lock()

    def strikes(self, ctx: UnitContext) -> bool:
        key = (ctx.job_id, ctx.business_date, ctx.target)
        with self._lock:
            return self._first.setdefault(key, ctx.execution_id) == ctx.execution_id


# Payloads: (rng, business date, target) -> (payload, log line) -------------------------------------------

Outcome = tuple[dict[str, Any], str]


def _wave(day: date, period: float, amplitude: float) -> float:
    return amplitude * math.sin(day.toordinal() / period)


def _prices(rng: random.Random, day: date, feed: str) -> Outcome:
    currency, universe, index, level = FEEDS[feed]
    stale = rng.choice((0, 0, 0, 1, 2, 3))
    close = level * (1 + _wave(day, 9.0, 0.04) + rng.gauss(0, 0.006))
    payload = {
        "feed": feed,
        "file": f"{feed.lower()}_eod_{day:%Y%m%d}.csv",
        "currency": currency,
        "instruments": universe,
        "prices_loaded": universe - stale,
        "stale_prices": stale,
        "index": index,
        "index_close": round(close, 2),
    }
    return payload, f"{feed}: {universe - stale:,} closing prices ({stale} stale), {index} {close:,.2f}"


def _valuation(rng: random.Random, day: date, portfolio: str) -> Outcome:
    base = random.Random(f"base:{portfolio}").uniform(40e9, 900e9)
    nav = base * (1 + _wave(day, 11.0, 0.03) + rng.gauss(0, 0.004))
    units = base / random.Random(f"unit:{portfolio}").uniform(900, 1300)
    daily = rng.gauss(0.02, 0.6)
    payload = {
        "portfolio": portfolio,
        "currency": "KRW",
        "nav": round(nav),
        "units_outstanding": round(units),
        "nav_per_unit": round(nav / units, 4),
        "positions": rng.randint(35, 140),
        "daily_return_pct": round(daily, 3),
    }
    return payload, f"{portfolio}: NAV {nav:,.0f} KRW, {nav / units:,.2f} per unit ({daily:+.2f}%)"


def _reconciliation(rng: random.Random, day: date, account: str) -> Outcome:
    positions = rng.randint(20, 180)
    breaks = rng.choice((0, 0, 0, 0, 0, 1))
    cash_difference = round(rng.uniform(-500, 500), 0) if breaks else 0.0
    custodian = CUSTODIANS[int(account[-1]) % len(CUSTODIANS)]
    payload = {
        "account": account,
        "custodian": custodian,
        "positions": positions,
        "matched": positions - breaks,
        "breaks": breaks,
        "cash_difference_krw": cash_difference,
        "status": "BREAKS" if breaks else "MATCHED",
    }
    matched = f"{positions - breaks}/{positions}"
    return payload, f"{account} vs {custodian}: {matched} positions matched, {breaks} break(s)"


def _performance(rng: random.Random, day: date, portfolio: str) -> Outcome:
    benchmark = rng.gauss(0.03, 0.8)
    excess = rng.gauss(0.01, 0.25)
    mtd = _wave(day, 7.0, 2.5) + rng.gauss(0, 0.3)
    payload = {
        "portfolio": portfolio,
        "benchmark": "KOSPI 200",
        "return_1d_pct": round(benchmark + excess, 3),
        "benchmark_1d_pct": round(benchmark, 3),
        "excess_1d_pct": round(excess, 3),
        "return_mtd_pct": round(mtd, 3),
    }
    return payload, f"{portfolio}: {benchmark + excess:+.3f}% vs KOSPI 200 {benchmark:+.3f}%, MTD {mtd:+.2f}%"


# Failures: what a planned fault raises --------------------------------------------------------------------


def _failure(fault: Fault, rng: random.Random, day: date, target: str, ctx: UnitContext) -> JobError:
    if fault.code == "C1-EXT-002":
        return ExternalError(
            f"{target} end-of-day price feed for {day} timed out after 30 s (attempt {ctx.attempt})"
        )
    if fault.code == "C1-INP-001":
        code, name, exchange = rng.choice(HOLDINGS)
        return InputDataError(f"price for {code} {name} ({exchange}) on {day} missing; {target} holds it")
    if fault.code == "C1-DQ-011":
        count = rng.randint(2, 4)
        ids = ", ".join(f"T{day:%y%m%d}-{rng.randint(1000, 9999)}" for _ in range(count))
        return DataQualityError(
            f"{count} duplicate trade records in the custodian file for {target} on {day} ({ids})",
            code="C1-DQ-011",
        )
    mtd = rng.uniform(180, 420)
    return LogicError(
        f"month-to-date return {mtd:.1f}% for {target} on {day} is outside plausible bounds "
        "(the month-end boundary day was counted twice)",
        code="C1-LOG-013",
    )


@dataclass(frozen=True)
class DemoJob:
    job_id: str
    title: str
    targets: tuple[str, ...]
    schedule: str | None
    outcome: Callable[[random.Random, date, str], Outcome]
    description: str
    chunk_size: int
    retries: int = 0


DEMO_JOBS: tuple[DemoJob, ...] = (
    DemoJob(
        MARKET_PRICE_INGEST,
        "Market price ingest",
        EXCHANGES,
        "* * * * *",
        _prices,
        "Loads end-of-day closing prices from the exchange feeds.",
        chunk_size=5,
        retries=1,
    ),
    DemoJob(
        PORTFOLIO_VALUATION,
        "Portfolio valuation",
        PORTFOLIOS,
        "*/2 * * * *",
        _valuation,
        "Values every portfolio at the day's closing prices (NAV, NAV per unit).",
        chunk_size=6,
    ),
    DemoJob(
        POSITION_RECONCILIATION,
        "Position reconciliation",
        ACCOUNTS,
        "*/3 * * * *",
        _reconciliation,
        "Reconciles each account's positions and cash against the custodian's file.",
        chunk_size=4,
    ),
    DemoJob(
        PERFORMANCE_CALC,
        "Performance calculation",
        PORTFOLIOS,
        None,
        _performance,
        "Daily and month-to-date returns of every portfolio against its benchmark (run on request).",
        chunk_size=12,
    ),
)


def _unit_function(
    spec: DemoJob, seed: int, pace: float, incidents: Incidents
) -> Callable[[date, str, UnitContext], dict[str, Any]]:
    low, high = DURATION[spec.job_id]

    def unit(business_date: date, target: str, ctx: UnitContext) -> dict[str, Any]:
        rng = unit_random(seed, spec.job_id, business_date, target)
        rng.random()  # the fault draw (planned_fault)
        time.sleep(rng.uniform(low, high) * pace)
        fault = planned_fault(spec.job_id, business_date, target, ctx.run_type, seed)
        recovered = fault is not None and fault.first_attempt_only and ctx.attempt > 1
        if fault is not None and not recovered and incidents.strikes(ctx):
            raise _failure(fault, rng, business_date, target, ctx)
        payload, line = spec.outcome(rng, business_date, target)
        ctx.log.info("%s", line)
        return payload

    unit.__name__ = unit.__qualname__ = spec.job_id
    unit.__module__ = __name__
    setattr(unit, SEED_ATTRIBUTE, seed)
    return unit


def seed_of(definition: JobDefinition) -> int:
    """The seed a demo job was registered with (``DEFAULT_SEED`` for any other job)."""
    seed = getattr(definition.unit, SEED_ATTRIBUTE, DEFAULT_SEED)
    return seed if isinstance(seed, int) else DEFAULT_SEED


def _fixed_targets(targets: tuple[str, ...]) -> Callable[[date], tuple[str, ...]]:
    return lambda _day: targets


def register(registry: Registry, seed: int = DEFAULT_SEED, *, pace: float = 1.0) -> Registry:
    """Adds the demo jobs to ``registry`` and returns it. ``pace`` scales unit durations (tests use < 1)."""
    if pace < 0:
        raise ValueError("pace must be >= 0")
    incidents = Incidents()
    for spec in DEMO_JOBS:
        registry.add(
            JobDefinition(
                job_id=spec.job_id,
                title=spec.title,
                unit=_unit_function(spec, seed, pace, incidents),
                targets=_fixed_targets(spec.targets),
                schedule=spec.schedule,
                timezone=TIMEZONE,
                chunk_size=spec.chunk_size,
                retries=spec.retries,
                retry_delay_seconds=0.05,
                description=spec.description,
            )
        )
    return registry
