"""Hypothesis throws malformed, hostile and huge input at the console's action dialogs, driven headless with
the Textual pilot against a real database: the trigger dialog, the replay dialog (RANGE, SINGLE, FULL, and
a job this console does not know) and the stop dialog's reason.

For every input: the console never crashes and logs no unexpected error; the dialog either arms (its
checks and the ``dry_run`` preview accepted it) or says what is wrong in one line, and then nothing is
written (row counts of the c1 tables compared). Inputs known to be bad — reversed, invalid or out-of-range
dates, huge ranges, unknown targets, control characters or 100 KB in the reason — must be refused; inputs
known to be good must be accepted; whatever is accepted is confirmed and must write one execution whose
reason is exactly what was typed (SQL metacharacters and all).

Pilot is slow, so one example is a list of inputs tried in one console, one dialog after another.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Select, Static

from c1console import ops
from c1console.inputs import MAX_REASON
from c1console.screens import dialogs
from c1console.screens.app import ConsoleApp, HeaderInfo
from c1console.store.engine import Database
from c1console.store.views import ConsoleQueries
from tests.console.test_console_pilot import wait_for
from tests.faults.stats import COUNTS
from tests.faults.test_bad_input import counts
from tests.jobmods import testjobs
from tests.runtime import execution, runner_settings, session

TODAY = date(2026, 11, 18)  # the console's clock: a Wednesday
TARGETS = testjobs.TARGETS  # noop's and flaky's targets
CONTROL = "".join(chr(c) for c in [*range(0, 32), 127])


@dataclass(frozen=True)
class Field:
    """What goes into one field, and what the test knows about it: 'ok' (valid), 'date' (a valid date, in
    or far out of the usual window), 'bad' (must be refused) or 'free' (anything may happen, cleanly)."""

    text: str
    kind: str


def fields(values: list[str], kind: str) -> st.SearchStrategy[Field]:
    return st.sampled_from(values).map(lambda v: Field(v, kind))


HOSTILE_TEXT = [
    "'; DROP TABLE c1.audit_log; --",
    "Robert'); DELETE FROM c1.execution;--",
    "%s%s%s%n",
    "\\x00\\'",
    "１２３",
    "\u202eevil",
    "😀" * 50,
    "T1\nT2",
    "\x1b[31mred",
    "[b]markup[/b]",
    "{}",
]
DATES = st.one_of(
    st.dates(date(2026, 10, 26), date(2026, 11, 13))
    .filter(lambda d: d.weekday() < 5)
    .map(lambda d: Field(d.isoformat(), "date")),
    fields(
        ["2026-13-01", "2026-02-30", "0001-01-01", "9999-12-31", "yesterdayish", "-1", "2026/11/02"], "bad"
    ),
    fields([*HOSTILE_TEXT, "x" * 100_000], "bad"),
    fields(["1900-01-01", "2000-01-03", "2999-12-31"], "date"),  # huge ranges, one day of a weekend
    fields(["", "today", "3d", "0d", "99999d"], "free"),
    st.text(max_size=12).map(lambda t: Field(t, "free")),
)
REASONS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40)
    .filter(lambda t: t.strip() != "")
    .map(lambda t: Field(t, "ok")),
    fields(HOSTILE_TEXT, "ok").map(
        lambda f: Field(f.text, "bad" if any(c in CONTROL for c in f.text) else "ok")
    ),
    st.text(min_size=1, max_size=20).map(lambda t: Field(f"a{t}\x07b", "bad")),
    fields(["x" * 100_000, "y" * (MAX_REASON + 1)], "bad"),
    fields(["", "   "], "free"),
)
TARGET_LISTS = st.one_of(
    st.lists(st.sampled_from(TARGETS), min_size=1, max_size=3, unique=True).map(
        lambda t: Field(",".join(t), "ok")
    ),
    fields(["", " , ,"], "ok"),
    fields(["NOPE", "T1,NOPE", "t1", *HOSTILE_TEXT, "x" * 100_000], "bad"),
    st.text(max_size=20).map(lambda t: Field(t, "free")),
)


@dataclass(frozen=True)
class Case:
    dialog: str  # trigger | replay | stop
    reason: Field
    job: str = "noop"
    kind: str = ""  # replay: RANGE | SINGLE | FULL
    date_from: Field = Field("", "free")
    date_to: Field = Field("", "free")
    targets: Field = Field("", "free")  # trigger: a list; replay SINGLE: one target

    def expectation(self, bound: int) -> str:
        """'refuse', 'accept' or '' (either, cleanly), from the rules in docs/console.md and the CLI's."""
        reason_required = self.dialog != "trigger"
        dated = self.dialog == "trigger" or self.kind in ("RANGE", "SINGLE")
        parts = [self.reason]
        if dated:
            parts += [self.date_from, self.date_to]
        if self.dialog == "trigger" or self.kind == "SINGLE":
            parts.append(self.targets)
        if self.job not in ("noop", "slow", "flaky"):
            return "refuse"
        if any(p.kind == "bad" for p in parts):
            return "refuse"
        if self.reason.kind == "free" and reason_required:
            return "refuse"  # blank
        dates_ok = not dated
        if dated and self.date_from.kind == "date" and self.date_to.kind == "date":
            first, last = date.fromisoformat(self.date_from.text), date.fromisoformat(self.date_to.text)
            if first > last:
                return "refuse"  # reversed
            if (last - first).days + 1 > 2 * bound:
                return "refuse"  # far too long to plan
            per_day = 40 if self.job == "slow" else 5
            if self.dialog == "trigger" and self.targets.kind == "ok":
                per_day = len([t for t in self.targets.text.split(",") if t.strip()]) or per_day
            units = weekdays(first, last) * per_day
            if units == 0 or units > bound:
                return "refuse"  # no business day; more units than the console starts
            dates_ok = True
        simple = self.dialog in ("stop", "trigger") or self.kind == "RANGE"
        targets_ok = self.dialog != "trigger" or self.targets.kind == "ok"
        if simple and dates_ok and targets_ok and self.reason.kind == "ok":
            return "accept"
        return ""


def weekdays(first: date, last: date) -> int:
    days = (last - first).days + 1
    whole, rest = divmod(days, 7)
    return whole * 5 + sum(1 for n in range(rest) if (first.weekday() + n) % 7 < 5)


CASES = st.one_of(
    st.builds(
        Case,
        dialog=st.just("trigger"),
        reason=st.one_of(REASONS, st.just(Field("", "ok"))),  # optional when triggering
        job=st.sampled_from(["noop", "flaky"]),
        date_from=DATES,
        date_to=DATES,
        targets=TARGET_LISTS,
    ),
    st.builds(
        Case,
        dialog=st.just("replay"),
        reason=REASONS,
        job=st.one_of(st.sampled_from(["noop", "slow"]), st.sampled_from(["unknown_job", *HOSTILE_TEXT[:4]])),
        kind=st.sampled_from(["RANGE", "RANGE", "SINGLE", "FULL"]),
        date_from=DATES,
        date_to=DATES,
        targets=st.one_of(fields(TARGETS, "ok"), fields(["NOPE", *HOSTILE_TEXT[:3], "x" * 100_000], "bad")),
    ),
    st.builds(Case, dialog=st.just("stop"), reason=REASONS),
)


def console(db: Database, who: ops.Session) -> ConsoleApp:
    info = HeaderInfo(database=db.display, runner_mode="none", operator=who.operator, role=who.role)
    return ConsoleApp(ConsoleQueries(db), who, info, clock=lambda: _at_noon(TODAY), live=False)


def _at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def status(dialog: dialogs.ActionDialog) -> str:
    return str(dialog.query_one("#dialog-status", Static).content)


class Errors(logging.Handler):
    """Unexpected errors the console logs (a Problem is expected and not logged as an error)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def open_dialog(case: Case, ready: list[int], alice: ops.Session) -> dialogs.ActionDialog:
    if case.dialog == "trigger":
        return dialogs.TriggerDialog(case.job)
    if case.dialog == "replay":
        return dialogs.ReplayDialog(job_id=case.job)
    return dialogs.StopDialog(execution(alice.db, ready[-1]))


def fill(dialog: dialogs.ActionDialog, case: Case) -> None:
    def put(name: str, value: str) -> None:
        dialog.query_one(f"#{name}", Input).value = value

    if case.dialog == "replay":
        dialog.query_one("#kind", Select).value = case.kind
    if case.dialog in ("trigger", "replay"):
        put("from", case.date_from.text)
        put("to", case.date_to.text)
    if case.dialog == "trigger":
        put("targets", case.targets.text)
    if case.dialog == "replay" and case.kind == "SINGLE":
        put("target", case.targets.text)
    reason = dialog.query_one("#reason", Input)
    reason.value = case.reason.text
    reason.focus()


async def try_cases(db: Database, db_url: str, raw: psycopg.Connection, cases: list[Case]) -> None:
    registry = testjobs.build()
    alice = session(db, runner_settings(db_url), registry)
    ready = [
        ops.trigger(alice, "noop", date_from=date(2026, 11, 2), reason="to stop").execution_id
        for c in cases
        if c.dialog == "stop"
    ]
    errors = Errors()
    logging.getLogger("c1console").addHandler(errors)
    app = console(db, alice)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.can_act, what="the role")
            for case in cases:
                before = counts(raw)
                dialog = open_dialog(case, ready, alice)
                await app.push_screen(dialog)
                fill(dialog, case)
                await pilot.pause()
                await pilot.press("enter")  # review
                await wait_for(
                    pilot,
                    lambda d=dialog: d.armed is not None or status(d) not in ("", "working…"),
                    timeout=30,
                    what=f"the dialog to answer {case}",
                )
                expected = case.expectation(alice.settings.large_run_units)
                COUNTS["dialog inputs tried"] += 1
                if dialog.armed is None:
                    message = status(dialog)
                    assert expected != "accept", (case, message)
                    assert "\n" not in message and 0 < len(message) < 400, (case, message)
                    assert "Traceback" not in message
                    assert counts(raw) == before, f"a refused dialog wrote something: {case}"
                    COUNTS["dialog inputs refused cleanly"] += 1
                    dialog.dismiss(None)
                else:
                    assert expected != "refuse", (case, dialog.preview)
                    await pilot.press("enter")  # confirm
                    await wait_for(
                        pilot,
                        lambda d=dialog: app.screen is not d or (not d.busy and d.armed is None),
                        timeout=30,
                        what="the action to be done",
                    )
                    assert app.screen is not dialog, (case, status(dialog))
                    after = counts(raw)
                    assert after[0] == before[0] + (0 if case.dialog == "stop" else 1), case
                    if case.dialog == "stop":
                        stored = raw.execute(
                            "SELECT stop_reason FROM c1.execution WHERE execution_id = %s", (ready.pop(),)
                        ).fetchone()[0]
                    else:
                        stored = raw.execute(
                            "SELECT reason FROM c1.execution ORDER BY execution_id DESC LIMIT 1"
                        ).fetchone()[0]
                    assert stored == (case.reason.text.strip() or None), case
                    COUNTS["dialog inputs accepted and written exactly"] += 1
                await wait_for(pilot, lambda d=dialog: app.screen is not d, what="the dialog to close")
            assert app.is_running
    finally:
        logging.getLogger("c1console").removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]


def ok(text: str) -> Field:
    return Field(text, "ok")


def day(text: str) -> Field:
    return Field(text, "date")


def bad(text: str) -> Field:
    return Field(text, "bad")


# Every kind of input the issue names, tried on every run whatever hypothesis draws.
CURATED = [
    Case(
        "trigger",
        ok("'; DROP TABLE c1.audit_log; --"),
        date_from=day("2026-11-02"),
        date_to=day("2026-11-03"),
    ),
    Case("trigger", bad("x" * 100_000), date_from=day("2026-11-02"), date_to=day("2026-11-02")),
    Case("trigger", bad("line one\nline two"), date_from=day("2026-11-02"), date_to=day("2026-11-02")),
    Case("trigger", ok("reversed"), date_from=day("2026-11-06"), date_to=day("2026-11-02")),
    Case("trigger", ok("huge"), date_from=day("1900-01-01"), date_to=day("2999-12-31")),
    Case("trigger", ok("too many units"), date_from=day("2000-01-03"), date_to=day("2026-11-02")),
    Case("trigger", ok("no such day"), date_from=bad("2026-02-30"), date_to=day("2026-11-02")),
    Case("trigger", ok("x"), date_from=bad("x" * 100_000), date_to=day("2026-11-02")),
    Case(
        "trigger",
        ok("unknown target"),
        date_from=day("2026-11-02"),
        date_to=day("2026-11-02"),
        targets=bad("T1,NOPE"),
    ),
    Case(
        "trigger",
        ok("ünïcödé 😀 \u202e"),
        date_from=day("2026-11-02"),
        date_to=day("2026-11-02"),
        targets=ok("T2"),
    ),
    Case("replay", ok("range"), kind="RANGE", date_from=day("2026-11-02"), date_to=day("2026-11-04")),
    Case(
        "replay", ok("huge"), job="slow", kind="RANGE", date_from=day("2000-01-03"), date_to=day("2026-11-02")
    ),
    Case("replay", ok("unknown job"), job="no_such_job", kind="RANGE", date_from=day("2026-11-02")),
    Case("replay", ok("target"), kind="SINGLE", date_from=day("2026-11-02"), targets=bad("x" * 100_000)),
    Case("replay", Field("", "free"), kind="RANGE", date_from=day("2026-11-02"), date_to=day("2026-11-02")),
    Case("stop", ok("Robert'); DELETE FROM c1.execution;--")),
    Case("stop", bad("\x1b[31mred")),
    Case("stop", bad("y" * (MAX_REASON + 1))),
]


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
@given(cases=st.lists(CASES, min_size=10, max_size=10))
@example(cases=CURATED)
def test_hostile_dialog_input(db: Database, db_url: str, raw: psycopg.Connection, cases: list[Case]) -> None:
    asyncio.run(try_cases(db, db_url, raw, cases))
