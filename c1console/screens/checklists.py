"""The daily (`4`) and monthly (`5`) operations checklists: what needs attention, and the sign-off.

Both are computed by ``c1console.checklists`` (the same numbers the CLI prints) through ConsoleQueries, in a
thread worker, and both count by business date (each screen says so); `[` / `]` move by a day or a month.
The daily lists the failures first, each with its state as a work item (sql/013: `● OPEN`, `↻ #124`,
`→ #130`, `✓ ack`, `⟲ rolled back`); `n` / `N` move to the next / previous open one, `enter` opens one, `r`
replays the failed units of an open one. `S` signs what is on screen; a signed period lists every sign-off
(newest first) and signing it again adds one (the dialog says so first). `e` exports what is on screen as
the CLI's Markdown (`--format md`) to a new file, in the current directory or else the data directory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Sparkline, Static

from c1console import checklists
from c1console.checklist_text import signed_at, signoff_summary
from c1console.presentation import NO_ALERT_CHANNEL, human_duration, iso_timestamp
from c1console.queries import ACKNOWLEDGED, HANDED_ON, OPEN, RESOLVED, ROLLED_BACK
from c1console.screens.base import ConsoleScreen
from c1console.screens.cells import one_line, status_text, verdict_text
from c1console.screens.detail import DetailScreen
from c1console.screens.dialogs import Done, SignDialog
from c1console.screens.execution_actions import ExecutionActions
from c1console.screens.export import ExportFailed, places, write_new
from c1console.screens.header import HeaderBar, HeaderInfo
from c1console.screens.keys import Key, KeyBar, bindings
from c1console.screens.tables import ConsoleTable, cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution

BAR = 20  # widest text bar (errors by code)
EXPORT = Key(
    "e", "export", "export", "Export this checklist as Markdown to a new file (here, else the data dir)"
)


def tz_name(tz: tzinfo | None) -> str:
    """The IANA name checklists need (ZoneInfo); a fixed offset or no zone reads as UTC."""
    return str(getattr(tz, "key", None) or "UTC")


def signoff_line(signoffs: Sequence[dict[str, Any]], tz: tzinfo | None) -> Text:
    """The info line's: "✔ signed by bob at …", "✔ 2 sign-offs, latest by carol at …", "⚠ not signed"."""
    if not signoffs:
        return Text("⚠ not signed", style="yellow")
    if len(signoffs) == 1:
        return Text(f"✔ {signoff_summary(signoffs, tz)}", style="green")
    last = signoffs[-1]  # the count first: it survives a narrow terminal
    return Text(
        f"✔ {len(signoffs)} sign-offs, latest by {last['signed_by']} at {signed_at(last, tz)}", "green"
    )


def signoff_history(signoffs: Sequence[dict[str, Any]], tz: tzinfo | None) -> Text:
    """The Sign-offs section: every one kept, newest first, one line each (who, when, comment)."""
    text = Text()
    text.append("\nSign-offs", style="bold")
    if not signoffs:
        text.append("  ⚠ not signed", style="yellow")
        return text
    text.append(f"  {len(signoffs)} · newest first" if len(signoffs) > 1 else "  1")
    for s in reversed(signoffs):
        text.append(f"\n  ✔ {signed_at(s, tz)} ", style="green")
        text.append(str(s["signed_by"]), style="bold")
        text.append(f": {one_line(s['comment'], 100)}")
    return text


# a failure's state in the daily list: the mark and word carry it, the colour only helps
STATE_STYLE = {
    OPEN: "bold red",
    HANDED_ON: "yellow",
    RESOLVED: "green",
    ACKNOWLEDGED: "cyan",
    ROLLED_BACK: "magenta",
}


def basis_text(basis: str) -> Text:
    return Text(f"by {basis}", style="italic")


def bar(value: int, top: int, width: int = BAR) -> str:
    if top <= 0 or value <= 0:
        return ""
    return "█" * max(1, round(width * value / top))


class ChecklistScreen(ConsoleScreen):
    """What the daily and monthly screens share: loading one period, moving, signing."""

    TITLE_TEXT: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.checklist: Any = None
        self.period: date | None = None

    def initial(self) -> date:
        raise NotImplementedError

    def step(self, period: date, by: int) -> date:
        raise NotImplementedError

    def fetch(self, period: date) -> Any:
        raise NotImplementedError

    def show(self, checklist: Any) -> None:
        raise NotImplementedError

    def load(self) -> None:
        if self.period is None:
            self.period = self.initial()
        period = self.period
        self._poll_worker = self.call_db(
            lambda: self.fetch(period),
            lambda c: self.show(c) if period == self.period else None,
            failed=self._failed,
            group="checklist",
            exclusive=True,
        )

    def _failed(self, exc: BaseException) -> None:
        self.query_one("#info", Static).update(Text(" " + problem_text(exc), style="red"))

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        self.poll()

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.poll()  # a sign-off is audited

    def action_move(self, by: int) -> None:
        self.period = self.step(self.period or self.initial(), by)
        self.query_one("#info", Static).update(Text(f" {self.period} loading…"))
        self.load()

    def action_back(self) -> None:
        self.host.show_mode("executions")

    def action_sign(self) -> None:
        if not self.allowed("sign"):
            return
        if self.checklist is None:
            self.notify("still loading", severity="warning")
            return
        self.app.push_screen(SignDialog(self.checklist), lambda _done: self.load())

    def markdown(self, checklist: Any) -> str:
        raise NotImplementedError

    def action_export(self) -> None:
        """What is on screen, as `checklist daily|monthly --format md` prints it, to a new file (a read:
        a viewer may export too)."""
        c = self.checklist
        if c is None:
            self.notify("still loading: nothing to export yet", severity="warning")
            return
        kind = "daily" if isinstance(c, checklists.Daily) else "monthly"
        try:
            done = write_new(
                self.markdown(c), f"c1-{kind}-{c.period}", ".md", places(self.services.settings.data_dir)
            )
        except ExportFailed as failed:
            self.notify(str(failed), severity="error", title="export", timeout=10)
            return
        where = f" ({done.fallback})" if done.fallback else ""
        self.notify(f"exported to {done.path}{where}", title="export", timeout=10)

    def zone(self) -> str:
        """The time zone of business days: the configured one (as the CLI uses), else the console's."""
        configured = self.services.settings.timezone
        return configured if configured is not None else tz_name(self.tz)

    def section(self, title: str, id: str) -> Static:
        return Static(Text(title, style="bold"), id=id, classes="section")


# Daily ---------------------------------------------------------------------------------------------------

FAILURE_COLUMNS = ("ID", "JOB", "STATUS", "STATE", "ERROR", "DATES", "BY", "TYPE", "TITLE")
JOB_COLUMNS = ("JOB", "SCHEDULE", "EXPECTED", "RAN", "MISSED", "LATEST", "VERDICT")


class DailyScreen(ChecklistScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("left_square_bracket", "move(-1)", "prev day", "Daily checklist: the previous day", display="["),
        Key("right_square_bracket", "move(1)", "next day", "Daily checklist: the next day", display="]"),
        Key("enter", "open", "open", "Open the selected failure's execution (drill-down)", bind=False),
        Key("n", "next_open(1)", "next open", "Move to the next open failure in the list"),
        Key("N", "next_open(-1)", "prev open", "Move to the previous open failure in the list", footer=False),
        Key("r", "replay", "replay", "Replay the failed units of the selected open failure", act=True),
        Key(
            "S",
            "sign",
            "sign",
            "Sign this daily checklist (comment required; again adds a sign-off)",
            act=True,
        ),
        EXPORT,
        Key("escape", "back", "back", "Back to the executions", display="esc", footer=False),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.execution_actions = ExecutionActions(self, missing="select a failure first", after=self._after)

    def compose(self) -> ComposeResult:
        yield HeaderBar("Daily checklist")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        with VerticalScroll(id="checklist-body", classes="checklist-body"):
            yield self.section("Failed and stopped executions", "failures-title")
            yield ConsoleTable(id="failures")
            yield self.section("Jobs", "jobs-title")
            yield ConsoleTable(id="jobs-day")
            yield Static(id="daily-rest")
        yield KeyBar()

    def on_mount(self) -> None:
        for name, columns in (("failures", FAILURE_COLUMNS), ("jobs-day", JOB_COLUMNS)):
            table = self.query_one(f"#{name}", DataTable)
            for column in columns:
                table.add_column(column, key=column.lower())
        self.query_one("#failures", DataTable).focus()
        self.load()

    def initial(self) -> date:
        return checklists.previous_business_day(self.today())

    def step(self, period: date, by: int) -> date:
        return period + timedelta(days=by)

    def fetch(self, period: date) -> checklists.Daily:
        services = self.services
        return services.queries.daily(
            period,
            tz=self.zone(),
            lang=services.lang,
            long_running_seconds=services.settings.long_running_seconds,
        )

    def show(self, c: checklists.Daily) -> None:
        # the channels, as the CLI's checklist has them: in what is shown and in what a sign-off keeps
        header = getattr(self.app, "header", None)
        if isinstance(header, HeaderInfo):
            c = replace(c, alert_channels=list(header.alert_channels))
        self.checklist = c
        line = Text.assemble(" ", (f"{c.period} {c.business_date:%a}", "bold"), "  ", verdict_text(c.verdict))
        line.append(" · ")
        line.append_text(basis_text(c.basis))
        line.append(f" · {c.open_items} open item(s) · ")
        line.append_text(signoff_line(c.signoffs, self.tz))
        self.query_one("#info", Static).update(line)
        failures = self.query_one("#failures", DataTable)
        keep = cursor_key(failures)
        failures.clear()
        for f in c.failures:
            failures.add_row(
                Text(str(f.execution_id), justify="right"),
                f.job_id,
                status_text(f.status),
                Text(f.short_state(), style=STATE_STYLE.get(f.state, "")),
                Text(f.error_code or "", style="red"),
                f.dates,
                f.stopped or f.operator or "",
                f.run_type,
                f.error_title or "",
                key=str(f.execution_id),
            )
        if keep is not None:
            move_cursor_to(failures, keep, scroll=False)
        opened = sum(1 for f in c.failures if f.is_open)
        title = Text.assemble(
            ("Failed and stopped executions", "bold"),
            f"  {len(c.failures)} · {opened} open" if c.failures else "  none",
        )
        if opened:
            title.append("  n/N: next/prev open", style="dim")
        self.query_one("#failures-title", Static).update(title)
        jobs = self.query_one("#jobs-day", DataTable)
        jobs.clear()
        for j in c.jobs:
            latest = Text(f"#{j.latest_execution_id} ") if j.latest_execution_id else Text("—", style="dim")
            if j.latest_status:
                latest.append_text(status_text(j.latest_status))
            schedule = j.schedule or "manual"
            jobs.add_row(
                j.job_id,
                schedule + (" (paused)" if j.paused else ""),
                str(j.expected_fires),
                str(j.auto_runs),
                Text(str(j.missed), style="bold yellow" if j.missed else ""),
                latest,
                verdict_text(j.verdict),
                key=j.job_id,
            )
        self.query_one("#daily-rest", Static).update(self.rest(c))

    def rest(self, c: checklists.Daily) -> Text:
        text = Text()

        def head(title: str, items: Sequence[Any]) -> None:
            text.append(f"\n{title}", style="bold")
            text.append(f"  {len(items)}" if items else "  none", style="" if items else "dim")

        tz = self.tz
        head("Missed schedule fires", c.missed)
        for m in c.missed:
            text.append(f"\n  ⚠ {m['job_id']} at {iso_timestamp(m['scheduled_for'], tz)}", style="yellow")
        head("Running too long", c.long_running)
        for r in c.long_running:
            since = iso_timestamp(r["started_at"], tz)
            text.append(f"\n  ▶ #{r['execution_id']} {r['job_id']} since {since}", style="yellow")
        if c.no_alert_channel:
            text.append("\nAlert deliveries that failed", style="bold")
            text.append(f"  ⚠ {NO_ALERT_CHANNEL}", style="bold yellow")
            if c.failed_deliveries:
                text.append(f" · {len(c.failed_deliveries)}")
        else:
            head("Alert deliveries that failed", c.failed_deliveries)
        for d in c.failed_deliveries:
            text.append(
                f"\n  ✖ #{d['notification_id']} {d['event']} via {d['channel']} after {d['attempts']} "
                f"attempt(s): {one_line(d.get('last_error'), 100)}",
                style="red",
            )
        text.append_text(signoff_history(c.signoffs, self.tz))
        return text

    def markdown(self, checklist: Any) -> str:
        return checklists.render_daily(checklist, markdown=True, tz=self.tz)

    def selected(self) -> checklists.FailureItem | None:
        key = cursor_key(self.query_one("#failures", DataTable))
        if self.checklist is None or key is None:
            return None
        return next((f for f in self.checklist.failures if str(f.execution_id) == key), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "failures":
            self.action_open()

    def action_open(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.notify("no failure selected", severity="warning")
            return
        self.app.push_screen(DetailScreen(chosen.execution_id))

    def action_next_open(self, step: int) -> None:
        """The cursor to the next (step 1) or previous (-1) OPEN failure of the list, round the end."""
        table = self.query_one("#failures", DataTable)
        items = self.checklist.failures if isinstance(self.checklist, checklists.Daily) else []
        if not any(f.is_open for f in items):
            self.notify("no open failure on this day", severity="information")
            return
        here = table.cursor_row if table.row_count else -1
        for n in range(1, len(items) + 1):
            candidate = items[(here + step * n) % len(items)]
            if candidate.is_open:
                move_cursor_to(table, str(candidate.execution_id))
                table.focus()
                return

    def action_replay(self) -> None:
        if not self.allowed("replay"):
            return
        chosen = self.selected()
        if chosen is None:
            self.notify("select a failure first", severity="warning")
            return
        if not chosen.is_open:
            where = f"; replay #{chosen.handed_to} instead" if chosen.handed_to else ""
            self.notify(
                f"#{chosen.execution_id} is not open: {chosen.mark} {chosen.state_text()}{where}",
                severity="warning",
            )
            return
        execution_id = chosen.execution_id

        def found(rows: list[Execution]) -> None:
            if rows:
                self.execution_actions.open("replay", rows[0])

        queries = self.services.queries
        self.call_db(lambda: queries.executions_by_id([execution_id]), found)

    def _after(self, done: Done | None) -> None:
        if done is not None and done.execution_id is not None:
            self.host.focus_execution(done.execution_id)
            self.load()


# Monthly -------------------------------------------------------------------------------------------------

REPLAY_COLUMNS = ("JOB", "KIND", "W1", "W2", "W3", "W4", "W5", "TOTAL", "PREV")
ERROR_COLUMNS = ("CODE", "COUNT", "PREV", "TREND", "BY COUNT", "JOBS", "TITLE")
TREND = {"up": Text("▲ up", style="red"), "down": Text("▼ down", style="green"), "same": Text("= same")}


class MonthlyScreen(ChecklistScreen):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key(
            "left_square_bracket",
            "move(-1)",
            "prev month",
            "Monthly checklist: the previous month",
            display="[",
        ),
        Key(
            "right_square_bracket", "move(1)", "next month", "Monthly checklist: the next month", display="]"
        ),
        Key(
            "S",
            "sign",
            "sign",
            "Sign this monthly checklist (comment required; again adds a sign-off)",
            act=True,
        ),
        EXPORT,
        Key("escape", "back", "back", "Back to the executions", display="esc", footer=False),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    def compose(self) -> ComposeResult:
        yield HeaderBar("Monthly checklist")
        yield Static(Text(" loading…"), id="info", classes="info-line")
        with VerticalScroll(id="checklist-body", classes="checklist-body"):
            yield self.section("Failures per business day", "spark-title")
            yield Sparkline([], id="failures-spark")
            yield self.section("Replays by week", "replays-title")
            yield ConsoleTable(id="replays")
            yield self.section("Recurring errors", "errors-title")
            yield ConsoleTable(id="errors")
            yield Static(id="monthly-rest")
        yield KeyBar()

    def on_mount(self) -> None:
        for name, columns in (("replays", REPLAY_COLUMNS), ("errors", ERROR_COLUMNS)):
            table = self.query_one(f"#{name}", DataTable)
            for column in columns:
                table.add_column(column, key=column.lower())
        self.query_one("#checklist-body").focus()
        self.load()

    def initial(self) -> date:
        return checklists.parse_month(None, self.today())

    def step(self, period: date, by: int) -> date:
        if by < 0:
            return (period - timedelta(days=1)).replace(day=1)
        return (period + timedelta(days=32)).replace(day=1)

    def fetch(self, period: date) -> checklists.Monthly:
        return self.services.queries.monthly(period, tz=self.zone(), lang=self.services.lang)

    def show(self, c: checklists.Monthly) -> None:
        self.checklist = c
        mttr = human_duration(timedelta(seconds=c.mttr_seconds)) if c.mttr_seconds is not None else "n/a"
        line = Text.assemble(" ", (c.month, "bold"), "  ", verdict_text(c.verdict))
        line.append(" · ")
        line.append_text(basis_text(c.basis))
        line.append(f" · {c.still_open} still open · MTTR {mttr} · ")
        line.append_text(signoff_line(c.signoffs, self.tz))
        self.query_one("#info", Static).update(line)
        per_day = c.failures_per_day
        self.query_one("#failures-spark", Sparkline).data = [float(n) for n in per_day]
        worst = max(per_day) if per_day else 0
        self.query_one("#spark-title", Static).update(
            Text.assemble(
                ("Failures per business day", "bold"),
                f"  {sum(per_day)} in {len(per_day)} day(s) · most {worst}"
                + (f" on day {per_day.index(worst) + 1}" if worst else ""),
            )
        )
        replays = self.query_one("#replays", DataTable)
        replays.clear()
        for job, kinds in sorted(c.replays.items()):
            for kind, weeks in sorted(kinds.items()):
                previous = c.replays_previous.get(job, {}).get(kind, 0)
                replays.add_row(
                    job, kind, *(str(w) for w in weeks), str(sum(weeks)), str(previous), key=f"{job}|{kind}"
                )
        for job, counts in sorted(c.replays_previous.items()):
            for kind, count in sorted(counts.items()):
                if kind not in c.replays.get(job, {}):
                    replays.add_row(job, kind, *("0",) * 6, str(count), key=f"{job}|{kind}")
        self.query_one("#replays-title", Static).update(
            Text.assemble(
                ("Replays by week", "bold"),
                f"  {c.replay_total} (previous month {c.replay_total_previous})",
                ("  week of the first business date", "dim"),
            )
        )
        errors = self.query_one("#errors", DataTable)
        errors.clear()
        top = max((e.failures for e in c.errors), default=0)
        for e in c.errors:
            errors.add_row(
                Text(e.code, style="red"),
                str(e.failures),
                str(e.previous),
                TREND.get(e.trend, Text(e.trend)),
                Text(bar(e.failures, top), style="red"),
                ", ".join(e.jobs),
                e.title or "",
                key=e.code,
            )
        self.query_one("#errors-title", Static).update(
            Text.assemble(
                ("Recurring errors", "bold"), f"  {len(c.errors)} code(s)" if c.errors else "  none"
            )
        )
        rest = Text()
        rest.append("\nRecovery", style="bold")
        rest.append(
            f"\n  mean time to recovery {mttr} over {c.recovered} recovered failure(s) (from each "
            f"failure's end to its last fix); {c.still_open} still open"
        )
        rest.append("\nManual interventions", style="bold")
        if not c.interventions:
            rest.append("  none", style="dim")
        for operator, actions in sorted(c.interventions.items()):
            rest.append(f"\n  {operator}: " + ", ".join(f"{a} {n}" for a, n in sorted(actions.items())))
        rest.append_text(signoff_history(c.signoffs, self.tz))
        self.query_one("#monthly-rest", Static).update(rest)

    def markdown(self, checklist: Any) -> str:
        return checklists.render_monthly(checklist, markdown=True, tz=self.tz)
