"""The job API for job authors: register a batch job and the units it processes.

    from c1console.jobs import job, UnitContext

    @job("daily_valuation", title="Portfolio valuation", schedule="0 6 * * 1-5", timezone="Asia/Seoul",
         targets=["PF-001", "PF-002"])
    def value(business_date, target, ctx: UnitContext) -> dict:
        ctx.log.info("valuing %s", target)
        return {"nav": 101.5}

A job processes units = business date x target. The unit function returns the result payload (a JSON
object) or raises; raise the classes in ``c1console.errors`` (InputDataError, ExternalError, ...) to say
what kind of failure it is. Modules named in the config's ``jobs = [...]`` are imported at start.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, NoReturn, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from c1console.errors import BadInput, JobError, lookup
from c1console.store.jobs import JobSpec

JOB_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MAX_BUSINESS_DAYS_SCAN = 366 * 20


class BusinessCalendar:
    """Weekdays are business days, minus holidays (a set of dates or a predicate)."""

    def __init__(self, holidays: Iterable[date] | Callable[[date], bool] = ()) -> None:
        if callable(holidays):
            self._is_holiday = holidays
        else:
            fixed = frozenset(holidays)
            self._is_holiday = fixed.__contains__

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self._is_holiday(day)

    def days(self, first: date, last: date) -> list[date]:
        span = (last - first).days
        return [d for d in (first + timedelta(n) for n in range(span + 1)) if self.is_business_day(d)]

    def previous(self, day: date) -> date:
        """The last business day strictly before ``day``."""
        for n in range(1, MAX_BUSINESS_DAYS_SCAN):
            candidate = day - timedelta(days=n)
            if self.is_business_day(candidate):
                return candidate
        raise ValueError(f"no business day before {day}")

    def latest(self, day: date) -> date:
        """``day`` itself when it is a business day, else the one before."""
        return day if self.is_business_day(day) else self.previous(day)


WEEKDAYS = BusinessCalendar()


class StopCheck(Protocol):
    def __call__(self) -> bool: ...


@dataclass
class UnitContext:
    """What a unit function gets besides its date and target."""

    execution_id: int
    job_id: str
    run_type: str
    business_date: date
    target: str
    attempt: int
    log: logging.Logger
    stop_requested: StopCheck

    def fail(self, code: str, message: str = "") -> NoReturn:
        """``ctx.fail("C1-INP-001", "price file missing")`` fails the unit with a catalogue code."""
        entry = lookup(code)
        if entry is None:
            raise ValueError(f"unknown error code {code!r}")
        raise JobError(message or entry.title.en, code=entry.code)


UnitFunction = Callable[[date, str, UnitContext], dict[str, Any]]
TargetsProvider = Callable[[date], Sequence[str]]


@dataclass(frozen=True)
class JobDefinition:
    job_id: str
    title: str
    unit: UnitFunction
    targets: TargetsProvider
    schedule: str | None = None
    timezone: str = "UTC"
    calendar: BusinessCalendar = WEEKDAYS
    # Which business date a schedule fire processes: the last business day before the fire's date
    # (the usual T+1 batch), or the fire's own date.
    processes: Literal["previous_business_day", "same_day"] = "previous_business_day"
    chunk_size: int = 50
    stop_on_first_failure: bool = False
    retries: int = 0  # extra attempts for transient (EXT) errors inside a unit
    retry_delay_seconds: float = 1.0
    description: str = ""
    trigger: CronTrigger | None = field(default=None, compare=False, repr=False)

    def targets_for(self, day: date) -> list[str]:
        return list(dict.fromkeys(str(t) for t in self.targets(day)))

    def fire_business_date(self, fire_time: datetime) -> date | None:
        """The business date a schedule fire at ``fire_time`` processes, or None to skip it."""
        local = fire_time.astimezone(ZoneInfo(self.timezone)).date()
        if self.processes == "same_day":
            return local if self.calendar.is_business_day(local) else None
        return self.calendar.previous(local)

    @property
    def definition_hash(self) -> str:
        source = "|".join(
            str(part)
            for part in (
                self.title,
                self.schedule,
                self.timezone,
                self.processes,
                self.chunk_size,
                self.stop_on_first_failure,
                self.retries,
                _qualname(self.unit),
            )
        )
        return hashlib.sha256(source.encode()).hexdigest()[:16]


def _module(fn: Callable[..., Any]) -> str | None:
    return getattr(fn, "__module__", None)


def _qualname(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_weekdays(field: str) -> str:
    """Standard cron numbers weekdays 0-7 from Sunday; APScheduler 3 numbers them from Monday (its issue
    #286). Numeric parts are rewritten as day names, which both agree on."""
    if field == "*" or re.search(r"[a-zA-Z]", field):
        return field
    days: list[int] = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first, last = int(first_text), int(last_text)
        else:
            first = last = int(base)
            if step:
                last = 6
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last):
            raise ValueError(f"weekday field '{field}' is out of range 0-7")
        days.extend(range(first, last + 1, int(step) if step else 1))
    return ",".join(dict.fromkeys(_CRON_DAYS[d % 7] for d in days))


def parse_schedule(job_id: str, cron: str, timezone: str) -> CronTrigger:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"job {job_id}: unknown timezone '{timezone}'", hint="use an IANA name like Asia/Seoul"
        ) from None
    try:
        fields = cron.split()
        if len(fields) != 5:
            raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
        minute, hour, day, month, weekday = fields
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_weekdays(weekday),
            timezone=zone,
        )
    except (ValueError, TypeError) as exc:
        raise BadInput(
            f"job {job_id}: bad cron expression '{cron}': {exc}",
            hint="use five fields: minute hour day month weekday, e.g. '0 6 * * 1-5'",
        ) from None


def latest_fire(
    trigger: CronTrigger, now: datetime, lookback: timedelta = timedelta(days=2)
) -> datetime | None:
    """The latest fire time of ``trigger`` at or before ``now``."""
    fires = fire_times(trigger, now - lookback, now)
    return fires[-1] if fires else None


def fire_times(
    trigger: CronTrigger, after: datetime, until: datetime, limit: int = 100_000
) -> list[datetime]:
    """Fire times in (after, until]."""
    times: list[datetime] = []
    previous = None
    moment = after + timedelta(microseconds=1)
    while len(times) < limit:
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None or fire > until:
            break
        if fire > after:
            times.append(fire)
        previous, moment = fire, fire + timedelta(microseconds=1)
    return times


class Registry:
    """The jobs this process knows, by id."""

    def __init__(self) -> None:
        self._jobs: dict[str, JobDefinition] = {}

    def add(self, definition: JobDefinition) -> JobDefinition:
        if not JOB_ID.match(definition.job_id):
            raise BadInput(
                f"job id '{definition.job_id}' is invalid", hint="use letters, digits, _ . - (max 64)"
            )
        if definition.job_id in self._jobs and self._jobs[definition.job_id].unit is not definition.unit:
            raise BadInput(f"job '{definition.job_id}' is registered twice", hint="job ids must be unique")
        if definition.chunk_size < 1 or definition.retries < 0:
            raise BadInput(f"job {definition.job_id}: chunk_size must be >= 1 and retries >= 0")
        if definition.schedule is not None:
            trigger = parse_schedule(definition.job_id, definition.schedule, definition.timezone)
            definition = _with_trigger(definition, trigger)
        self._jobs[definition.job_id] = definition
        return definition

    def get(self, job_id: str) -> JobDefinition | None:
        return self._jobs.get(job_id)

    def require(self, job_id: str) -> JobDefinition:
        found = self._jobs.get(job_id)
        if found is None:
            known = ", ".join(sorted(self._jobs)) or "none registered"
            raise BadInput(f"unknown job '{job_id}'", hint=f"known jobs: {known}")
        return found

    def __iter__(self) -> Iterator[JobDefinition]:
        return iter(sorted(self._jobs.values(), key=lambda d: d.job_id))

    def __len__(self) -> int:
        return len(self._jobs)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._jobs

    def specs(self) -> list[JobSpec]:
        """The registered jobs as the database records them (with the module that registers each)."""
        return [
            JobSpec(d.job_id, d.title, d.schedule, d.timezone, d.definition_hash, _module(d.unit))
            for d in self
        ]


def _with_trigger(definition: JobDefinition, trigger: CronTrigger) -> JobDefinition:
    from dataclasses import replace

    return replace(definition, trigger=trigger)


# Jobs declared with @job land here; load_jobs() imports the configured modules, which fill it.
REGISTRY = Registry()


def job(
    job_id: str,
    *,
    title: str,
    targets: Sequence[str] | TargetsProvider,
    schedule: str | None = None,
    timezone: str = "UTC",
    calendar: BusinessCalendar = WEEKDAYS,
    processes: Literal["previous_business_day", "same_day"] = "previous_business_day",
    chunk_size: int = 50,
    stop_on_first_failure: bool = False,
    retries: int = 0,
    retry_delay_seconds: float = 1.0,
    registry: Registry | None = None,
) -> Callable[[UnitFunction], UnitFunction]:
    """Registers the decorated unit function as a job."""
    provider: TargetsProvider
    if callable(targets):
        provider = targets
    else:
        fixed = list(targets)
        provider = lambda _day: fixed  # noqa: E731

    def register(fn: UnitFunction) -> UnitFunction:
        (registry or REGISTRY).add(
            JobDefinition(
                job_id=job_id,
                title=title,
                unit=fn,
                targets=provider,
                schedule=schedule,
                timezone=timezone,
                calendar=calendar,
                processes=processes,
                chunk_size=chunk_size,
                stop_on_first_failure=stop_on_first_failure,
                retries=retries,
                retry_delay_seconds=retry_delay_seconds,
                description=inspect.getdoc(fn) or "",
            )
        )
        return fn

    return register


def load_jobs(modules: Sequence[str]) -> Registry:
    """Imports the job modules; an import failure is one clear line, not a crash later."""
    for name in modules:
        try:
            importlib.import_module(name)
        except BadInput:
            raise
        except Exception as exc:  # whatever the module raised, the operator gets one line
            detail = str(exc).splitlines()[0] if str(exc) else ""
            raise BadInput(
                f"job module '{name}' failed to import: {type(exc).__name__}: {detail}",
                hint="fix the module or remove it from 'jobs' in the config",
            ) from None
    return REGISTRY
