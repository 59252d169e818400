"""The audit log: every collected audit row, hash-chained as the database's trigger would have done."""

from __future__ import annotations

import hashlib

from bench.generate.copy_format import esc, jsonb_text, ts, ts_canonical
from bench.generate.parameters import GENESIS, SEP
from bench.generate.writer import Writer


def write_audit_rows(writer: Writer) -> None:
    """The chain, computed here as the trigger would have: ids in time order, each hash over the previous
    hash and the canonical text of c1.audit_canonical() (sql/003)."""
    writer.audit.sort(key=lambda a: a[0])
    copier = writer.copier(
        "audit_log",
        "audit_id, at, actor, action, object_type, object_id, execution_id, reason, details, prev_hash, hash",
    )
    previous = GENESIS
    for n, (at, actor, action, object_type, object_id, execution_id, reason, details) in enumerate(
        writer.audit, start=1
    ):
        text = jsonb_text(details)
        canonical = SEP.join(
            (
                str(n),
                ts_canonical(at),
                actor,
                action,
                object_type,
                object_id,
                "" if execution_id is None else str(execution_id),
                reason or "",
                text,
            )
        )
        digest = hashlib.sha256((previous + canonical).encode()).hexdigest()
        copier.add(
            f"{n}\t{ts(at)}\t{actor}\t{action}\t{object_type}\t{esc(object_id)}\t{esc(execution_id)}\t"
            f"{esc(reason)}\t{esc(text)}\t{previous}\t{digest}\n"
        )
        previous = digest
    writer.done(copier)
    writer.audit_head = previous
