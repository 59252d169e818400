"""Signing the daily and monthly checklists."""

from __future__ import annotations

import hashlib
from typing import Literal, overload

from c1console.checklists import Daily, Monthly, to_json
from c1console.errors import BadInput
from c1console.ops.session import Session, acting, checked_reason, require
from c1console.store import audit, reviews

MIN_OVERRIDE_COMMENT = 15


@overload
def sign_checklist(
    session: Session, checklist: Daily | Monthly, comment: str | None, *, dry_run: Literal[False] = False
) -> int: ...
@overload
def sign_checklist(
    session: Session, checklist: Daily | Monthly, comment: str | None, *, dry_run: bool
) -> int | None: ...
def sign_checklist(
    session: Session, checklist: Daily | Monthly, comment: str | None, *, dry_run: bool = False
) -> int | None:
    """Signs what the operator was shown (stored as a snapshot). With open items, the comment must say why.
    Returns the sign-off's id; a dry run makes every check, writes nothing and returns None."""
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
        if dry_run:
            return None
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
                "snapshot_sha256": hashlib.sha256(snapshot.encode()).hexdigest(),
            },
        )
    return signoff_id
