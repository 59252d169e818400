"""The daily and monthly checklists as text, Markdown or JSON (what the CLI prints and a sign-off keeps).
Both say the basis they count by (business date)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from c1console.presentation import NO_ALERT_CHANNEL, human_duration, iso_timestamp, table, timestamp

if TYPE_CHECKING:
    from c1console.checklists import Daily, Monthly

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def to_json(checklist: Daily | Monthly) -> str:
    return json.dumps(checklist.as_dict(), indent=2, ensure_ascii=False)


# Sign-offs: every one is kept (c1.checklist_signoff is append-only); each list is oldest first, as stored.


def ordinal(n: int) -> str:
    """1 -> "first", 2 -> "second" … 11 -> "11th" (the sign-off a confirmation adds)."""
    if 1 <= n <= len(ORDINALS):
        return ORDINALS[n - 1]
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def signed_at(signoff: dict[str, Any], tz: tzinfo | None = None) -> str:
    """When it was signed, like every other time (a datetime from the database, ISO text from JSON)."""
    at = signoff["signed_at"]
    return timestamp(at, tz) if isinstance(at, datetime) else iso_timestamp(str(at), tz)


def signoff_summary(signoffs: Sequence[dict[str, Any]], tz: tzinfo | None = None) -> str:
    """The latest sign-off and how many there are: "signed by bob at … (2 sign-offs)"; "not signed"."""
    if not signoffs:
        return "not signed"
    last = signoffs[-1]
    count = f" ({len(signoffs)} sign-offs)" if len(signoffs) > 1 else ""
    return f"signed by {last['signed_by']} at {signed_at(last, tz)}{count}"


def already_signed(signoffs: Sequence[dict[str, Any]], tz: tzinfo | None = None) -> str:
    """What signing again means, said before anything is added ("" when not signed yet)."""
    if not signoffs:
        return ""
    last = signoffs[-1]
    more = f", {len(signoffs)} sign-offs so far" if len(signoffs) > 1 else ""
    return (
        f"already signed by {last['signed_by']} at {signed_at(last, tz)}{more} — this adds another sign-off"
        f" (the {ordinal(len(signoffs) + 1)}; every one is kept)"
    )


def signoff_history(signoffs: Sequence[dict[str, Any]], tz: tzinfo | None = None) -> list[str]:
    """Every sign-off, newest first: "2026-11-02 10:15:00 bob: comment"."""
    return [f"{signed_at(s, tz)} {s['signed_by']}: {s['comment']}" for s in reversed(signoffs)]


def _signoff_section(c: Daily | Monthly, h: str, bullet: str, tz: tzinfo | None) -> list[str]:
    if not c.signoffs:
        return []
    return ["", f"{h}Sign-offs ({len(c.signoffs)}, newest first)"] + [
        f"{bullet}{line}" for line in signoff_history(c.signoffs, tz)
    ]


def render_daily(c: Daily, markdown: bool = False, tz: tzinfo | None = None) -> str:
    """``tz``: the zone times are shown in (the console passes its own; None: local time)."""
    h = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    out = [f"{'# ' if markdown else ''}Daily checklist {c.period}: {c.verdict}"]
    out.append(f"by {c.basis}: the executions whose business dates cover {c.period}")
    out.append(signoff_summary(c.signoffs, tz))
    out += ["", f"{h}Jobs"]
    rows = [
        [
            j.job_id,
            j.schedule or "manual",
            "paused" if j.paused else "",
            str(j.expected_fires),
            str(j.auto_runs),
            str(j.missed),
            f"#{j.latest_execution_id} {j.latest_status}" if j.latest_execution_id else "-",
            j.verdict,
        ]
        for j in c.jobs
    ]
    out += _table(["JOB", "SCHEDULE", "", "EXPECTED", "RAN", "MISSED", "LATEST", "VERDICT"], rows, markdown)
    opened = sum(f.is_open for f in c.failures)
    out += [
        "",
        f"{h}Failed and stopped executions" + (f" ({len(c.failures)}; {opened} open)" if c.failures else ""),
    ]
    if not c.failures:
        out.append(f"{bullet}none")
    for f in c.failures:
        what = " ".join(
            part
            for part in (f"#{f.execution_id}", f.job_id, f.status, f.dates, f.error_code, f.error_title)
            if part
        )
        who = f", {f.stopped}" if f.stopped else (f" by {f.operator}" if f.operator else "")
        out.append(f"{bullet}{what}{who}: {f.mark} {f.state_text()}")
    out += ["", f"{h}Missed schedule fires"]
    out += [f"{bullet}{m['job_id']} at {iso_timestamp(m['scheduled_for'], tz)}" for m in c.missed] or [
        f"{bullet}none"
    ]
    out += ["", f"{h}Running too long"]
    out += [
        f"{bullet}#{r['execution_id']} {r['job_id']} since {iso_timestamp(r['started_at'], tz)}"
        for r in c.long_running
    ] or [f"{bullet}none"]
    out += ["", f"{h}Alert deliveries that failed"]
    if c.no_alert_channel:
        out.append(f"{bullet}{'**' if markdown else ''}{NO_ALERT_CHANNEL}{'**' if markdown else ''}")
    out += [
        f"{bullet}#{d['notification_id']} {d['event']} via {d['channel']} after {d['attempts']} attempt(s): "
        f"{d['last_error']}"
        for d in c.failed_deliveries
    ] or ([] if c.no_alert_channel else [f"{bullet}none"])
    out += _signoff_section(c, h, bullet, tz)
    return "\n".join(out) + "\n"


def render_monthly(c: Monthly, markdown: bool = False, tz: tzinfo | None = None) -> str:
    h = "## " if markdown else ""
    bullet = "- " if markdown else "  "
    out = [f"{'# ' if markdown else ''}Monthly checklist {c.month}: {c.verdict}"]
    out.append(
        f"by {c.basis}: the executions whose business dates fall in {c.month}, each replay in the week of"
        " its first date"
    )
    out.append(signoff_summary(c.signoffs, tz))
    out += ["", f"{h}Replays ({c.replay_total}; previous month {c.replay_total_previous})"]
    rows = []
    for job, kinds in sorted(c.replays.items()):
        for kind, weeks in sorted(kinds.items()):
            rows.append(
                [
                    job,
                    kind,
                    *(str(w) for w in weeks),
                    str(sum(weeks)),
                    str(c.replays_previous.get(job, {}).get(kind, 0)),
                ]
            )
    for job, previous in sorted(c.replays_previous.items()):
        for kind, count in sorted(previous.items()):
            if kind not in c.replays.get(job, {}):
                rows.append([job, kind, "0", "0", "0", "0", "0", "0", str(count)])
    out += (
        _table(["JOB", "KIND", "W1", "W2", "W3", "W4", "W5", "TOTAL", "PREV"], rows, markdown)
        if rows
        else [f"{bullet}none"]
    )
    per_day = c.failures_per_day
    worst = max(per_day, default=0)
    out += [
        "",
        f"{h}Failures per business day",
        f"{bullet}{sum(per_day)} in {len(per_day)} day(s)"
        + (f"; most {worst} on day {per_day.index(worst) + 1}" if worst else "")
        + (f": {' '.join(str(n) for n in per_day)}" if worst else ""),
    ]
    out += ["", f"{h}Recurring errors"]
    rows = [
        [
            e.code,
            e.title or "",
            str(e.failures),
            str(e.previous),
            e.trend,
            ", ".join(e.jobs),
            e.first_seen[:10],
            e.last_seen[:10],
        ]
        for e in c.errors
    ]
    out += (
        _table(["CODE", "TITLE", "COUNT", "PREV", "TREND", "JOBS", "FIRST", "LAST"], rows, markdown)
        if rows
        else [f"{bullet}none"]
    )
    mttr = human_duration(timedelta(seconds=c.mttr_seconds)) if c.mttr_seconds is not None else "n/a"
    out += [
        "",
        f"{h}Recovery",
        f"{bullet}mean time to recovery: {mttr} over {c.recovered} recovered failure(s)"
        f" (from each failure's end to its last fix); {c.still_open} still open",
    ]
    out += ["", f"{h}Manual interventions"]
    if not c.interventions:
        out.append(f"{bullet}none")
    for operator, actions in sorted(c.interventions.items()):
        out.append(f"{bullet}{operator}: " + ", ".join(f"{a} {n}" for a, n in sorted(actions.items())))
    out += _signoff_section(c, h, bullet, tz)
    return "\n".join(out) + "\n"


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        return lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return table(headers, rows).splitlines()
