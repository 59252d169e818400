"""Signing the daily and monthly checklists. Every sign-off is kept (c1.checklist_signoff is append-only):
signing a signed checklist adds another, and the dry run says so, naming the sign-offs already there."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any, Literal, overload

from c1console.checklist_text import already_signed, ordinal, signed_at
from c1console.checklists import Daily, Monthly, to_json
from c1console.errors import BadInput, Refused
from c1console.ops.session import Session, acting, checked_reason, require
from c1console.store import audit, reviews

MIN_OVERRIDE_COMMENT = 15


@dataclass(frozen=True)
class SignPreview:
    """What signing will do, as a dry run found it: the sign-offs the period has already (oldest first, the
    shape of ``Daily.signoffs``); with any, confirming adds another, it replaces none."""

    kind: str  # "daily" or "monthly"
    period: str
    earlier: tuple[dict[str, Any], ...]

    @property
    def adds_another(self) -> bool:
        return bool(self.earlier)

    @property
    def count(self) -> int:
        return len(self.earlier)

    def action(self) -> str:
        """What confirming does, in the words of the question: "ADD a second sign-off to the …"."""
        what = f"the {self.kind} checklist {self.period}"
        if not self.earlier:
            return f"sign {what}"
        return f"ADD a {ordinal(self.count + 1)} sign-off to {what}"

    def describe(self, tz: tzinfo | None = None) -> str:
        return (
            already_signed(self.earlier, tz) or f"not signed yet: this is the {self.kind} checklist's first"
        )


@overload
def sign_checklist(
    session: Session,
    checklist: Daily | Monthly,
    comment: str | None,
    *,
    dry_run: Literal[False] = False,
    seen: int | None = None,
) -> int: ...
@overload
def sign_checklist(
    session: Session,
    checklist: Daily | Monthly,
    comment: str | None,
    *,
    dry_run: Literal[True],
    seen: int | None = None,
) -> SignPreview: ...
@overload
def sign_checklist(
    session: Session,
    checklist: Daily | Monthly,
    comment: str | None,
    *,
    dry_run: bool,
    seen: int | None = None,
) -> int | SignPreview: ...
def sign_checklist(
    session: Session,
    checklist: Daily | Monthly,
    comment: str | None,
    *,
    dry_run: bool = False,
    seen: int | None = None,
) -> int | SignPreview:
    """Signs what the operator was shown (stored as a snapshot). With open items, the comment must say why.
    A signed period gets another sign-off beside the earlier ones. ``seen``: how many sign-offs the operator
    was told of (the dry run's ``count``); when there are more by now, refused — someone signed meanwhile,
    and confirming would add a sign-off the question did not announce. Returns the sign-off's id; a dry run
    makes every check, writes nothing and returns the ``SignPreview``."""
    text = checked_reason(comment, dry_run=dry_run) or ""
    open_items = checklist.open_items if isinstance(checklist, Daily) else checklist.still_open
    if checklist.verdict != "OK" and len(text) < MIN_OVERRIDE_COMMENT:
        raise BadInput(
            f"the {checklist.period} checklist needs attention ({open_items} open item(s))",
            hint=f"say in the comment why you sign it anyway (at least {MIN_OVERRIDE_COMMENT} characters)",
        )
    require(session, "operator", "sign a checklist")
    kind = "DAILY" if isinstance(checklist, Daily) else "MONTHLY"
    snapshot = to_json(checklist)
    with acting(session, dry_run=dry_run) as conn:
        earlier = tuple(reviews.signoffs(conn, kind, checklist.period))
        if seen is not None and len(earlier) > seen:
            last = earlier[-1]
            raise Refused(
                f"the {kind.lower()} checklist {checklist.period} was signed meanwhile by {last['signed_by']}"
                f" at {signed_at(last)} ({len(earlier)} sign-offs now)",
                hint="review it again: nothing was added",
            )
        if dry_run:
            return SignPreview(kind.lower(), checklist.period, earlier)
        signoff_id = reviews.add_signoff(conn, kind, checklist.period, session.operator, text, snapshot)
        audit.append(
            conn,
            actor=session.operator,
            action="checklist.sign",
            object_type="checklist",
            object_id=f"{kind.lower()}:{checklist.period}",
            reason=text,
            details={
                "verdict": checklist.verdict,
                "open_items": open_items,
                "signoff_id": signoff_id,
                "earlier_signoffs": [s["signoff_id"] for s in earlier],
                "snapshot_sha256": hashlib.sha256(snapshot.encode()).hexdigest(),
            },
        )
    return signoff_id
