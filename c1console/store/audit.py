"""The audit trail: append a row (the database chains it), list rows, verify the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

GENESIS = "0" * 64
SEPARATOR = "\x1f"


@dataclass(frozen=True)
class AuditEntry:
    audit_id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    execution_id: int | None
    reason: str | None
    details: dict[str, Any]
    hash: str


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    reason: str | None = None,
    execution_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Appends one audit row in the caller's transaction; returns its audit_id."""
    return conn.execute(
        sa.text(
            "INSERT INTO c1.audit_log (audit_id, actor, action, object_type, object_id, execution_id, reason,"
            " details, prev_hash, hash)"
            " VALUES (0, :actor, :action, :object_type, :object_id, :execution_id, :reason,"
            " CAST(:details AS jsonb), '', '') RETURNING audit_id"
        ),
        {
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "execution_id": execution_id,
            "reason": reason,
            "details": json.dumps(dict(details or {}), default=str),
        },
    ).scalar_one()


def list_entries(
    conn: Connection,
    *,
    limit: int = 50,
    before_id: int | None = None,
    execution_id: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    execution_ids: Sequence[int] = (),
) -> list[AuditEntry]:
    """Newest first, paged by audit_id. ``execution_ids``: the rows of any of these executions."""
    table = sa.table("audit_log", *(sa.column(c) for c in AuditEntry.__dataclass_fields__), schema="c1")
    query = sa.select(*table.c).order_by(table.c.audit_id.desc()).limit(limit)
    for column, value in (("execution_id", execution_id), ("actor", actor), ("action", action)):
        if value is not None:
            query = query.where(table.c[column] == value)
    if execution_ids:
        query = query.where(table.c.execution_id.in_(list(execution_ids)))
    if before_id is not None:
        query = query.where(table.c.audit_id < before_id)
    return [AuditEntry(**row._mapping) for row in conn.execute(query)]


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


# The same canonical text as c1.audit_canonical() in sql/003, read field by field; the hash is
# recomputed here, outside the database, so a rewritten trigger cannot vouch for itself.
_CHAIN_QUERY = sa.text(
    """
    SELECT audit_id,
           audit_id::text AS id_text,
           to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           actor, action, object_type, object_id,
           coalesce(execution_id::text, ''),
           coalesce(reason, ''),
           details::text,
           prev_hash, hash
      FROM c1.audit_log
     WHERE audit_log.audit_id > :after
     ORDER BY audit_log.audit_id
     LIMIT :batch
    """
)


def verify_chain(conn: Connection, batch: int = 5000) -> ChainReport:
    """Walks the whole chain in audit_id order; reports the first row whose link or hash is wrong."""
    previous_hash, previous_id, rows = GENESIS, 0, 0
    while True:
        page = conn.execute(_CHAIN_QUERY, {"after": previous_id, "batch": batch}).all()
        if not page:
            return ChainReport(rows=rows, head=previous_hash)
        for row in page:
            audit_id, fields, prev_hash, stored = row[0], row[1:10], row[10], row[11]
            expected = hashlib.sha256((prev_hash + SEPARATOR.join(fields)).encode()).hexdigest()
            problem = None
            if audit_id != previous_id + 1:
                problem = f"row(s) {previous_id + 1}..{audit_id - 1} are missing"
            elif prev_hash != previous_hash:
                problem = "prev_hash does not match the previous row's hash"
            elif stored != expected:
                problem = "content does not match its hash"
            if problem:
                return ChainReport(rows=rows, head=previous_hash, broken_at=audit_id, problem=problem)
            previous_hash, previous_id, rows = stored, audit_id, rows + 1
