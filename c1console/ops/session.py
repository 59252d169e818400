"""Who acts: the operator's session and role, the transaction every write runs in, and the schema upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from c1console.config import ROLES, Settings
from c1console.errors import Refused
from c1console.inputs import parse_reason
from c1console.jobs import Registry
from c1console.store import audit, jobs, migrations, operators
from c1console.store.engine import Database, connection, transaction

RANK = {role: n for n, role in enumerate(ROLES)}
DEFAULT_ROLE = "viewer"  # of a login not in the operator table, unless an admin granted '*' a role


@dataclass
class Session:
    """Who acts, on which database, with which jobs."""

    db: Database
    settings: Settings
    operator: str
    registry: Registry = field(default_factory=Registry)
    read_only: bool = False
    _role: str | None = None

    @property
    def role(self) -> str:
        if self.read_only:
            return "viewer"
        if self._role is None:
            with connection(self.db) as conn:
                self._role = operators.role_of(conn, self.operator) or DEFAULT_ROLE
        return self._role

    def can(self, needed: str) -> bool:
        return RANK[self.role] >= RANK[needed]


def require(session: Session, needed: str, doing: str) -> None:
    """Refuses unless the session's role is at least ``needed``; dry runs check it too."""
    if session.can(needed):
        return
    if session.read_only:  # the flag is the cause, not the role: granting one would change nothing
        raise Refused(
            f"read-only console (--read-only): {session.operator} cannot {doing} here",
            hint="open the console without --read-only to act",
        )
    raise Refused(
        f"{session.operator} is {session.role} and cannot {doing}",
        hint=f"this needs the {needed} role; an admin can grant it with c1console operators grant",
    )


def checked_reason(text: str | None, *, required: bool = True, dry_run: bool = False) -> str | None:
    """The reason, checked as every write checks it. A dry run checks a reason it is given exactly the same
    way, but lets a blank one pass: a preview is shown before the reason is typed (the dialogs require it
    themselves, with the same ``required``)."""
    blank = not (text or "").strip()
    return parse_reason(text, required=required and not (dry_run and blank))


@contextmanager
def acting(session: Session, *, dry_run: bool = False) -> Iterator[Connection]:
    """One transaction as the session's operator (the triggers record that name on every event). It first
    makes sure the registered jobs have their rows, so a refused action rolls that back too; a dry run
    rolls back everything."""
    with transaction(session.db, session.operator, dry_run=dry_run) as conn:
        jobs.sync(conn, session.registry.specs())
        yield conn


def sync_jobs(session: Session) -> None:
    """Makes sure every registered job has its row (the runner does this too, at start)."""
    with transaction(session.db, "system") as conn:
        jobs.sync(conn, session.registry.specs())


def upgrade_schema(session: Session) -> list[migrations.Migration]:
    """Applies pending migrations; the upgrade itself is audited once the audit table exists."""
    done = migrations.upgrade(session.db, session.operator)
    if done:
        with acting(session) as conn:
            audit.append(
                conn,
                actor=session.operator,
                action="db.upgrade",
                object_type="schema",
                object_id=str(done[-1].version),
                details={"applied": [f"{m.version:03d}_{m.name}" for m in done]},
            )
    return done
