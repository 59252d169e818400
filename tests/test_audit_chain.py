"""The audit trail is hash-chained, gapless, cannot fork under concurrency, and tampering is found."""

from __future__ import annotations

import threading

import psycopg
import pytest

from c1console.cli import run
from c1console.store import audit
from c1console.store.engine import Database, connection, transaction
from tests.rawsql import audit as raw_audit


def test_untouched_chain_verifies(db: Database, raw: psycopg.Connection) -> None:
    for _ in range(5):
        raw_audit(raw)
    with transaction(db, "alice") as conn:
        audit.append(
            conn,
            actor="alice",
            action="exec.stop",
            object_type="execution",
            object_id="1",
            reason="käse; DROP TABLE x; -- 🙂",
            details={"nested": {"b": [1, 2.5, None]}, "a": "\t"},
        )
    with connection(db) as conn:
        report = audit.verify_chain(conn)
    assert report.ok and report.rows == 6
    assert (
        report.head
        == raw.execute("SELECT hash FROM c1.audit_log ORDER BY audit_id DESC LIMIT 1").fetchone()[0]
    )


def test_concurrent_inserts_never_fork(db: Database) -> None:
    def writer(n: int) -> None:
        for i in range(10):
            with transaction(db, f"op{n}") as conn:
                audit.append(conn, actor=f"op{n}", action="test", object_type="t", object_id=str(i))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with connection(db) as conn:
        report = audit.verify_chain(conn)
    assert report.ok and report.rows == 60


def _tamper(raw: psycopg.Connection, statement: str) -> None:
    """What an attacker with superuser rights would do: switch the triggers off and edit."""
    raw.execute("ALTER TABLE c1.audit_log DISABLE TRIGGER USER")
    try:
        raw.execute(statement)
    finally:
        raw.execute("ALTER TABLE c1.audit_log ENABLE TRIGGER USER")


@pytest.mark.parametrize(
    ("statement", "broken"),
    [
        ("UPDATE c1.audit_log SET reason = 'nothing to see' WHERE audit_id = 3", 3),
        ('UPDATE c1.audit_log SET details = \'{"k": "w"}\' WHERE audit_id = 2', 2),
        ("DELETE FROM c1.audit_log WHERE audit_id = 4", 5),
    ],
)
def test_audit_verify_names_the_tampered_row(
    cli_env: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str], statement: str, broken: int
) -> None:
    for _ in range(6):
        raw_audit(raw)
    assert run(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK 6 rows, head ")
    _tamper(raw, statement)
    assert run(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"broken at row {broken}" in err
    assert len(err.strip().splitlines()) == 1
