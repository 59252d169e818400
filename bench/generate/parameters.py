"""The parameters of the generated history: units of time, operators, error codes and messages, the reasons
operators give, and the dozen jobs with their targets, timings and failure rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

US = 1_000_000
DAY_US = 86_400 * US
EPOCH = date(1970, 1, 1).toordinal()
GENESIS = "0" * 64
SEP = "\x1f"
NULL = "\\N"
SYSTEM = "system"
AUTO_SHARE = 0.96  # AUTO fires as a share of N (the rest: follow-ups and ad-hoc manual acts)
SPAN_DAYS = 730
LEAD_DAYS = 10  # business days kept before the span, for T+1 jobs and replays reaching back
CHANNELS = ("email", "slack")

OPERATORS = {
    "alice": "admin",
    "bob": "operator",
    "chloe": "approver",
    "dan": "operator",
    "erin": "operator",
    "farid": "approver",
    "grace": "viewer",
}
ACTING = ("alice", "bob", "chloe", "dan", "erin", "farid")
APPROVERS = ("chloe", "farid", "alice")

INP_MISSING, INP_MALFORMED = "C1-INP-001", "C1-INP-009"
EXT_TIMEOUT, EXT_UNAVAILABLE, EXT_REJECTED = "C1-EXT-002", "C1-EXT-010", "C1-EXT-016"
DQ_VALIDATION, DQ_DUPLICATES, DQ_GAP = "C1-DQ-004", "C1-DQ-011", "C1-DQ-012"
LOG_UNCLASSIFIED, RUNNER_LOST = "C1-LOG-005", "C1-BAT-007"
MESSAGES = {
    INP_MISSING: ("InputDataError", "input file for {t} on {d} is missing"),
    INP_MALFORMED: ("InputDataError", "input file for {t} is malformed: line 1842 has 7 fields, expected 9"),
    EXT_TIMEOUT: ("ExternalError", "feed timed out after 30s"),
    EXT_UNAVAILABLE: ("ExternalError", "upstream service unavailable (HTTP 503)"),
    EXT_REJECTED: ("ExternalError", "custodian API rejected the request (HTTP 422)"),
    DQ_VALIDATION: ("DataQualityError", "validation failed: 3 positions with negative quantity"),
    DQ_DUPLICATES: ("DataQualityError", "duplicate records: 12 trades appear twice"),
    DQ_GAP: ("DataQualityError", "gap in the series: no close for {d}"),
    LOG_UNCLASSIFIED: ("KeyError", "'nav'"),
}
STOP_REASONS = (
    "upstream file incomplete, stopping to avoid partial results",
    "wrong calendar loaded",
    "running into the close, will rerun after hours",
    "duplicate run started by mistake",
    "vendor announced a correction",
)
REPLAY_REASONS = (
    "vendor re-sent corrected prices",
    "replay failed units after feed recovered",
    "late corporate action",
    "rerun after upstream fix (INC-{n})",
    "recompute with corrected FX rates",
    "client query: rerun for verification",
)
RESUME_REASONS = ("resume after the feed recovered", "resume after runner restart", None)
TRIGGER_REASONS = (None, None, "ad-hoc rerun requested by desk", "month-end check", "missing run")


def _names(prefix: str, n: int, width: int = 2) -> tuple[str, ...]:
    return tuple(f"{prefix}-{i:0{width}d}" for i in range(1, n + 1))


@dataclass(frozen=True)
class JobSpec:
    job_id: str
    title: str
    tz: str
    targets: tuple[str, ...]
    kind: str  # "intraday" (same business date, many fires a day) or "daily" (T+1, one fire)
    weight: float  # share of the intraday fire budget
    hour: int  # first fire, local time
    unit_ms: tuple[int, int]
    fail_p: float
    stop_p: float
    codes: tuple[str, ...]
    chunk: int = 50


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "price_ingest_kr",
        "KR market prices (intraday)",
        "Asia/Seoul",
        ("KONEX", "KOSDAQ", "KOSPI", "KRXBOND", "KRXETF", "KRXFUT", "KRXOPT", "KRXREPO"),
        "intraday",
        3,
        8,
        (20, 150),
        0.012,
        0.0005,
        (EXT_TIMEOUT, EXT_UNAVAILABLE, INP_MISSING, DQ_GAP),
    ),
    JobSpec(
        "price_ingest_us",
        "US market prices (intraday)",
        "America/New_York",
        ("ARCA", "BATS", "CBOE", "CME", "IEX", "NASDAQ", "NYSE", "OTC", "PHLX", "TRF"),
        "intraday",
        3,
        8,
        (20, 150),
        0.010,
        0.0005,
        (EXT_TIMEOUT, EXT_UNAVAILABLE, INP_MALFORMED),
    ),
    JobSpec(
        "fx_rates",
        "FX rates",
        "UTC",
        (
            "AUDUSD",
            "EURJPY",
            "EURUSD",
            "GBPUSD",
            "USDCAD",
            "USDCHF",
            "USDCNH",
            "USDHKD",
            "USDJPY",
            "USDKRW",
            "USDSGD",
            "USDTWD",
        ),
        "intraday",
        3,
        6,
        (10, 60),
        0.008,
        0.0003,
        (EXT_TIMEOUT, EXT_REJECTED, DQ_GAP),
    ),
    JobSpec(
        "index_levels",
        "Index levels",
        "Europe/London",
        ("EUROSTOXX50", "FTSE100", "KOSPI200", "NIKKEI225", "SP500", "STOXX600"),
        "intraday",
        2,
        7,
        (20, 100),
        0.008,
        0.0003,
        (EXT_TIMEOUT, INP_MISSING),
    ),
    JobSpec(
        "position_snapshot",
        "Position snapshots",
        "Asia/Seoul",
        _names("BOOK", 15),
        "intraday",
        2,
        8,
        (50, 300),
        0.010,
        0.0008,
        (INP_MISSING, DQ_DUPLICATES, DQ_VALIDATION),
    ),
    JobSpec(
        "risk_var",
        "Value at risk",
        "Asia/Seoul",
        _names("PF", 10, 3),
        "intraday",
        0.6,
        8,
        (400, 2500),
        0.015,
        0.002,
        (INP_MISSING, DQ_VALIDATION, LOG_UNCLASSIFIED),
    ),
    JobSpec(
        "cash_forecast",
        "Cash forecast",
        "Asia/Seoul",
        _names("ACC", 10, 4),
        "intraday",
        0.25,
        8,
        (200, 1200),
        0.012,
        0.002,
        (INP_MISSING, EXT_UNAVAILABLE),
    ),
    JobSpec(
        "portfolio_valuation",
        "Portfolio valuation",
        "Asia/Seoul",
        _names("PF", 24, 3),
        "daily",
        0,
        6,
        (800, 6000),
        0.025,
        0.005,
        (INP_MISSING, DQ_VALIDATION, LOG_UNCLASSIFIED, EXT_TIMEOUT),
    ),
    JobSpec(
        "performance_calc",
        "Performance calculation",
        "Asia/Seoul",
        _names("PF", 24, 3),
        "daily",
        0,
        7,
        (500, 4000),
        0.02,
        0.004,
        (INP_MISSING, DQ_GAP, LOG_UNCLASSIFIED),
    ),
    JobSpec(
        "fee_accrual",
        "Fee accrual",
        "Asia/Seoul",
        _names("FUND", 12),
        "daily",
        0,
        5,
        (300, 2000),
        0.015,
        0.003,
        (INP_MISSING, DQ_VALIDATION),
    ),
    JobSpec(
        "gl_posting",
        "General ledger posting",
        "Asia/Seoul",
        ("GL-HK", "GL-JP", "GL-KR", "GL-SG", "GL-UK", "GL-US"),
        "daily",
        0,
        4,
        (2000, 9000),
        0.02,
        0.005,
        (EXT_REJECTED, EXT_UNAVAILABLE, DQ_DUPLICATES),
    ),
    JobSpec(
        "client_reporting",
        "Client reporting",
        "Asia/Seoul",
        _names("CL", 30, 4),
        "daily",
        0,
        9,
        (300, 3000),
        0.015,
        0.003,
        (INP_MISSING, LOG_UNCLASSIFIED, EXT_REJECTED),
    ),
)
