"""What an operator asks for, as typed values: built by the CLI from its flags and by the console's dialog,
carried out by ``ops``. A request that cannot be built is refused here, before any database work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from c1console.errors import BadInput


@dataclass(frozen=True)
class ReplayOf:
    """An earlier execution's units: all of them, or only those that did not succeed (``exec replay --of``
    asks for those by default; ``--all-units`` for all)."""

    execution_id: int
    failed_only: bool = False


@dataclass(frozen=True)
class ReplayFull:
    """FULL: the job's whole recorded period, every target."""

    job_id: str


@dataclass(frozen=True)
class ReplayRange:
    """RANGE: every target of the job over a date range."""

    job_id: str
    date_from: date
    date_to: date


@dataclass(frozen=True)
class ReplaySingle:
    """SINGLE: one target, over the given dates (one alone stands for both), else every date it has
    results for."""

    job_id: str
    target: str
    date_from: date | None = None
    date_to: date | None = None


ReplayRequest = ReplayOf | ReplayFull | ReplayRange | ReplaySingle


def replay_request(
    *,
    job_id: str | None = None,
    full: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    target: str | None = None,
    of: int | None = None,
    failed_only: bool = False,
    all_units: bool = False,
) -> ReplayRequest:
    """The request the replay options name (``exec replay``'s flags), or BadInput (exit 2) in the flags'
    words when they do not name exactly one. ``--of`` replays the units that did not succeed unless
    ``all_units``; ``failed_only`` (``--failed-only``) says that default explicitly."""
    if of is not None:
        if job_id is not None or full or target is not None or date_from or date_to:
            raise BadInput(
                "--of replays an execution's own units", hint="do not combine it with --job/--full/dates"
            )
        if failed_only and all_units:
            raise BadInput(
                "--failed-only and --all-units contradict each other",
                hint="--of replays the units still failing by default; --all-units replays every unit",
            )
        return ReplayOf(of, failed_only=not all_units)
    if failed_only or all_units:
        raise BadInput(f"{'--failed-only' if failed_only else '--all-units'} goes with --of ID")
    if job_id is None:
        raise BadInput("a replay needs --job JOB (or --of ID)")
    if full:
        if target is not None or date_from or date_to:
            raise BadInput(
                "--full replays the whole period", hint="do not combine it with --from/--to/--target"
            )
        return ReplayFull(job_id)
    if target is not None:
        return ReplaySingle(job_id, target, date_from, date_to)
    if date_from is None or date_to is None:
        raise BadInput("a replay needs --full, --from D --to D, --target T or --of ID")
    return ReplayRange(job_id, date_from, date_to)
