"""Alerts end to end: a real SMTP server and a real HTTP server receive what the outbox sends."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import psycopg
import pytest

from c1console import ops
from c1console.alerts.config import AlertSettings, EmailSettings, SlackSettings, WebhookSettings, parse
from c1console.alerts.dispatcher import Dispatcher
from c1console.cli import run
from c1console.errors import BadInput, InputDataError
from c1console.jobs import JobDefinition, UnitContext
from c1console.requests import ReplayOf
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database
from tests.jobmods import testjobs
from tests.mailhttp import HttpServer, SmtpServer
from tests.runtime import runner_settings, session, wait_terminal, wait_until

DAY = date(2026, 11, 2)
SECRET = "s3cr3t-hmac-key"
SMTP_PASSWORD = "smtp-pa55word"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def http() -> Iterator[HttpServer]:
    server = HttpServer().start()
    yield server
    server.stop()


def email_settings(port: int) -> EmailSettings:
    return EmailSettings(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="c1@example.com",
        recipients=("ops@example.com", "lead@example.com"),
    )


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("C1_LANG", "en")


def test_failure_replay_stop_and_resume_mails(
    db: Database, db_url: str, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts = AlertSettings(email=email_settings(smtp.port), group_wait_seconds=0.1)
    settings = runner_settings(db_url, alerts=alerts)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings).start()
    try:
        failed = ops.trigger(alice, "flaky", date_from=DAY, reason="morning run")
        wait_terminal(db, failed.execution_id)
        # the failure's mail goes out while it is open (composed when sent, it would say so otherwise)
        wait_until(lambda: any("FAILED" in s for s in smtp.subjects()), what="the failure's mail")
        replay = ops.replay(
            alice, ReplayOf(failed.execution_id, failed_only=True), reason="price file reloaded"
        )
        wait_terminal(db, replay.execution_id)
        monkeypatch.setenv("C1_TEST_UNIT_SECONDS", "0.2")
        long = ops.trigger(alice, "slow", date_from=DAY, reason="long")
        wait_until(lambda: wait_for_status(db, long.execution_id, "RUNNING"))
        ops.stop(alice, long.execution_id, "wrong prices")
        wait_terminal(db, long.execution_id)
        monkeypatch.setenv("C1_TEST_UNIT_SECONDS", "0.001")
        resumed = ops.resume(alice, long.execution_id, reason="prices fixed")
        wait_terminal(db, resumed.execution_id)
        wait_until(lambda: len(smtp.messages) >= 4, timeout=20, what="four mails")
    finally:
        runner.stop()
    by_subject = {str(m["Subject"]).strip(): m for m in smtp.messages}
    fail_subject = f"[C1] FAILED flaky #{failed.execution_id} C1-INP-001 Input data missing"
    assert fail_subject in by_subject
    body = by_subject[fail_subject].get_content()
    assert "action:" in body and "T3" in body
    assert f"c1console exec replay --of {failed.execution_id} --reason '<why>'" in body
    assert "press r" in body
    assert body.rstrip().endswith(f"open failures now: 1 (#{failed.execution_id})")
    assert (
        f"[C1] REPLAY started flaky #{replay.execution_id} (replay of #{failed.execution_id})" in by_subject
    )
    assert (
        "price file reloaded"
        in by_subject[
            f"[C1] REPLAY started flaky #{replay.execution_id} (replay of #{failed.execution_id})"
        ].get_content()
    )
    assert f"[C1] STOPPED slow #{long.execution_id}" in by_subject
    assert f"[C1] RESUMED slow #{resumed.execution_id} (resume of #{long.execution_id})" in by_subject
    assert by_subject[fail_subject]["To"] == "ops@example.com, lead@example.com"


def stubborn(business_date: date, target: str, ctx: UnitContext) -> dict:
    """T3 fails in every run, replays too: the price never arrives."""
    if target == "T3":
        raise InputDataError(f"price for {target} on {business_date} still missing")
    return {"target": target}


def test_a_failed_replay_or_resume_names_the_failure_it_was_meant_to_fix(
    db: Database, db_url: str, smtp: SmtpServer, http: HttpServer
) -> None:
    """Composed when sent: each failure says where it stands, a failed replay or resume which failure it was
    meant to fix and how many of its units are still open, and the mail how many failures are open now."""
    held = AlertSettings(
        email=email_settings(smtp.port),
        webhook=WebhookSettings(url=f"{http.url}/hook", secret=SECRET),
        group_wait_seconds=3600,  # the runner's own dispatcher holds failures back; the test sends them
    )
    settings = runner_settings(db_url, alerts=held)
    registry = testjobs.build()
    registry.add(JobDefinition("stubborn", "Price never arrives", stubborn, lambda _day: testjobs.TARGETS))
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings).start()
    try:
        first = ops.trigger(alice, "stubborn", date_from=DAY, date_to=date(2026, 11, 3)).execution_id
        other = ops.trigger(alice, "stubborn", date_from=date(2026, 11, 4)).execution_id
        for execution_id in (first, other):
            assert wait_terminal(db, execution_id).status == "FAILED"
        replay = ops.replay(alice, ReplayOf(first, failed_only=True), reason="price file reloaded")
        resume = ops.resume(alice, other, reason="vendor resent")
        for created in (replay, resume):
            assert wait_terminal(db, created.execution_id).status == "FAILED"
    finally:
        runner.stop()
    replayed, resumed = replay.execution_id, resume.execution_id
    Dispatcher(db, replace(held, group_wait_seconds=0)).tick()
    [mail] = [m for m in smtp.messages if str(m["Subject"]).startswith("[C1] FAILED stubborn")]
    assert str(mail["Subject"]).strip() == (
        f"[C1] FAILED stubborn: 4 executions (#{first}, #{other}, #{replayed}, #{resumed})"
    )
    body = mail.get_content()
    assert f"FAILED stubborn #{replayed} C1-INP-001 Input data missing (replay of #{first})" in body
    assert f"  replay #{replayed} of #{first} failed: 2 unit(s) still open" in body
    assert f"  resume #{resumed} of #{other} failed: 1 unit(s) still open" in body
    assert f"  now:     handed on to #{replayed}, which re-ran its units and failed too" in body
    assert f"  now:     handed on to #{resumed}," in body
    # the replay hints name the open items, never the failures handed on
    assert f"exec replay --of {replayed} " in body and f"exec replay --of {first} " not in body
    assert body.rstrip().endswith(f"open failures now: 2 (#{resumed}, #{replayed})")

    [hook] = [r.json() for r in http.requests if r.json()["event"] == "failed"]
    assert hook["open_failures"] == {"count": 2, "execution_ids": [resumed, replayed]}
    items = {item["execution_id"]: item for item in hook["items"]}
    assert items[replayed]["meant_to_fix"]["execution_id"] == first
    assert items[replayed]["meant_to_fix"]["resolution"]["state"] == "HANDED_ON"
    assert items[replayed]["resolution"]["state"] == "OPEN"
    assert items[first]["resolution"]["handed_to"] == replayed
    assert items[first]["meant_to_fix"] is None


def test_a_failure_resolved_before_its_alert_goes_out_says_so(
    db: Database, db_url: str, smtp: SmtpServer
) -> None:
    held = AlertSettings(email=email_settings(smtp.port), group_wait_seconds=3600)
    settings = runner_settings(db_url, alerts=held)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    runner = Runner(db, registry, settings).start()
    try:
        failed = ops.trigger(alice, "flaky", date_from=DAY).execution_id
        wait_terminal(db, failed)
        fix = ops.replay(alice, ReplayOf(failed, failed_only=True), reason="price file reloaded").execution_id
        wait_terminal(db, fix)
    finally:
        runner.stop()
    Dispatcher(db, replace(held, group_wait_seconds=0)).tick()
    [mail] = [m for m in smtp.messages if str(m["Subject"]).startswith("[C1] FAILED")]
    body = mail.get_content()
    assert f"  now:     #{failed} is resolved by #{fix} — nothing left to do for it" in body
    assert "to replay the failed units" not in body
    assert body.rstrip().endswith("open failures now: 0")


def wait_for_status(db: Database, execution_id: int, status: str) -> bool:
    from tests.runtime import execution

    return execution(db, execution_id).status == status


def test_slack_and_signed_webhook(
    db: Database, db_url: str, http: HttpServer, raw: psycopg.Connection
) -> None:
    alerts = AlertSettings(
        slack=SlackSettings(webhook_url=f"{http.url}/slack/T000/B000/XXXX"),
        webhook=WebhookSettings(url=f"{http.url}/hook", secret=SECRET),
        group_wait_seconds=0.1,
    )
    settings = runner_settings(db_url, alerts=alerts)
    alice = session(db, settings, testjobs.build())
    created = ops.trigger(alice, "noop", date_from=DAY)
    ops.stop(alice, created.execution_id, "not today")
    assert Dispatcher(db, alerts).tick() == 2
    paths = sorted(r.path for r in http.requests)
    assert paths == ["/hook", "/slack/T000/B000/XXXX"]
    slack = next(r for r in http.requests if r.path.startswith("/slack"))
    assert (
        f"STOPPED noop #{created.execution_id}" in slack.json()["text"]
        and "not today" in slack.json()["text"]
    )
    hook = next(r for r in http.requests if r.path == "/hook")
    expected = "sha256=" + hmac.new(SECRET.encode(), hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["X-C1-Signature"] == expected
    payload = hook.json()
    assert payload["event"] == "stopped" and payload["items"][0]["execution_id"] == created.execution_id
    assert payload["items"][0]["details"]["reason"] == "not today"
    assert Dispatcher(db, alerts).tick() == 0  # nothing is sent twice
    assert raw.execute("SELECT count(*) FROM c1.notification WHERE status = 'SENT'").fetchone()[0] == 2


def test_smtp_outage_retries_then_delivers_exactly_once(
    db: Database, db_url: str, raw: psycopg.Connection
) -> None:
    smtp = SmtpServer()  # not started: the mail server is down
    alerts = AlertSettings(
        email=email_settings(smtp.port), group_wait_seconds=0.05, backoff_seconds=0.05, max_attempts=50
    )
    settings = runner_settings(db_url, alerts=alerts)
    alice = session(db, settings, testjobs.build())
    ids = [ops.trigger(alice, "noop", date_from=DAY).execution_id for _ in range(3)]
    for execution_id in ids:
        ops.stop(alice, execution_id, f"stop {execution_id}")
    registry = testjobs.build()
    first = Runner(db, registry, settings, runner_id="before-restart").start()
    try:
        wait_until(
            lambda: raw.execute("SELECT min(attempts) FROM c1.notification").fetchone()[0] >= 2,
            what="failed attempts to be recorded",
        )
    finally:
        first.stop()
    rows = raw.execute("SELECT status, last_error FROM c1.notification").fetchall()
    assert {r[0] for r in rows} == {"PENDING"} and all("SMTP 127.0.0.1" in r[1] for r in rows)
    smtp.start()
    second = Runner(db, registry, settings, runner_id="after-restart").start()
    try:
        wait_until(
            lambda: (
                raw.execute("SELECT count(*) FROM c1.notification WHERE status = 'SENT'").fetchone()[0] == 3
            ),
            what="delivery after the outage",
        )
    finally:
        second.stop()
    third = Runner(db, registry, settings, runner_id="restarted-again").start()
    third.stop()
    smtp.stop()
    subjects = sorted(smtp.subjects())
    assert subjects == sorted(f"[C1] STOPPED noop #{i}" for i in ids)


def test_failed_deliveries_give_up_after_max_attempts(
    db: Database, db_url: str, raw: psycopg.Connection, http: HttpServer
) -> None:
    http.status = 500
    alerts = AlertSettings(
        webhook=WebhookSettings(url=f"{http.url}/hook", secret=SECRET), backoff_seconds=0.01, max_attempts=2
    )
    alice = session(db, runner_settings(db_url, alerts=alerts), testjobs.build())
    ops.stop(alice, ops.trigger(alice, "noop", date_from=DAY).execution_id, "x")
    dispatcher = Dispatcher(db, alerts)
    dispatcher.tick()
    wait_until(
        lambda: (
            dispatcher.tick() == 0
            and raw.execute("SELECT status FROM c1.notification").fetchone()[0] == "FAILED"
        ),
        what="the notification to fail",
    )
    row = raw.execute("SELECT attempts, last_error FROM c1.notification").fetchone()
    assert row[0] == 2 and "HTTP 500" in row[1]


def test_ten_failures_make_one_grouped_mail(db: Database, db_url: str, smtp: SmtpServer) -> None:
    alerts = AlertSettings(email=email_settings(smtp.port), group_wait_seconds=1.5, group_window_seconds=300)
    settings = runner_settings(db_url, alerts=alerts)
    registry = testjobs.build()
    alice = session(db, settings, registry)
    ids = [ops.trigger(alice, "flaky", date_from=DAY).execution_id for _ in range(10)]
    runner = Runner(db, registry, settings, max_workers=4).start()
    try:
        for execution_id in ids:
            wait_terminal(db, execution_id)
        wait_until(lambda: smtp.messages, timeout=15, what="the grouped mail")
        later = ops.trigger(alice, "flaky", date_from=DAY).execution_id
        wait_terminal(db, later)
        Dispatcher(db, alerts).tick()
    finally:
        runner.stop()
    assert len(smtp.messages) == 1
    subject = smtp.subjects()[0]
    assert subject.startswith("[C1] FAILED flaky: 10 executions")
    body = smtp.messages[0].get_content()
    assert all(f"#{i}" in body for i in ids)


def test_secrets_never_appear(
    db: Database,
    db_url: str,
    cli_env: str,
    tmp_path,
    capsys,
    caplog,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    raw: psycopg.Connection,
) -> None:
    slack_secret_url = "http://127.0.0.1:1/services/T0/B0/hush-hush-token"
    monkeypatch.setenv("C1_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("C1_SLACK_URL", slack_secret_url)
    monkeypatch.setenv("C1_HOOK_SECRET", SECRET)
    (tmp_path / "c1console.toml").write_text(
        "[alerts]\nbackoff_seconds = 0.01\n"
        '[alerts.email]\nhost = "127.0.0.1"\nport = 1\nsecurity = "none"\nusername = "c1"\n'
        'password_env = "C1_SMTP_PASSWORD"\nfrom = "c1@example.com"\nto = ["ops@example.com"]\n'
        '[alerts.slack]\nwebhook_url_env = "C1_SLACK_URL"\n'
        '[alerts.webhook]\nurl = "http://127.0.0.1:1/hook"\nsecret_env = "C1_HOOK_SECRET"\n'
    )
    caplog.set_level(logging.DEBUG, logger="c1console")
    for channel in ("email", "slack", "webhook"):
        assert run(["alerts", "test", "--channel", channel]) == 1
    from c1console.config import load_settings

    settings = load_settings()
    alice = session(db, replace(settings, database_url=db_url), testjobs.build())
    ops.stop(alice, ops.trigger(alice, "noop", date_from=DAY).execution_id, "x")
    Dispatcher(db, settings.alerts).tick()
    assert run(["alerts", "list"]) == 0
    assert run(["alerts", "list", "--json"]) == 0
    captured = capsys.readouterr()
    stored = " ".join(str(r) for r in raw.execute("SELECT * FROM c1.notification").fetchall())
    stored += " ".join(str(r) for r in raw.execute("SELECT * FROM c1.audit_log").fetchall())
    everything = captured.out + captured.err + caplog.text + stored + repr(settings)
    assert "test alert via email failed" in captured.err
    for secret in (SMTP_PASSWORD, "hush-hush-token", SECRET):
        assert secret not in everything


@pytest.mark.parametrize(
    ("alerts", "problem"),
    [
        (
            {"email": {"host": "h", "from": "not-an-address", "to": ["ops@example.com"]}},
            "not an email address",
        ),
        ({"email": {"host": "h", "from": "a@example.com", "to": []}}, "at least one address"),
        ({"teams": {}}, "unknown setting 'teams'"),
        ({"webhook": {"url": "https://x.example.com/h", "secret_env": "C1_NOT_SET_ANYWHERE"}}, "is not set"),
        ({"slack": {"webhook_url": "ftp://x"}}, "http(s) URL"),
        (
            {"email": {"host": "h", "from": "a@example.com", "to": ["b@example.com"], "security": "ssl"}},
            "not starttls",
        ),
        ({"max_attempts": 0}, "max_attempts"),
    ],
)
def test_invalid_alert_config_is_one_clear_error(alerts: dict, problem: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse(alerts, env={})
    assert problem in str(caught.value) and "\n" not in str(caught.value)
