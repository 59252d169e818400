"""Operators and their roles."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

EVERYONE_ELSE = "*"  # the operator id whose role every login not in the table has


def role_of(conn: Connection, operator_id: str) -> str | None:
    """The operator's own role, else the role granted to everyone else, else None."""
    return conn.execute(
        sa.text(
            "SELECT role FROM c1.operator WHERE operator_id IN (:op, '*') ORDER BY operator_id = '*' LIMIT 1"
        ),
        {"op": operator_id},
    ).scalar_one_or_none()


def set_role(conn: Connection, operator_id: str, role: str, granted_by: str) -> str | None:
    """Sets the role; returns the previous one (None when the operator was new)."""
    previous = conn.execute(
        sa.text("SELECT role FROM c1.operator WHERE operator_id = :op FOR UPDATE"), {"op": operator_id}
    ).scalar_one_or_none()
    conn.execute(
        sa.text(
            """
            INSERT INTO c1.operator (operator_id, role, granted_by) VALUES (:op, :role, :by)
            ON CONFLICT (operator_id) DO UPDATE SET role = :role, granted_by = :by, granted_at = now()
            """
        ),
        {"op": operator_id, "role": role, "by": granted_by},
    )
    return previous


def lock_grants(conn: Connection) -> None:
    """Serialises grants for the rest of the transaction (the key the database's grant guard takes)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(202612031)"))


def is_empty(conn: Connection) -> bool:
    return not conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM c1.operator)")).scalar_one()


def admins(conn: Connection) -> list[str]:
    rows = conn.execute(sa.text("SELECT operator_id FROM c1.operator WHERE role = 'admin' ORDER BY 1"))
    return [r[0] for r in rows]


def list_operators(conn: Connection) -> list[tuple[str, str, str, object]]:
    rows = conn.execute(
        sa.text("SELECT operator_id, role, granted_by, granted_at FROM c1.operator ORDER BY 1")
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]
