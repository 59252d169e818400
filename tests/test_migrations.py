"""Migrations: in order, each once, checksummed; an edited applied file is refused."""

from __future__ import annotations

import psycopg
import pytest

from c1console.cli import run
from c1console.store import migrations


def test_upgrade_twice_applies_nothing_the_second_time(
    pg_server, cli_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = pg_server.fresh()  # an empty database, not from the template
    with pg_server.admin() as conn:
        conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    monkeypatch.setenv("C1_DATABASE_URL", pg_server.url(name))
    try:
        assert run(["db", "status"]) == 0
        out = capsys.readouterr().out
        assert "schema version:  0" in out and "001_tables" in out
        assert run(["exec", "list"]) == 4  # a server is never migrated behind the DBA's back
        assert "c1console db upgrade" in capsys.readouterr().err
        assert run(["db", "upgrade"]) == 0
        applied = capsys.readouterr().out
        assert applied.count("applied ") == len(migrations.available())
        assert run(["db", "upgrade"]) == 0
        assert "nothing applied" in capsys.readouterr().out
        with psycopg.connect(pg_server.url(name)) as conn:
            upgrades = conn.execute("SELECT actor, object_id FROM c1.audit_log WHERE action = 'db.upgrade'")
            assert [row[1] for row in upgrades] == [str(migrations.available()[-1].version)]
        assert run(["db", "status"]) == 0
        status = capsys.readouterr().out
        assert f"schema version:  {migrations.available()[-1].version}" in status
        assert "pending:         none" in status
        assert "password" not in status
    finally:
        pg_server.drop(name)


def test_edited_migration_is_refused(cli_env: str, raw: psycopg.Connection, capsys) -> None:
    raw.execute("UPDATE c1.schema_migration SET checksum = 'x' WHERE version = 2")
    assert run(["db", "upgrade"]) == 4
    err = capsys.readouterr().err
    assert "002_invariants.sql" in err and "edited" in err
    assert run(["db", "status"]) == 1
