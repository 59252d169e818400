"""Every write an operator can cause, shared by the console and the CLI.

Each action validates its input, checks the operator's role, then in ONE transaction changes state,
appends its audit row and (where alertable) its outbox rows. The database's triggers NOTIFY listeners at
commit. A refusal raises a Problem (BadInput exit 2, Refused exit 4) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from c1console.config import Settings
from c1console.store import audit, migrations
from c1console.store.engine import Database, transaction


@dataclass(frozen=True)
class Session:
    """Who acts, on which database."""

    db: Database
    settings: Settings
    operator: str


@contextmanager
def acting(session: Session) -> Iterator[Connection]:
    """One audited transaction as the session's operator."""
    with transaction(session.db, session.operator) as conn:
        yield conn


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
