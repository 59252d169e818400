"""Operators and their roles."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def role_of(conn: Connection, operator_id: str) -> str | None:
    return conn.execute(
        sa.text("SELECT role FROM c1.operator WHERE operator_id = :op"), {"op": operator_id}
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


def list_operators(conn: Connection) -> list[tuple[str, str, str, object]]:
    rows = conn.execute(
        sa.text("SELECT operator_id, role, granted_by, granted_at FROM c1.operator ORDER BY 1")
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]
