"""Never redo by accident: which planned units a replay or resume would run again although a later
execution already fixed them (or a replay of the same execution is about to), or whose result an approved
compensation wrote. Such units are left out unless the operator says so explicitly (``again`` /
``supersede_compensation``: the dialog's boxes, the command line's ``--again`` /
``--supersede-compensation``); the preview names them either way and the audit row records the warning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from c1console.errors import Refused
from c1console.planning import UnitKey
from c1console.store import failures

AGAIN_HINT = "to run them anyway, say again: the dialog's 'run again' box, or --again on the command line"
COMPENSATION_HINT = (
    "to replace them anyway: the dialog's 'supersede compensations' box, or --supersede-compensation"
)


@dataclass(frozen=True)
class Redo:
    """Whether to run units again that were fixed since, or that hold a compensation's result."""

    again: bool = False
    supersede_compensation: bool = False


SAFE = Redo()  # the default: leave out what was fixed since and what a compensation wrote


@dataclass(frozen=True)
class RedoCheck:
    """What a plan would redo, and whether it does (``again``) or leaves them out."""

    fixed: dict[UnitKey, int] = field(default_factory=dict)  # unit -> the execution that fixed it since
    # unit -> a READY or RUNNING replay/resume of the same execution that is about to run it
    pending: dict[UnitKey, int] = field(default_factory=dict)
    compensated: dict[UnitKey, failures.Compensated] = field(default_factory=dict)
    redo: Redo = field(default_factory=Redo)

    @property
    def left_out(self) -> set[UnitKey]:
        out: set[UnitKey] = set()
        if not self.redo.again:
            out |= set(self.fixed) | set(self.pending)
        if not self.redo.supersede_compensation:
            out |= set(self.compensated)
        return out

    @property
    def warned(self) -> bool:
        return bool(self.fixed or self.pending or self.compensated)

    def lines(self) -> list[str]:
        """What the preview says: each kind of redo, whether it is done or left out."""
        out = []
        if self.fixed:
            by = ", ".join(f"#{i}" for i in sorted(set(self.fixed.values())))
            verb = "⚠ WILL RUN AGAIN" if self.redo.again else "left out"
            out.append(f"{verb}: {len(self.fixed)} unit(s) already replayed by {by}")
        if self.pending:
            by = ", ".join(f"#{i}" for i in sorted(set(self.pending.values())))
            verb = "⚠ WILL RUN AGAIN" if self.redo.again else "left out"
            out.append(f"{verb}: {len(self.pending)} unit(s) being replayed by {by} (not finished)")
        if self.compensated:
            names = ", ".join(
                f"#{c.compensation_id} (approved by {c.approved_by or '?'}) "
                f"on {c.business_date}/{c.target_key}"
                for c in list(self.compensated.values())[:3]
            )
            more = f" and {len(self.compensated) - 3} more" if len(self.compensated) > 3 else ""
            verb = "⚠ WILL SUPERSEDE" if self.redo.supersede_compensation else "left out"
            out.append(f"{verb}: {len(self.compensated)} result(s) from approved compensation {names}{more}")
        return out

    def audit_details(self) -> dict[str, Any]:
        if not self.warned:
            return {}
        return {
            "warned": {
                "already_replayed": {f"{d} {t}": by for (d, t), by in sorted(self.fixed.items())},
                "being_replayed": {f"{d} {t}": by for (d, t), by in sorted(self.pending.items())},
                "compensations": sorted({c.compensation_id for c in self.compensated.values()}),
            },
            "again": self.redo.again,
            "supersede_compensation": self.redo.supersede_compensation,
            "left_out": len(self.left_out),
        }


def check(
    conn: Connection, job_id: str, units: Sequence[UnitKey], source: int | None, redo: Redo
) -> RedoCheck:
    """The redo check of a plan: ``source`` is the execution replayed or resumed, if any."""
    fixed: dict[UnitKey, int] = {}
    pending: dict[UnitKey, int] = {}
    if source is not None:
        planned = set(units)
        for u in failures.failed_units(conn, source):
            if u.fixed_by is not None and u.fixed_by_compensation is None and u.key in planned:
                fixed[u.key] = u.fixed_by
        pending = {
            k: i for k, i in failures.in_flight(conn, source).items() if k in planned and k not in fixed
        }
    compensated = {(c.business_date, c.target_key): c for c in failures.compensated(conn, job_id, units)}
    return RedoCheck(fixed=fixed, pending=pending, compensated=compensated, redo=redo)


def kept(units: Sequence[UnitKey], checked: RedoCheck, what: str) -> list[UnitKey]:
    """The units to run; refuses when everything would be left out, naming why and how to go ahead."""
    out = checked.left_out
    remaining = [u for u in units if u not in out]
    if remaining:
        return remaining
    if checked.pending and not checked.redo.again:
        by = ", ".join(f"#{i}" for i in sorted(set(checked.pending.values())))
        raise Refused(
            f"{what}: its {len(checked.pending)} unit(s) are being replayed by {by}, not finished yet",
            hint="wait for it (or stop it); " + AGAIN_HINT,
        )
    if checked.fixed and not checked.redo.again:
        by = ", ".join(f"#{i}" for i in sorted(set(checked.fixed.values())))
        raise Refused(
            f"{what}: nothing still failing — its {len(checked.fixed)} unit(s) were already replayed by {by}",
            hint=AGAIN_HINT,
        )
    first = next(iter(checked.compensated.values()))
    raise Refused(
        f"{what}: every unit holds the result of an approved compensation "
        f"(#{first.compensation_id}, approved by {first.approved_by or '?'})",
        hint=COMPENSATION_HINT,
    )
