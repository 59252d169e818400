"""The database login of a connection, and whether the database records it as the actor (sql/011)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class Login:
    name: str  # session_user
    forced: bool  # a direct member of c1_operator: every row it writes records this name


def current_login(conn: Connection) -> Login:
    """Asks c1.forced_actor() itself, so the client agrees with what the triggers will record; a schema
    older than sql/011 forces nobody."""
    name, migrated = conn.execute(
        sa.text("SELECT session_user::text, to_regprocedure('c1.forced_actor()') IS NOT NULL")
    ).one()
    if not migrated:
        return Login(name, False)
    forced = conn.execute(sa.text("SELECT c1.forced_actor()")).scalar_one()
    return Login(name, forced is not None)
