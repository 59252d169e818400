"""Hypothesis throws malformed, hostile and huge input at the command line: always a one-line message with
the documented exit code, never a traceback, and nothing written when refused."""

from __future__ import annotations

import os
import pwd
from datetime import date

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from c1console.cli import run
from tests.faults.stats import COUNTS
from tests.rawsql import grant_role

TABLES = (
    "execution",
    "execution_unit",
    "result",
    "audit_log",
    "notification",
    "compensation",
    "job",
    "checklist_signoff",
    "operator",
)
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "'; DROP TABLE c1.audit_log; --",
            "\x00",
            "\x1b[31mred",
            "2026-13-45",
            "2026-02-30",
            "yesterdayish",
            "-1",
            "0",
            "99999999999999999999",
            "１２３",
            "NaN",
            "%s%s%s",
            "{}",
            "[]",
            "T1\nT2",
            "\u202eevil",
            "😀" * 50,
        ]
    ),
    st.just("x" * 100_000),
)
DATE = st.one_of(HOSTILE, st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(str))
JOB = st.one_of(HOSTILE, st.sampled_from(["noop", "flaky", "slow"]))


def counts(raw: psycopg.Connection) -> tuple[int, ...]:
    return tuple(raw.execute(f"SELECT count(*) FROM c1.{t}").fetchone()[0] for t in TABLES)


COMMANDS = st.one_of(
    st.tuples(
        st.just("jobs"),
        st.just("trigger"),
        JOB,
        st.just("--from"),
        DATE,
        st.just("--to"),
        DATE,
        st.just("--reason"),
        HOSTILE,
    ),
    st.tuples(
        st.just("exec"),
        st.just("replay"),
        st.just("--job"),
        JOB,
        st.just("--from"),
        DATE,
        st.just("--to"),
        DATE,
        st.just("--reason"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(
        st.just("exec"),
        st.just("replay"),
        st.just("--job"),
        JOB,
        st.just("--target"),
        HOSTILE,
        st.just("--reason"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(
        st.just("exec"),
        st.sampled_from(["stop", "resume", "rollback", "show"]),
        HOSTILE,
        st.just("--reason"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(st.just("exec"), st.just("list"), st.just("--since"), DATE, st.just("--status"), HOSTILE),
    st.tuples(
        st.just("jobs"),
        st.sampled_from(["pause", "resume"]),
        JOB,
        st.just("--reason"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(
        st.just("comp"),
        st.just("request"),
        st.just("--job"),
        JOB,
        st.just("--date"),
        DATE,
        st.just("--target"),
        HOSTILE,
        st.just("--payload"),
        HOSTILE,
        st.just("--reason"),
        HOSTILE,
        st.just("--evidence-ref"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(
        st.just("comp"),
        st.sampled_from(["approve", "reject"]),
        HOSTILE,
        st.just("--note"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(st.just("checklist"), st.just("daily"), st.just("--date"), DATE),
    st.tuples(st.just("checklist"), st.just("monthly"), st.just("--month"), HOSTILE),
    st.tuples(
        st.just("checklist"),
        st.just("sign"),
        st.sampled_from(["daily", "monthly"]),
        DATE,
        st.just("--comment"),
        HOSTILE,
        st.just("--yes"),
    ),
    st.tuples(st.just("operators"), st.just("grant"), HOSTILE, HOSTILE, st.just("--yes")),
    st.tuples(
        st.just("results"),
        st.just("history"),
        st.just("--job"),
        JOB,
        st.just("--date"),
        DATE,
        st.just("--target"),
        HOSTILE,
    ),
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
@given(argv=COMMANDS)
def test_hostile_command_lines(
    cli_env: str,
    raw: psycopg.Connection,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
) -> None:
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, pwd.getpwuid(os.geteuid()).pw_name, "operator")
    before = counts(raw)
    code = run(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    assert code in (0, 1, 2, 4), (argv, code, err)
    COUNTS["hostile command lines"] += 1
    if code in (2, 4):
        COUNTS["hostile command lines refused"] += 1
        assert len(err.strip().splitlines()) == 1, err
        assert len(err) < 2000
        assert counts(raw) == before, "a refused command wrote something"


def test_a_huge_range_needs_yes_and_shows_the_count(
    cli_env: str,
    raw: psycopg.Connection,
    capsys,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, pwd.getpwuid(os.geteuid()).pw_name, "operator")
    before = counts(raw)
    assert (
        run(
            [
                "exec",
                "replay",
                "--job",
                "noop",
                "--from",
                "2010-01-01",
                "--to",
                "2026-11-02",
                "--reason",
                "everything",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "unit(s)" in err and "more than 10000 units" in err and "--yes" in err
    assert counts(raw) == before


def test_a_range_too_long_to_plan_is_refused_before_planning(
    cli_env: str,
    raw: psycopg.Connection,
    capsys,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1900..2999 for a 40-target job would plan 11M units (gigabytes) only to refuse them: the span alone
    is refused first, in one line, for trigger and replay alike."""
    monkeypatch.setenv("C1_JOBS", "tests.jobmods.testjobs")
    grant_role(raw, pwd.getpwuid(os.geteuid()).pw_name, "operator")
    before = counts(raw)
    span = ["--from", "1900-01-01", "--to", "2999-12-31", "--reason", "everything"]
    for command in (["jobs", "trigger", "slow"], ["exec", "replay", "--job", "slow"]):
        assert run([*command, *span]) == 2
        err = capsys.readouterr().err
        assert "401767 days long: more than 10000 units" in err and "--yes" in err, err
        assert len(err.strip().splitlines()) == 1, err
    assert counts(raw) == before


@pytest.mark.parametrize(
    "content",
    [
        "database_url = ",
        "[alerts.email]\nhost = 1",
        "jobs = 'not-a-list'",
        "\x00\x01binary",
        "default_role = 'god'",
        "lease_timeout_seconds = -3",
        "timezone = 'Mars/Olympus'",
        "[alerts]\nmax_attempts = 0",
    ],
)
def test_malformed_config_files(cli_env: str, tmp_path, capsys, content: str) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "c1console.toml").write_text(content)
    assert run(["exec", "list"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    COUNTS["malformed config files refused"] += 1
