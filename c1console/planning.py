"""Which units an execution will run: pure functions over a job's calendar and targets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from c1console.errors import BadInput
from c1console.inputs import printable
from c1console.jobs import JobDefinition

UnitKey = tuple[date, str]


def check_range(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise BadInput(
            f"the date range {date_from}..{date_to} is reversed", hint="put the earlier date first"
        )


def check_span(date_from: date, date_to: date, unit_bound: int, hint: str) -> None:
    """Refuses, before anything is planned, a range whose business days alone exceed ``unit_bound``
    units (any calendar has more than half its days as business days): planning 1900..2999 for a
    40-target job would take seconds and gigabytes only to be refused as too large."""
    check_range(date_from, date_to)
    days = (date_to - date_from).days + 1
    if days > 2 * unit_bound:
        raise BadInput(
            f"the range {date_from}..{date_to} is {days} days long: more than {unit_bound} units", hint=hint
        )


def plan_range(
    job: JobDefinition, date_from: date, date_to: date, targets: Sequence[str] | None
) -> list[UnitKey]:
    """Every business day in the range x the requested targets (all of the job's targets when None).
    A requested target the job does not know on any of those days is refused."""
    check_range(date_from, date_to)
    days = job.calendar.days(date_from, date_to)
    if not days:
        raise BadInput(
            f"no business days between {date_from} and {date_to} for job {job.job_id}",
            hint="pick a range that contains a business day",
        )
    units: list[UnitKey] = []
    unknown = set(targets or ())
    for day in days:
        known = job.targets_for(day)
        if targets is None:
            units.extend((day, t) for t in known)
        else:
            unknown -= set(known)
            units.extend((day, t) for t in targets if t in known)
    if unknown:
        name = printable(sorted(unknown)[0])
        raise BadInput(
            f"job {job.job_id} has no target '{name}'", hint="see the job's targets in c1console jobs list"
        )
    if not units:
        raise BadInput(f"job {job.job_id} has no targets between {date_from} and {date_to}")
    return units


def span(units: Sequence[UnitKey]) -> tuple[date, date]:
    dates = [u[0] for u in units]
    return min(dates), max(dates)


def targets_of(units: Sequence[UnitKey]) -> list[str]:
    return sorted({u[1] for u in units})
