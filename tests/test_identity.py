"""Who acts cannot be faked: the effective OS user whatever the environment says, and in identity =
"database" mode the database's own session_user, which the database records whatever the client sends."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from c1console import identity, launch, ops
from c1console.cli import run
from c1console.config import load_settings
from c1console.demo import command as demo
from c1console.errors import BadInput, Refused
from c1console.store import audit
from c1console.store.engine import Database, connection, open_database
from tests.dblogins import DbLogin, Logins
from tests.jobmods import testjobs
from tests.rawsql import add_execution, add_job, grant_role
from tests.runtime import runner_settings, session

if TYPE_CHECKING:
    from tests.conftest import TestServer

ME = pwd.getpwuid(os.geteuid()).pw_name
DAY = "2026-11-02"
ROOT = Path(__file__).resolve().parents[1]
# Everything a process could claim to be: none of it may matter.
FAKES = {
    name: "mallory" for name in ("LOGNAME", "USER", "USERNAME", "LNAME", "C1_OPERATOR", "C1_USER", "C1_ACTOR")
} | {"C1_IDENTITY": "database"}


def pretend(monkeypatch: pytest.MonkeyPatch, name: str = "mallory") -> None:
    for variable, value in FAKES.items():
        monkeypatch.setenv(variable, name if value == "mallory" else value)


def one(raw: psycopg.Connection, query: str, *args: object) -> object:
    row = raw.execute(query, args or None).fetchone()
    assert row is not None
    return row[0]


@pytest.fixture
def cli(cli_env: str, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    pretend(monkeypatch)
    return cli_env


@pytest.fixture
def logins(pg_server: TestServer, db_url: str) -> Iterator[Logins]:
    made = Logins(pg_server.admin_url, db_url)
    yield made
    made.drop_all()


def database_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, login: DbLogin) -> None:
    (tmp_path / "c1console.toml").write_text('identity = "database"\n')
    monkeypatch.setenv("C1_DATABASE_URL", login.url)


# The OS identity ----------------------------------------------------------------------------------------


def test_every_write_records_the_effective_os_user(
    cli: str, db: Database, db_url: str, raw: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    grant_role(raw, ME, "admin")
    olga = session(db, runner_settings(db_url), testjobs.build(), operator="olga")
    ops.sync_jobs(olga)
    theirs = ops.request_compensation(
        olga,
        job_id="noop",
        business_date=date.fromisoformat(DAY),
        target="T2",
        payload='{"v": 1}',
        reason="fix",
        evidence_ref="I1",
    )
    assert run(["jobs", "pause", "noop", "--reason", "hold", "--yes"]) == 0
    assert run(["jobs", "trigger", "noop", "--from", DAY, "--yes"]) == 0
    first = one(raw, "SELECT max(execution_id) FROM c1.execution")
    assert run(["exec", "stop", str(first), "--reason", "wrong day", "--yes"]) == 0
    assert run(["exec", "replay", "--of", str(first), "--reason", "again", "--yes"]) == 0
    assert run(["exec", "rollback", str(first), "--reason", "undo", "--yes"]) == 0
    assert run(["comp", "request", "--job", "noop", "--date", DAY, "--target", "T1", "--payload", '{"v": 2}',
                "--reason", "vendor restated", "--evidence-ref", "INC-1", "--yes"]) == 0  # fmt: skip
    assert run(["comp", "approve", str(theirs), "--note", "checked", "--yes"]) == 0
    assert run(["checklist", "sign", "daily", DAY, "--comment", "looked at every item by hand", "--yes"]) == 0
    assert run(["operators", "grant", "carol", "viewer", "--reason", "new colleague", "--yes"]) == 0
    capsys.readouterr()

    acts = raw.execute(
        "SELECT action, actor FROM c1.audit_log WHERE actor <> 'olga' ORDER BY audit_id"
    ).fetchall()
    assert {action for action, _ in acts} >= {
        "job.pause", "exec.trigger", "exec.stop", "exec.replay", "exec.rollback", "comp.request",
        "comp.approve", "checklist.sign", "operator.grant",
    }  # fmt: skip
    assert {actor for _, actor in acts} == {ME}
    assert one(raw, "SELECT paused_by FROM c1.job WHERE job_id = 'noop'") == ME
    executions = raw.execute(
        "SELECT requested_by, stop_requested_by, rolled_back_by FROM c1.execution ORDER BY execution_id"
    ).fetchall()
    assert executions == [(ME, ME, ME), (ME, None, None)]
    assert {r[0] for r in raw.execute("SELECT DISTINCT actor FROM c1.execution_event")} == {ME}
    compensations = raw.execute(
        "SELECT requested_by, decided_by FROM c1.compensation ORDER BY compensation_id"
    ).fetchall()
    assert compensations == [("olga", ME), (ME, None)]
    assert one(raw, "SELECT signed_by FROM c1.checklist_signoff") == ME
    assert one(raw, "SELECT granted_by FROM c1.operator WHERE operator_id = 'carol'") == ME


def test_a_requester_cannot_approve_their_own_compensation_whatever_the_environment(
    cli: str, tmp_path: Path, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    grant_role(raw, ME, "approver")
    assert run(["comp", "request", "--job", "noop", "--date", DAY, "--target", "T1", "--payload", '{"v": 2}',
                "--reason", "vendor restated", "--evidence-ref", "INC-1", "--yes"]) == 0  # fmt: skip
    pretend(monkeypatch, "anna")  # another approver's name, everywhere a process could look
    grant_role(raw, "anna", "approver")
    capsys.readouterr()
    assert run(["comp", "approve", "1", "--note", "self"]) == 4
    assert "four eyes" in capsys.readouterr().err
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "c1console", "comp", "approve", "1", "--note", "self"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 4, done.stderr
    assert "four eyes" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert raw.execute("SELECT status, decided_by FROM c1.compensation").fetchall() == [("PENDING", None)]
    assert one(raw, "SELECT count(*) FROM c1.audit_log WHERE action = 'comp.approve'") == 0


def test_the_os_identity_ignores_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no config file of this machine's user either
    pretend(monkeypatch)
    assert identity.os_operator() == ME
    assert load_settings(env=FAKES, config=None).identity == "os"  # C1_IDENTITY is not a setting


@pytest.mark.parametrize("entry", [None, "", "system", "ops team", "tab\there"])
def test_an_unusable_os_user_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, entry: str | None
) -> None:
    def getpwuid(uid: int) -> pwd.struct_passwd:
        if entry is None:
            raise KeyError(uid)
        return pwd.struct_passwd((entry, "x", uid, uid, "", "/", "/bin/sh"))

    monkeypatch.setattr(pwd, "getpwuid", getpwuid)
    pretend(monkeypatch)
    with pytest.raises(BadInput) as refused:
        identity.os_operator()
    text = str(refused.value)
    assert "\n" not in text and "OS user" in text and "LOGNAME" not in text


def test_identity_setting(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    for text, expected in (('identity = "database"\n', "database"), ("", "os")):
        config.write_text(text)
        assert load_settings(config=str(config), env={}).identity == expected
    for text, problem in (('identity = "both"\n', "not an identity mode"), ("identity = 1\n", "wrong type")):
        config.write_text(text)
        with pytest.raises(BadInput, match=problem) as refused:
            load_settings(config=str(config), env={})
        assert "\n" not in str(refused.value)
    config.write_text('identity = "database"\n')
    settings = load_settings(config=str(config), data_dir=str(tmp_path), env={})
    with pytest.raises(BadInput, match="needs a PostgreSQL server"):
        identity.operator(settings, lambda: pytest.fail("the embedded server is never asked"))


# The database identity ----------------------------------------------------------------------------------


def test_the_database_records_the_login_whatever_the_client_says(
    logins: Logins, db: Database, raw: psycopg.Connection
) -> None:
    alice = logins.make("alice")
    grant_role(raw, alice.name, "admin")
    add_job(raw, "noop")
    assert one(raw, "SELECT c1.forced_actor()") is None  # a superuser "has" c1_operator, but is not forced
    assert one(raw, "SELECT pg_has_role(session_user, 'c1_operator', 'MEMBER')") is True
    with psycopg.connect(alice.url) as conn:
        conn.execute("SELECT set_config('c1.actor', 'mallory', true)")
        assert one(conn, "SELECT c1.current_actor()") == alice.name
        conn.execute(
            "INSERT INTO c1.audit_log (audit_id, actor, action, object_type, object_id, prev_hash, hash)"
            " VALUES (0, 'mallory', 'raw.act', 'test', '1', '', '')"
        )
        execution_id = one(
            conn,
            "INSERT INTO c1.execution (job_id, run_type, business_date_from, business_date_to, requested_by)"
            " VALUES ('noop', 'MANUAL', %s, %s, 'mallory') RETURNING execution_id",
            DAY,
            DAY,
        )
        conn.execute(
            "UPDATE c1.execution SET status = 'STOPPED', ended_at = now(), stop_requested_at = now(),"
            " stop_requested_by = 'mallory', stop_reason = 'x' WHERE execution_id = %s",
            (execution_id,),
        )
        conn.execute(
            "UPDATE c1.execution SET rolled_back_at = now(), rolled_back_by = 'mallory',"
            " rolled_back_reason = 'x' WHERE execution_id = %s",
            (execution_id,),
        )
        conn.execute(
            "INSERT INTO c1.execution_event (execution_id, to_status, actor)"
            " VALUES (%s, 'STOPPED', 'mallory')",
            (execution_id,),
        )
        conn.execute(
            "INSERT INTO c1.compensation (job_id, business_date, target_key, payload, reason, requested_by)"
            " VALUES ('noop', %s, 'T1', '{}', 'fix', 'mallory')",
            (DAY,),
        )
        conn.execute(
            "UPDATE c1.job SET paused = true, paused_by = 'mallory', paused_at = now(), paused_reason = 'x'"
            " WHERE job_id = 'noop'"
        )
        conn.execute(
            "INSERT INTO c1.checklist_signoff (kind, period, signed_by, comment, snapshot)"
            " VALUES ('DAILY', %s, 'mallory', 'ok', '{}')",
            (DAY,),
        )
        conn.execute(
            "INSERT INTO c1.missed_fire (job_id, scheduled_for, detected_by)"
            " VALUES ('noop', now(), 'mallory')"
        )
        conn.execute(
            "INSERT INTO c1.operator (operator_id, role, granted_by) VALUES ('carol', 'viewer', 'mallory')"
        )
        conn.execute(
            "INSERT INTO c1.execution_ack (execution_id, acked_by, reason) VALUES (%s, 'mallory', 'x')",
            (execution_id,),
        )
    for query in (
        "SELECT DISTINCT actor FROM c1.audit_log WHERE action = 'raw.act'",
        "SELECT DISTINCT requested_by FROM c1.execution",
        "SELECT DISTINCT stop_requested_by FROM c1.execution",
        "SELECT DISTINCT rolled_back_by FROM c1.execution",
        "SELECT DISTINCT actor FROM c1.execution_event",
        "SELECT DISTINCT requested_by FROM c1.compensation",
        "SELECT DISTINCT paused_by FROM c1.job WHERE job_id = 'noop'",
        "SELECT DISTINCT signed_by FROM c1.checklist_signoff",
        "SELECT DISTINCT detected_by FROM c1.missed_fire",
        "SELECT DISTINCT granted_by FROM c1.operator WHERE operator_id = 'carol'",
        "SELECT DISTINCT acked_by FROM c1.execution_ack",
    ):
        assert [r[0] for r in raw.execute(query)] == [alice.name], query
    with connection(db) as conn:
        assert audit.verify_chain(conn).ok  # the chain hashed the forced actor
    with psycopg.connect(alice.url) as conn:  # a resume clears the pause; nobody is named
        conn.execute(
            "UPDATE c1.job SET paused = false, paused_by = NULL, paused_at = NULL WHERE job_id = 'noop'"
        )
    assert one(raw, "SELECT paused_by FROM c1.job WHERE job_id = 'noop'") is None
    raw.execute(  # a login outside c1_operator (here the superuser) is taken at its word, as before
        "INSERT INTO c1.audit_log (audit_id, actor, action, object_type, object_id, prev_hash, hash)"
        " VALUES (0, 'tester', 'raw.act2', 'test', '1', '', '')"
    )
    assert one(raw, "SELECT actor FROM c1.audit_log WHERE action = 'raw.act2'") == "tester"


def test_four_eyes_between_database_logins(logins: Logins, raw: psycopg.Connection) -> None:
    alice, bob = logins.make("alice"), logins.make("bob")
    add_job(raw, "noop")
    with psycopg.connect(alice.url) as conn:
        comp = one(
            conn,
            "INSERT INTO c1.compensation (job_id, business_date, target_key, payload, reason, requested_by)"
            " VALUES ('noop', %s, 'T1', '{}', 'fix', %s) RETURNING compensation_id",
            DAY,
            bob.name,
        )
    decide = (
        "UPDATE c1.compensation SET status = 'APPROVED', decided_by = %s, decided_at = now()"
        " WHERE compensation_id = %s"
    )
    with pytest.raises(psycopg.errors.CheckViolation), psycopg.connect(alice.url) as conn:
        conn.execute(decide, (bob.name, comp))
    with pytest.raises(psycopg.errors.CheckViolation), psycopg.connect(alice.url) as conn:
        conn.execute(  # nor as a row born decided
            "INSERT INTO c1.compensation (job_id, business_date, target_key, payload, reason, requested_by,"
            " status, decided_by, decided_at)"
            " VALUES ('noop', %s, 'T2', '{}', 'fix', %s, 'APPROVED', %s, now())",
            (DAY, bob.name, bob.name),
        )
    with psycopg.connect(bob.url) as conn:
        conn.execute(decide, (alice.name, comp))
    assert raw.execute("SELECT requested_by, decided_by FROM c1.compensation").fetchall() == [
        (alice.name, bob.name)
    ]


def test_database_mode_on_the_command_line(
    cli: str, logins: Logins, tmp_path: Path, raw: psycopg.Connection, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    alice, bob, eve = logins.make("alice"), logins.make("bob"), logins.make("eve", member_of="c1_app")
    for login in (alice, bob, eve):
        grant_role(raw, login.name, "approver")
    database_mode(tmp_path, monkeypatch, alice)
    pretend(monkeypatch, bob.name)
    assert run(["comp", "request", "--job", "noop", "--date", DAY, "--target", "T1", "--payload", '{"v": 2}',
                "--reason", "vendor restated", "--evidence-ref", "INC-1", "--yes"]) == 0  # fmt: skip
    capsys.readouterr()
    assert run(["comp", "approve", "1", "--note", "self"]) == 4
    assert "four eyes" in capsys.readouterr().err
    monkeypatch.setenv("C1_DATABASE_URL", bob.url)
    pretend(monkeypatch, alice.name)
    assert run(["comp", "approve", "1", "--note", "verified", "--yes"]) == 0
    assert raw.execute("SELECT requested_by, decided_by FROM c1.compensation").fetchall() == [
        (alice.name, bob.name)
    ]
    assert raw.execute("SELECT actor FROM c1.audit_log ORDER BY audit_id").fetchall()[-2:] == [
        (alice.name,),
        (bob.name,),
    ]

    monkeypatch.setenv("C1_DATABASE_URL", eve.url)  # a login the database does not vouch for
    capsys.readouterr()
    assert run(["jobs", "pause", "noop", "--reason", "hold", "--yes"]) == 4
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"GRANT c1_operator TO {eve.name}" in err
    assert one(raw, "SELECT paused FROM c1.job WHERE job_id = 'noop'") is False

    (tmp_path / "c1console.toml").write_text('identity = "os"\n')
    grant_role(raw, ME, "operator")
    assert run(["jobs", "pause", "noop", "--reason", "hold", "--yes"]) == 0  # eve's login: the OS user acts
    assert one(raw, "SELECT paused_by FROM c1.job WHERE job_id = 'noop'") == ME
    monkeypatch.setenv("C1_DATABASE_URL", alice.url)  # os mode, but the database vouches for alice
    assert run(["jobs", "resume", "noop", "--reason", "go", "--yes"]) == 0
    assert one(raw, "SELECT actor FROM c1.audit_log WHERE action = 'job.resume'") == alice.name


def test_no_runner_is_embedded_under_an_operators_login(logins: Logins, tmp_path: Path) -> None:
    alice = logins.make("alice")
    settings = load_settings(database_url=alice.url, data_dir=str(tmp_path), env={})
    db = open_database(settings)
    try:
        assert identity.operator(settings, lambda: db) == alice.name
        mode, runner = launch.start_runner_unless_attached(
            ops.Session(db=db, settings=settings, operator=alice.name), no_runner=False
        )
        assert (mode, runner) == ("none", None)
        with pytest.raises(Refused, match="demo runs a runner"):
            demo.prepare(settings, alice.name, reset=False, seed=1)
    finally:
        db.dispose()


# The schema ---------------------------------------------------------------------------------------------

# Every column that names who did something, and the trigger that makes the database write it.
ACTOR_COLUMNS = {
    ("audit_log", "actor"),
    ("execution_event", "actor"),
    ("execution", "requested_by"),
    ("execution", "stop_requested_by"),
    ("execution", "rolled_back_by"),
    ("compensation", "requested_by"),
    ("compensation", "decided_by"),
    ("checklist_signoff", "signed_by"),
    ("operator", "granted_by"),
    ("job", "paused_by"),
    ("missed_fire", "detected_by"),
    ("execution_ack", "acked_by"),
}


def test_every_actor_column_is_forced_first(raw: psycopg.Connection) -> None:
    found = set(
        raw.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'c1' AND t.table_type = 'BASE TABLE'"  # views only read the tables
            " AND (c.column_name = 'actor' OR c.column_name LIKE '%\\_by' ESCAPE '\\')"
        ).fetchall()
    )
    # applied_by is written by migrations only (an operator's login cannot insert there at all);
    # superseded_by is a result id.
    assert found - {("schema_migration", "applied_by"), ("result", "superseded_by")} == ACTOR_COLUMNS
    assert one(raw, "SELECT has_table_privilege('c1_operator', 'c1.schema_migration', 'INSERT')") is False
    # BEFORE ROW triggers on INSERT or UPDATE, by table, in firing (name) order.
    rows = raw.execute(
        """SELECT c.relname, array_agg(t.tgname::text ORDER BY t.tgname COLLATE "C")
             FROM pg_trigger t
             JOIN pg_class c ON c.oid = t.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'c1' AND NOT t.tgisinternal AND t.tgtype & 3 = 3 AND t.tgtype & 20 <> 0
            GROUP BY c.relname"""
    ).fetchall()
    order: dict[str, list[str]] = dict(rows)
    for table in {t for t, _ in ACTOR_COLUMNS}:
        assert order[table][0].startswith("actor_forced"), (table, order[table])
    # The runner's progress updates do not call the execution trigger at all.
    assert one(
        raw,
        "SELECT tgqual IS NOT NULL FROM pg_trigger WHERE tgname = 'actor_forced_update'"
        " AND tgrelid = 'c1.execution'::regclass",
    )


def test_a_superuser_connection_is_never_forced(raw: psycopg.Connection) -> None:
    execution_id = add_execution(raw)
    assert one(raw, "SELECT requested_by FROM c1.execution WHERE execution_id = %s", execution_id) == "tester"
