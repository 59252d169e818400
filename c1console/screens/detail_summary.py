"""The drill-down's summary: the failure's story as a work item (open, resolved by #N, handed on,
acknowledged, rolled back), then the error code with its cause and action guide, then every mandatory
field; and what became of each unit that did not succeed (the Units tab's FIXED column)."""

from __future__ import annotations

from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from c1console import errors
from c1console.presentation import (
    STATE_MARK,
    STATUS_SYMBOL,
    date_range,
    duration,
    resolution_cell,
    stopped_after,
)
from c1console.queries import ACKNOWLEDGED, HANDED_ON, OPEN, RESOLVED, ROLLED_BACK
from c1console.screens.cells import RESOLUTION_STYLE, one_line, run_type, status_text, when
from c1console.screens.services import Services

if TYPE_CHECKING:
    from c1console.queries import ExecutionDetail, FailedUnit


def _fixed_by(d: ExecutionDetail, execution_id: int) -> str:
    """How a later execution fixed this one, in a phrase: "replayed by #124 ✔", "resumed by #124 ✔", or
    "fixed by #124" (a later run, or a replay further along the chain)."""
    e = d.execution
    other = next((r for r in d.related if r.execution_id == execution_id), None)
    if other is not None and e.execution_id in (other.replay_of, other.resumed_from):
        verb = "replayed" if other.replay_of == e.execution_id else "resumed"
        return f"{verb} by #{execution_id} {STATUS_SYMBOL.get(other.status, '')}".rstrip()
    return f"fixed by #{execution_id}"


def story(d: ExecutionDetail, tz: tzinfo | None, can_act: bool) -> Text | None:
    """Where the execution stands as a work item, in one line above the action guide; None when there is
    nothing to tell (not a failure, not rolled back). ``can_act``: name the keys that act on it."""
    e = d.execution
    r = d.resolution
    if e.rolled_back_at is not None:
        return Text(
            f"{STATE_MARK[ROLLED_BACK]} rolled back by {e.rolled_back_by} at {when(e.rolled_back_at, tz)}: "
            f"{e.rolled_back_reason or ''}",
            style="bold magenta",
        )
    if r is None:
        return None
    if r.state == OPEN:
        stopped = e.status == "STOPPED"
        text = Text(f"{STATE_MARK[OPEN]} open: {r.open_units} unit(s) ", style="bold red")
        text.append("not done" if stopped else "still failing", style="bold red")
        if can_act:
            text.append(
                " — R resumes them, a acknowledges" if stopped else " — r replays them, a acknowledges"
            )
        return text
    if r.state == HANDED_ON:
        later = next((x for x in d.related if x.execution_id == r.handed_to), None)
        kind = "resume" if later is not None and later.resumed_from == e.execution_id else "replay"
        return Text(
            f"{STATE_MARK[HANDED_ON]} handed on to #{r.handed_to} (its {kind} failed too)",
            style="bold yellow",
        )
    if r.state == ACKNOWLEDGED:
        return Text(
            f"{STATE_MARK[ACKNOWLEDGED]} acknowledged by {r.acked_by} at {when(r.acked_at, tz)}: "
            f"{r.ack_reason or ''}",
            style="bold cyan",
        )
    if r.state == ROLLED_BACK:  # the execution's own columns say it above; kept for a partial row
        return Text(f"{STATE_MARK[ROLLED_BACK]} rolled back by {r.rolled_back_by}", style="bold magenta")
    fixers = sorted({u.fixed_by for u in d.failed_units if u.fixed_by is not None})
    if not fixers and r.fixed_by is not None:
        fixers = [r.fixed_by]
    compensations = sorted(
        {u.fixed_by_compensation for u in d.failed_units if u.fixed_by_compensation is not None}
    )
    if not compensations and r.fixed_by_compensation is not None:
        compensations = [r.fixed_by_compensation]
    ways = []
    if len(fixers) == 1:
        ways.append(_fixed_by(d, fixers[0]))
    elif fixers:
        ways.append("fixed by " + ", ".join(f"#{n}" for n in fixers))
    if compensations:
        ways.append("compensation " + ", ".join(f"#{c}" for c in compensations))
    line = f"{STATE_MARK[RESOLVED]} resolved: " + (" and ".join(ways) or "every unit has a good result")
    if r.fixed_at is not None:
        line += f" at {when(r.fixed_at, tz)}"
    return Text(line, style="bold green")


def _guide_done(d: ExecutionDetail) -> str | None:
    """Why the action guide no longer calls for action, or None while it does."""
    e = d.execution
    if e.rolled_back_at is not None:
        return "rolled back"
    r = d.resolution
    if r is None or r.state == OPEN:
        return None
    return {
        HANDED_ON: f"now on #{r.handed_to}",
        ACKNOWLEDGED: "acknowledged",
        ROLLED_BACK: "rolled back",
    }.get(r.state, "resolved")


def unit_fix(u: FailedUnit | None) -> Text:
    """What became of a unit that did not succeed: "↻ #124", "↻ comp #3", "→ #130", "● open"."""
    if u is None:
        return Text("")
    state = RESOLVED if u.is_fixed else HANDED_ON if u.handed_to is not None else OPEN
    cell = resolution_cell(
        state, fixed_by=u.fixed_by, fixed_by_compensation=u.fixed_by_compensation, handed_to=u.handed_to
    )
    return Text(cell, style=RESOLUTION_STYLE[state])


def error_block(d: ExecutionDetail, lang: errors.Lang) -> RenderableType | None:
    """The error code, what happened, its cause and the action guide: in bold while the failure is open
    (or not a work item), dimmed with what became of it once it is not."""
    e = d.execution
    if not e.error_code and not e.error_summary:
        return None
    head = Text()
    head.append(e.error_code or "no code", style="bold red")
    if d.error is not None:
        head.append("  " + d.error.title.get(lang), style="bold")
        if d.error.transient:
            head.append("  [transient]", style="dim")
    elif e.error_code:
        head.append("  (not in this console's catalogue)", style="dim")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    if e.error_summary:
        grid.add_row("what", Text(one_line(e.error_summary, 400)))
    if d.error is not None:
        grid.add_row("cause", Text(d.error.operator_message.get(lang)))
        steps = errors.action_steps(d.error.action.get(lang))
        done = _guide_done(d)
        if done is None:
            grid.add_row("action", Text("\n".join(steps), style="bold"))
        else:
            grid.add_row(
                Text("action", style="dim"), Text(f"({done} — for reference) " + " ".join(steps), style="dim")
            )
    return Group(head, grid)


def fields(d: ExecutionDetail, services: Services) -> Table:
    e = d.execution
    tz = services.tz
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    dash = Text("—", style="dim")

    def row(label: str, value: str | Text | None) -> None:
        grid.add_row(label, value if isinstance(value, Text) else (Text(value) if value else dash))

    status = status_text(e.status)
    stopped = stopped_after(e.status, e.stop_requested_by, e.units_failed)
    if e.stop_requested_at is not None:
        status.append(
            f"  ({stopped or f'stop requested by {e.stop_requested_by}'} at {when(e.stop_requested_at, tz)}: "
            f"{e.stop_reason or ''})",
            style="magenta",
        )
    ran = duration(e.started_at, e.ended_at, services.clock() if e.status == "RUNNING" else None)
    row("execution_id", str(e.execution_id))
    row("job_id", e.job_id)
    row("run_type", run_type(e))
    row("status", status)
    row("start_time", when(e.started_at, tz))
    row(
        "end_time",
        (when(e.ended_at, tz) + (f"  ({ran})" if ran else ""))
        if e.ended_at
        else (f"running for {ran}" if ran else None),
    )
    code = Text(e.error_code or "", style="red")
    if d.error is not None:
        code.append("  " + d.error.title.get(services.lang), style="")
    row("error_code", code if e.error_code else None)
    row("operator_id", e.operator_id or "— (AUTO: fired by the schedule)")
    row("business dates", date_range(e.business_date_from, e.business_date_to))
    row("targets", ", ".join(e.targets) if e.targets else "all")
    row("reason", e.reason)
    row("replay_of", f"#{e.replay_of}" if e.replay_of else None)
    row("resumed_from", f"#{e.resumed_from}" if e.resumed_from else None)
    if e.scheduled_for is not None:
        row("scheduled_for", when(e.scheduled_for, tz))
    row("created_at", when(e.created_at, tz))
    row("runner", e.runner_id)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(d.unit_counts.items()))
    row(
        "units",
        f"{e.units_total} total · {e.units_done} done · {e.units_failed} failed"
        + (f"  ({counts})" if counts else ""),
    )
    r = d.results
    row(
        "results",
        f"{r.applied} applied by it ({r.still_active} still active) · "
        f"{r.superseded_by_it} earlier result(s) superseded by it",
    )
    return grid


def summary(d: ExecutionDetail, services: Services, can_act: bool) -> Group:
    """The Summary tab: the story, then the error with its guide, then the fields."""
    parts: list[RenderableType] = []
    told = story(d, services.tz, can_act)
    if told is not None:
        parts += [told, Text("")]
    block = error_block(d, services.lang)
    if block is not None:
        parts += [block, Text("")]
    parts.append(fields(d, services))
    return Group(*parts)
