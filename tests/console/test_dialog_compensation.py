"""Requesting a compensation from the console (issue 16): `c` on the compensations screen opens the dialog;
the first enter reads the payload and the evidence files (c1console/evidence.py, as `comp request` does)
and runs ops' dry run with everything typed, so every refusal comes there — never after "press enter
again"; the second enter requests exactly the bytes reviewed, and the new row is selected.

On fixed data (FixedActions refuses what ops refuses, with its words), then once on the real database."""

from __future__ import annotations

import hashlib
import os
import pwd
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from c1console import ops
from c1console.errors import BadInput
from c1console.evidence import read_attachments
from c1console.queries import ConsoleQueries
from c1console.screens import dialogs
from c1console.screens.app import ConsoleApp, HeaderInfo
from c1console.screens.compensations import CompensationsScreen
from c1console.screens.executions import ExecutionsScreen
from c1console.store.engine import Database
from tests.console import fixed
from tests.console.fixed.actions import EVIDENCE_LIMIT, NEW_COMPENSATION_ID
from tests.runtime import session, wait_for

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
ARMED = "press enter again"
ME = pwd.getpwuid(os.geteuid()).pw_name  # who the console acts as: the effective OS user
LETTER = b"KSD custody: PF-004 NAV on 2026-11-02 restated to 101.25 KRW\n"


def status_of(dialog: dialogs.RequestDialog) -> str:
    return str(dialog.query_one("#dialog-status", Static).render())


def preview_of(dialog: dialogs.RequestDialog) -> str:
    return str(dialog.query_one("#preview", Static).render())


class Said:
    """Everything the dialog's status line said: "press enter again" must never be among it."""

    def __init__(self, dialog: dialogs.RequestDialog) -> None:
        self.lines: list[str] = []
        say = dialog.say

        def recording(text: Any, style: str = "") -> None:
            self.lines.append(str(text))
            say(text, style)

        dialog.say = recording  # type: ignore[method-assign]


async def open_dialog(pilot: Pilot[Any], app: ConsoleApp) -> dialogs.RequestDialog:
    """The compensations screen, then `c`: the dialog once it is composed."""
    await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.can_act, what="the home")
    await pilot.press("7")
    await wait_for(pilot, lambda: isinstance(app.screen, CompensationsScreen) and app.screen.loaded)
    await pilot.press("c")
    return await wait_for(
        pilot,
        lambda: isinstance(app.screen, dialogs.RequestDialog) and app.screen.query("#reason") and app.screen,
        what="the request dialog",
    )


def fill(dialog: dialogs.RequestDialog, **values: str) -> None:
    for name, value in values.items():
        dialog.query_one(f"#{name}", Input).value = value


async def first_enter(pilot: Pilot[Any], dialog: dialogs.RequestDialog) -> str:
    dialog.query_one("#reason", Input).focus()
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(
        pilot,
        lambda: dialog.reviewing is None and (dialog.armed is not None or dialog.refusal is not None),
        what="the review",
    )
    return status_of(dialog)


def calls(app: ConsoleApp, name: str, *, dry_run: bool | None = None) -> list[dict[str, Any]]:
    made = app.actions.calls  # type: ignore[attr-defined]
    return [c for n, c in made if n == name and (dry_run is None or c.get("dry_run") is dry_run)]


def good(tmp_path: Path) -> dict[str, str]:
    letter = tmp_path / "custodian-letter.txt"
    letter.write_bytes(LETTER)
    return {
        "date": "2026-11-02",
        "target": "PF-004",
        "payload": '{"nav": 101.25}',
        "evidence": "OPS-2231",
        "files": str(letter),
        "reason": "custodian restated the NAV",
    }


async def test_review_then_request_the_bytes_reviewed(tmp_path: Path) -> None:
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, app)
        assert dialog.query_one("#job", Select).value == fixed.VALUATION  # the selected compensation's job
        assert app.focused is dialog.query_one("#date", Input)
        values = good(tmp_path)
        fill(dialog, **values)
        status = await first_enter(pilot, dialog)
        assert status.startswith(ARMED) and "request this compensation" in status
        digest = hashlib.sha256(LETTER).hexdigest()
        [reviewed] = calls(app, "request", dry_run=True)
        assert reviewed == {
            "job_id": fixed.VALUATION,
            "business_date": date(2026, 11, 2),
            "target": "PF-004",
            "payload": '{"nav": 101.25}',
            "reason": "custodian restated the NAV",
            "evidence_ref": "OPS-2231",
            "files": [("custodian-letter.txt", digest)],
            "dry_run": True,
        }
        preview = preview_of(dialog)
        assert f"will request {fixed.VALUATION} 2026-11-02 PF-004" in preview
        assert f"custodian-letter.txt ({len(LETTER)} B, sha256 {digest[:12]}…)" in preview
        Path(values["files"]).write_bytes(b"changed after the review")  # the reviewed bytes are requested
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CompensationsScreen), what="the dialog to close")
        [requested] = calls(app, "request", dry_run=False)
        assert requested == {**reviewed, "dry_run": False}
        assert len(calls(app, "read_evidence")) == 1  # read once, at the first enter
        notices = [str(n.message) for n in app._notifications]
        assert any(f"compensation #{NEW_COMPENSATION_ID} requested" in n for n in notices), notices


def too_large(tmp_path: Path) -> dict[str, str]:
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"x" * (EVIDENCE_LIMIT + 1))
    return {"files": str(big)}


# A refusal: what to change from the good request, and the words the status line says (a long path is
# shown by its end: the file's name).
REFUSALS: dict[str, tuple[Callable[[Path], dict[str, str]], tuple[str, ...]]] = {
    "bad_json": (lambda _p: {"payload": "{nav: 101.25}"}, ("the payload is not valid JSON",)),
    "not_an_object": (lambda _p: {"payload": "[101.25]"}, ("the payload must be a JSON object",)),
    "missing_evidence": (
        lambda _p: {"evidence": "", "files": ""},
        ("a compensation needs evidence — fill in evidence and/or files",),
    ),
    "unknown_target": (
        lambda _p: {"target": "PF-999"},
        (
            "job portfolio_valuation has no target 'PF-999'",
            "— check the target: the job must run for it on that date",
        ),
    ),
    "unreadable_file": (
        lambda p: {"files": str(p / "missing.pdf")},
        ("cannot read evidence file ", "/missing.pdf: No such file or directory"),
    ),
    "a_directory": (lambda p: {"files": str(p)}, ("evidence file ", " is not a regular file")),
    "file_too_large": (
        too_large,
        ("evidence file ", f"/scan.pdf is {EVIDENCE_LIMIT + 1} bytes — the limit is {EVIDENCE_LIMIT} bytes"),
    ),
    "payload_file_missing": (
        lambda p: {"payload": f"@{p}/nav.json"},
        ("cannot read the payload file ", "/nav.json: No such file or directory"),
    ),
    "no_reason": (lambda _p: {"reason": ""}, ("a reason is required — type a reason",)),
    "bad_date": (lambda _p: {"date": "2026-13-01"}, ("date: '2026-13-01' is not a date",)),
}


@pytest.mark.parametrize("name", list(REFUSALS))
async def test_the_first_enter_refuses_what_requesting_would(name: str, tmp_path: Path) -> None:
    change, expected = REFUSALS[name]
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(pilot, app)
        fill(dialog, **{**good(tmp_path), **change(tmp_path)})
        said = Said(dialog)
        status = await first_enter(pilot, dialog)
        assert all(words in status for words in expected), status
        assert dialog.armed is None and expected[-1] not in preview_of(dialog)  # said once
        await pilot.press("enter")  # again: still refused, nothing requested
        await wait_for(pilot, lambda: dialog.reviewing is None and dialog.refusal is not None)
        assert status_of(dialog) == status
        assert not any(ARMED in line for line in said.lines), said.lines
        assert not calls(app, "request", dry_run=False)
        assert app.screen is dialog


async def test_an_unknown_job_is_refused_at_the_first_enter(tmp_path: Path) -> None:
    """The job list was read when the dialog opened; a job that is not (or no longer) known is refused."""
    app = fixed.build_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot, app)
        app.pop_screen()
        dialog = dialogs.RequestDialog(["retired_job"], "retired_job")
        app.push_screen(dialog)
        await wait_for(pilot, lambda: app.screen is dialog and dialog.query("#reason"))
        fill(dialog, **{**good(tmp_path), "target": "T1"})
        status = await first_enter(pilot, dialog)
        assert "unknown job 'retired_job' — the jobs screen (2) lists the jobs" in status
        assert dialog.armed is None and not calls(app, "request", dry_run=False)


async def test_a_viewer_is_refused_before_the_dialog_opens() -> None:
    app = fixed.build_app(role="viewer")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExecutionsScreen) and app.screen.loaded)
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, CompensationsScreen) and app.screen.loaded)
        await pilot.press("c")
        await wait_for(pilot, lambda: any("refused" in n.title for n in app._notifications))
        assert isinstance(app.screen, CompensationsScreen)
        assert not calls(app, "request")


async def test_a_request_on_the_real_database_is_audited_as_the_os_user(
    db: Database, raw: psycopg.Connection, registry: Any, settings: Any, tmp_path: Path
) -> None:
    me = session(db, settings, registry, operator=ME, role="operator")
    ops.sync_jobs(me)
    letter = tmp_path / "statement.csv"
    letter.write_bytes(LETTER)
    header = HeaderInfo(database=db.display, runner_mode="none", operator=ME, role="operator")
    queries = ConsoleQueries(db)
    app = ConsoleApp(queries, me, header, listen=queries.listen)
    async with app.run_test(size=(120, 40)) as pilot:
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#job", Select).value = "noop"
        fill(
            dialog,
            date="2026-11-02",
            target="T2",
            payload='{"value": 7}',
            evidence="INC-4411",
            files=str(letter),
            reason="vendor price wrong",
        )
        await pilot.pause()
        status = await first_enter(pilot, dialog)
        assert status.startswith(ARMED), status
        assert raw.execute("SELECT count(*) FROM c1.compensation").fetchone()[0] == 0  # the dry run
        await pilot.press("enter")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, CompensationsScreen) and app.screen, what="the screen"
        )
        row = raw.execute(
            "SELECT compensation_id, job_id, target_key, payload, requested_by, status FROM c1.compensation"
        ).fetchone()
        assert row is not None
        comp_id = row[0]
        assert row[1:] == ("noop", "T2", {"value": 7}, ME, "PENDING")
        await wait_for(
            pilot,
            lambda: (chosen := screen.selected()) is not None and chosen.compensation_id == comp_id,
            what="the new row selected",
        )
        files = raw.execute(
            "SELECT filename, sha256, size_bytes FROM c1.compensation_evidence WHERE compensation_id = %s",
            (comp_id,),
        ).fetchall()
        assert files == [("statement.csv", hashlib.sha256(LETTER).hexdigest(), len(LETTER))]
        actor, details = raw.execute(
            "SELECT actor, details FROM c1.audit_log WHERE action = 'comp.request' AND object_id = %s",
            (str(comp_id),),
        ).fetchone()
        assert actor == ME
        assert details["evidence_ref"] == "INC-4411"
        assert [f["filename"] for f in details["evidence"]] == ["statement.csv"]


def test_the_shared_reader_refuses_devices_and_pipes_without_reading_them(tmp_path: Path) -> None:
    """What `comp request --attach` and the dialog share (c1console/evidence.py): a device or a FIFO would
    be read for ever (or block); each is refused from its stat, at once, naming the file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for name in ("/dev/zero", str(fifo)):
        with pytest.raises(BadInput, match="is not a regular file"):
            read_attachments([name], EVIDENCE_LIMIT)
    letter = tmp_path / "a.txt"
    letter.write_bytes(LETTER)
    [attachment] = read_attachments([str(letter)], len(LETTER))  # exactly the limit: accepted
    assert (attachment.filename, attachment.content) == ("a.txt", LETTER)
    with pytest.raises(BadInput, match=f"is {len(LETTER)} bytes"):
        read_attachments([str(letter)], len(LETTER) - 1)
