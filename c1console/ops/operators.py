"""Who may do what: granting roles, and how a new database gets its first admin."""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy.engine import Connection

from c1console.config import ROLES
from c1console.errors import BadInput, Refused
from c1console.inputs import parse_reason, printable
from c1console.ops.session import Session, acting, require
from c1console.store import audit, operators
from c1console.store.engine import connection


def grant(
    session: Session, operator_id: str, role: str, reason: str | None, *, dry_run: bool = False
) -> str | None:
    """Sets an operator's role (admin only). Returns the previous role. A dry run does all of it, the
    database's own grant guard included, and rolls it back.

    On a new database (no operator recorded yet) the one grant allowed is the person running it making
    themselves admin: how an installation gets its first admin. The database enforces the same rule."""
    checked_reason = parse_reason(reason, required=False)
    if role not in ROLES:
        raise BadInput(f"'{printable(role)}' is not a role", hint=f"use one of {', '.join(ROLES)}")
    if not operator_id.strip() or any(ch.isspace() or not ch.isprintable() for ch in operator_id):
        raise BadInput(f"'{printable(operator_id)}' is not a login name")
    with acting(session, dry_run=dry_run) as conn:
        operators.lock_grants(conn)
        first = not session.read_only and operators.is_empty(conn)
        if first:
            _check_first_admin(session, operator_id, role)
        else:
            require(session, "admin", "grant roles")
            _keep_an_admin(conn, operator_id, role)
        previous = operators.set_role(conn, operator_id, role, session.operator)
        audit.append(
            conn,
            actor=session.operator,
            action="operator.grant",
            object_type="operator",
            object_id=operator_id,
            reason=checked_reason,
            details={"role": role, "previous": previous} | ({"first_admin": True} if first else {}),
        )
    return previous


def _check_first_admin(session: Session, operator_id: str, role: str) -> None:
    if operator_id != session.operator or role != "admin":
        raise Refused(
            "this database has no operators yet: its first grant makes the person running it admin",
            hint=f"run: c1console operators grant {session.operator} admin --reason 'first admin'",
        )


def _keep_an_admin(conn: Connection, operator_id: str, role: str) -> None:
    if role != "admin" and operators.admins(conn) == [operator_id]:
        raise Refused(
            f"{operator_id} is the last admin",
            hint="grant admin to someone else first, then change this role",
        )


def bootstrap_admin(session: Session, reason: str = "first operator of the demo database") -> None:
    """Makes the session's operator admin if the database has no operators yet (the demo does this)."""
    with connection(session.db) as conn:
        if not operators.is_empty(conn):
            return
    with suppress(Refused):  # someone else became the first admin meanwhile
        grant(session, session.operator, "admin", reason)
