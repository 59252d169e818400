"""Checklist sign-offs and exports in the console (issue 16).

Every sign-off is kept: the screens list them all, newest first; `S` on a signed period says "already signed
by … at …" when the dialog opens, and the question says it ADDs one. `e` writes what is on screen as the
CLI's Markdown to a new file and says where. Against the real database where behaviour is tested; on the
fixed fakes for the export and the rendering.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from c1console import checklists, ops
from c1console.presentation import timestamp
from c1console.queries import ConsoleQueries
from c1console.screens import dialogs
from c1console.screens.app import ConsoleApp, HeaderInfo
from c1console.screens.checklists import ChecklistScreen, DailyScreen, MonthlyScreen
from c1console.screens.export import Place, write_new
from c1console.store.engine import Database
from tests.console import fixed
from tests.console.fixed.checklists import daily_signoffs
from tests.runtime import session, wait_for

DAY = date(2026, 11, 3)  # nothing failed: the checklist is OK
SIZE = (120, 40)


def console(db: Database, who: ops.Session) -> ConsoleApp:
    header = HeaderInfo(database=db.display, runner_mode="embedded", operator=who.operator, role=who.role)
    queries = ConsoleQueries(db)
    return ConsoleApp(queries, who, header, listen=queries.listen)


def said(app: ConsoleApp) -> list[tuple[str, str]]:
    """Every notification from now on, with its severity."""
    notes: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message: str, **kw: Any) -> None:
        notes.append((message, kw.get("severity", "information")))
        notify(message, **kw)

    app.notify = recording  # type: ignore[method-assign]
    return notes


def text_of(widget: Static) -> str:
    return str(widget.render())


async def daily_of(pilot: Pilot[Any], app: ConsoleApp, day: date, signoffs: int) -> DailyScreen:
    """The daily screen on ``day`` once it shows that many sign-offs."""
    await pilot.press("4")
    screen = await wait_for(pilot, lambda: isinstance(app.screen, DailyScreen) and app.screen)
    if screen.period != day:
        screen.period = day
        screen.load()
    await wait_for(
        pilot,
        lambda: (
            screen.checklist is not None
            and screen.checklist.business_date == day
            and len(screen.checklist.signoffs) == signoffs
        ),
        what=f"the daily checklist of {day} with {signoffs} sign-off(s)",
    )
    return screen


async def sign_dialog(pilot: Pilot[Any], app: ConsoleApp) -> dialogs.SignDialog:
    await pilot.press("S")
    return await wait_for(
        pilot,
        lambda: isinstance(app.screen, dialogs.SignDialog) and app.screen.query("#reason") and app.screen,
        what="the sign dialog",
    )


async def review(pilot: Pilot[Any], dialog: dialogs.SignDialog, comment: str) -> str:
    """Types the comment, presses enter once; the status line once the review has answered."""
    box = dialog.query_one("#reason", Input)
    box.value = comment
    box.focus()
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: dialog.reviewing is None and (dialog.armed is not None or dialog.refusal is not None),
        what="the review",
    )
    return text_of(dialog.query_one("#dialog-status", Static))


def signoff_rows(raw: psycopg.Connection, day: date) -> list[tuple[str, str]]:
    return raw.execute(
        "SELECT signed_by, comment FROM c1.checklist_signoff WHERE kind = 'DAILY' AND period = %s"
        " ORDER BY signoff_id",
        (day.isoformat(),),
    ).fetchall()


def sign_audits(raw: psycopg.Connection, day: date) -> int:
    return raw.execute(
        "SELECT count(*) FROM c1.audit_log WHERE action = 'checklist.sign' AND object_id = %s",
        (f"daily:{day}",),
    ).fetchone()[0]


# Against the database ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_signing_a_signed_day_says_so_first_and_keeps_both(
    db: Database, alice: ops.Session, raw: psycopg.Connection
) -> None:
    app = console(db, alice)
    async with app.run_test(size=SIZE) as pilot:
        screen = await daily_of(pilot, app, DAY, 0)
        assert "⚠ not signed" in text_of(screen.query_one("#info", Static))
        dialog = await sign_dialog(pilot, app)
        assert "already" not in text_of(dialog.query_one("#dialog-what", Static))
        status = await review(pilot, dialog, "all green at 08:00")
        assert status.startswith(f"press enter again to sign the {DAY} checklist")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        await wait_for(pilot, lambda: len(screen.checklist.signoffs) == 1, what="the first sign-off")
        [(first_at,)] = raw.execute("SELECT signed_at FROM c1.checklist_signoff").fetchall()
        first = timestamp(first_at, app.services.tz)
        assert f"✔ signed by alice at {first}" in text_of(screen.query_one("#info", Static))

        # again: the dialog says it when it opens, before the first enter's review
        dialog = await sign_dialog(pilot, app)
        what = text_of(dialog.query_one("#dialog-what", Static))
        assert f"already signed by alice at {first}" in what and "adds another sign-off" in what
        assert dialog.armed is None and dialog.reviewing is None
        status = await review(pilot, dialog, "looked again after the late feed")
        assert status.startswith(f"press enter again to ADD a second sign-off to the {DAY} checklist")
        assert signoff_rows(raw, DAY) == [("alice", "all green at 08:00")]  # the review wrote nothing
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        await wait_for(pilot, lambda: len(screen.checklist.signoffs) == 2, what="both sign-offs on screen")
        second_at = raw.execute("SELECT max(signed_at) FROM c1.checklist_signoff").fetchone()[0]
        second = timestamp(second_at, app.services.tz)
        assert f"✔ 2 sign-offs, latest by alice at {second}" in text_of(screen.query_one("#info", Static))
        rest = text_of(screen.query_one("#daily-rest", Static))
        history = rest.split("Sign-offs  2 · newest first\n", 1)[1].splitlines()
        assert history == [
            f"  ✔ {second} alice: looked again after the late feed",
            f"  ✔ {first} alice: all green at 08:00",
        ]
    assert signoff_rows(raw, DAY) == [
        ("alice", "all green at 08:00"),
        ("alice", "looked again after the late feed"),
    ]
    assert sign_audits(raw, DAY) == 2


@pytest.mark.anyio
async def test_a_sign_off_made_while_the_question_is_asked_is_refused_then_named(
    db: Database, db_url: str, alice: ops.Session, raw: psycopg.Connection
) -> None:
    """Armed to sign a day nobody had signed; bob signs it meanwhile: confirming refuses (it would add a
    second sign-off the question never announced); the next review names bob's."""
    app = console(db, alice)
    async with app.run_test(size=SIZE) as pilot:
        await daily_of(pilot, app, DAY, 0)
        dialog = await sign_dialog(pilot, app)
        status = await review(pilot, dialog, "all green at 08:00")
        assert status.startswith(f"press enter again to sign the {DAY} checklist")
        bob = session(db, alice.settings, alice.registry, operator="bob")
        ops.sign_checklist(bob, checklists.daily(db, DAY), "signed from the CLI")
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.refusal is not None, what="the refusal")
        assert "was signed meanwhile by bob" in text_of(dialog.query_one("#dialog-status", Static))
        assert signoff_rows(raw, DAY) == [("bob", "signed from the CLI")]
        status = await review(pilot, dialog, "all green at 08:00")
        assert status.startswith(f"press enter again to ADD a second sign-off to the {DAY} checklist")
        assert "already signed by bob at" in text_of(dialog.query_one("#dialog-what", Static))
    assert sign_audits(raw, DAY) == 1


# Export, on the fixed fakes ------------------------------------------------------------------------------


class SignedTwice(fixed.FixedQueries):
    def daily(self, day: date, *, tz: str = "UTC", lang: str = "en", **more: Any) -> checklists.Daily:
        return replace(super().daily(day, tz=tz, lang=lang, **more), signoffs=daily_signoffs())


async def loaded(
    pilot: Pilot[Any], app: ConsoleApp, key: str, kind: type[ChecklistScreen]
) -> ChecklistScreen:
    await pilot.press(key)
    return await wait_for(
        pilot,
        lambda: isinstance(app.screen, kind) and app.screen.checklist is not None and app.screen,
        what=f"the {kind.__name__}",
    )


@pytest.mark.anyio
async def test_export_writes_the_markdown_on_screen_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    taken = tmp_path / "c1-daily-2026-11-02.md"
    taken.write_text("an operator's own notes\n")
    app = fixed.build_app(queries=SignedTwice())
    async with app.run_test(size=SIZE) as pilot:
        notes = said(app)
        daily = await loaded(pilot, app, "4", DailyScreen)
        await pilot.press("e")
        await wait_for(pilot, lambda: notes, what="the notification")
        written = tmp_path / "c1-daily-2026-11-02-1.md"
        assert notes == [(f"exported to {written}", "information")]
        expected = checklists.render_daily(daily.checklist, markdown=True, tz=app.services.tz)
        assert written.read_text() == expected
        assert "## Sign-offs (2, newest first)" in expected and "- 2026-11-03 09:10:00 carol: " in expected
        assert taken.read_text() == "an operator's own notes\n"  # never overwritten
        await pilot.press("e")
        await wait_for(pilot, lambda: len(notes) == 2, what="the second notification")
        assert notes[1] == (f"exported to {tmp_path / 'c1-daily-2026-11-02-2.md'}", "information")

        monthly = await loaded(pilot, app, "5", MonthlyScreen)
        await pilot.press("e")
        await wait_for(pilot, lambda: len(notes) == 3, what="the monthly's notification")
        month = tmp_path / "c1-monthly-2026-10.md"
        assert notes[2] == (f"exported to {month}", "information")
        assert month.read_text() == checklists.render_monthly(
            monthly.checklist, markdown=True, tz=app.services.tz
        )
        assert month.read_text().startswith("# Monthly checklist 2026-10: ATTENTION\n")


@pytest.mark.anyio
async def test_a_viewer_exports_too_and_an_unwritable_place_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the directory the console was started in was removed since
    app = fixed.build_app(role="viewer")
    async with app.run_test(size=SIZE) as pilot:
        notes = said(app)
        await loaded(pilot, app, "4", DailyScreen)
        await pilot.press("e")  # no data directory in this console either
        await wait_for(pilot, lambda: notes, what="the refusal")
        [(message, severity)] = notes
        assert severity == "error" and "\n" not in message
        assert message == (
            "export failed, nothing written — the current directory: it no longer exists;"
            " the data directory: none in this console"
        )
        data = tmp_path / "data"
        settings = replace(app.services.settings, data_dir=data)
        app.services = replace(app.services, settings=settings)
        await pilot.press("e")
        await wait_for(pilot, lambda: len(notes) == 2, what="the export")
        written = data / "c1-daily-2026-11-02.md"
        assert notes[1] == (
            f"exported to {written} (the current directory: it no longer exists)",
            "information",
        )
        assert written.read_text().startswith("# Daily checklist 2026-11-02: ATTENTION\n")


def test_export_goes_to_the_next_place_when_one_refuses(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    done = write_new(
        "text\n", "c1-daily-2026-11-02", ".md", [Place("here", not_a_dir), Place("there", tmp_path)]
    )
    assert done.path == tmp_path / "c1-daily-2026-11-02.md" and done.path.read_text() == "text\n"
    assert done.fallback is not None and done.fallback.startswith(f"here {not_a_dir}: ")
