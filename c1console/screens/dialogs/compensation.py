"""Request a compensation: a corrected result for one key (job, business date, target), with its evidence;
another operator with the approver role decides it (the compensations screen, ``c``).

The first ``enter`` reads the payload (``@FILE`` too) and the evidence files in a worker with the reader
``comp request`` uses (c1console/evidence.py), then runs ``ops.request_compensation(dry_run=True)`` with
everything typed: every check the request makes (reason, JSON object, evidence, size, role, job, target).
The preview then shows what will be requested, the files with their size and SHA-256; the second ``enter``
requests exactly those bytes. Nothing is read or checked against the database while typing: the preview
area says only what is wrong with the fields themselves (a date that is not one).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from c1console.errors import BadInput, Problem
from c1console.evidence import read_payload, split_paths
from c1console.inputs import DATE_FORMS, parse_date, parse_reason
from c1console.screens.cells import one_line
from c1console.screens.dialogs.base import ActionDialog, Done, field
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console import ops

HINT = "enter reads the files and checks everything; the preview then shows what will be requested"
# ops' hints name the command line's flags; the dialog names its own fields.
CONSOLE_WORDS = {
    "give --evidence-ref (ticket, document) and/or --attach FILE": "fill in evidence and/or files",
    "see the job's targets in c1console jobs list": "check the target: the job must run for it on that date",
    "see c1console jobs list": "the jobs screen (2) lists the jobs",
}


def size_text(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB"


@dataclass(frozen=True)
class RequestParams:
    job_id: str
    business_date: date
    target: str
    payload: str  # as typed: a JSON object, or @FILE
    evidence_ref: str | None
    files: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.job_id} {self.business_date} {self.target}"


@dataclass(frozen=True)
class RequestReview:
    """What the first enter read and ops checked: the payload's text and the files' bytes, requested as
    they are by the second enter."""

    params: RequestParams
    payload: str
    attachments: tuple[ops.Attachment, ...]


@dataclass(frozen=True)
class Requested(Done):
    compensation_id: int | None = None


class RequestDialog(ActionDialog):
    HEADING = "Request a compensation"
    VERB = "request"

    def __init__(self, jobs: Sequence[str], job_id: str | None = None) -> None:
        super().__init__()
        self.jobs = list(jobs)
        self.job_id = job_id if job_id in self.jobs else (self.jobs[0] if self.jobs else None)

    def what(self) -> Text:
        return Text(
            "A corrected result for one key. It waits for another operator with the approver role; "
            "approved, it becomes the key's active result.",
            style="dim",
        )

    def form(self) -> ComposeResult:
        yield field(
            "job",
            "job",
            Select(
                [(j, j) for j in self.jobs],
                value=self.job_id if self.job_id else Select.NULL,
                allow_blank=not self.jobs,
                id="job",
                compact=True,
                prompt="no jobs known yet",
            ),
        )
        boxes = (
            ("date", "date", f"business date: {DATE_FORMS}"),
            ("target", "target", "account / portfolio, e.g. PF-004"),
            ("payload", "payload", 'corrected result: JSON object like {"nav": 101.25}, or @FILE'),
            ("evidence", "evidence", "ticket or document reference, e.g. OPS-2214"),
            ("files", "files", "evidence files on this machine, comma-separated paths"),
        )
        for name, label, hint in boxes:
            yield field(name, label, Input(placeholder=hint, id=name, compact=True))

    def on_mount(self) -> None:
        # Textual runs the base's on_mount too (it focuses the reason); the date comes after it: the job is
        # chosen already, the key is typed first and the reason last.
        self.call_after_refresh(self._focus_date)

    def _focus_date(self) -> None:
        box = next(self.query("#date").results(Input), None)
        if box is not None:  # None: opened as the console quits, never composed
            box.focus()

    def text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def params(self) -> RequestParams:
        job = self.query_one("#job", Select).value
        if job is Select.NULL:
            raise BadInput("no job to correct", hint="no jobs are known yet")
        day = self.text("date")
        if not day.strip():
            raise BadInput("a business date is required", hint=f"type {DATE_FORMS}")
        business_date = parse_date(day, "date", today=self.today())
        target = self.text("target").strip()
        if not target:
            raise BadInput("a target is required", hint="type the account or portfolio of the key")
        payload = self.text("payload").strip()
        if not payload:
            raise BadInput("a payload is required", hint='type a JSON object, e.g. {"nav": 101.25}')
        ref = parse_reason(self.text("evidence"), required=False)
        files = tuple(split_paths(self.text("files")))
        if not ref and not files:
            raise BadInput("a compensation needs evidence", hint="fill in evidence and/or files")
        return RequestParams(str(job), business_date, target, payload, ref, files)

    # No preview while typing (the reason is required and files are read only on enter): the preview area
    # says what enter does, or that the date typed is not one. What is missing is said on enter.
    def refresh_preview(self) -> None:
        self._preview_timer = None
        self.preview, self.preview_params, self.preview_problem = None, None, None
        day = self.text("date")
        if day.strip():
            try:
                parse_date(day, "date", today=self.today())
            except Problem as problem:
                self.preview_problem = str(problem)
        self.show_preview()

    def show_preview(self) -> None:
        if self.preview is None and self.preview_problem is None:
            self.query_one("#preview", Static).update(Text(HINT, style="dim"))
        else:
            super().show_preview()

    def problem_of(self, exc: BaseException) -> str:
        text = problem_text(exc)
        for cli, console in CONSOLE_WORDS.items():
            text = text.replace(cli, console)
        return text

    def _request(self, review: RequestReview, reason: str | None, dry_run: bool) -> int:
        p = review.params
        return self.services.actions.request_compensation(
            job_id=p.job_id,
            business_date=p.business_date,
            target=p.target,
            payload=review.payload,
            reason=reason,
            evidence_ref=p.evidence_ref,
            attachments=review.attachments,
            dry_run=dry_run,
        )

    def dry_run(self, params: RequestParams, reason: str | None) -> RequestReview:
        """In a worker: read the payload file and the evidence files, then ops' dry run with them."""
        review = RequestReview(
            params,
            read_payload(params.payload),
            tuple(self.services.actions.read_evidence(params.files)),
        )
        self._request(review, reason, dry_run=True)
        return review

    def preview_renderable(self, preview: Any) -> Text:
        review: RequestReview = preview
        p = review.params
        try:
            body = json.dumps(json.loads(review.payload), ensure_ascii=False)  # as ops stores it
        except ValueError:
            body = review.payload
        text = Text.assemble(("will request ", "bold"), (p.key, "bold"))
        text.append("\npayload  ", style="dim")
        text.append(one_line(body, 300))
        text.append("\nevidence ", style="dim")
        parts = [f"ref {p.evidence_ref}"] if p.evidence_ref else []
        parts += [
            f"{a.filename} ({size_text(len(a.content))}, sha256 {a.sha256[:12]}…)" for a in review.attachments
        ]
        text.append("; ".join(parts))
        return text

    def confirm_words(self) -> str:
        return "request this compensation"  # its key heads the preview, just above

    def perform(self, params: RequestParams, reason: str | None) -> Done:
        review = self.preview
        if not isinstance(review, RequestReview) or review.params != params:  # armed means reviewed
            raise BadInput("the request changed since it was checked", hint="press enter to check it again")
        comp_id = self._request(review, reason, dry_run=False)
        return Requested(
            f"compensation #{comp_id} requested: {params.key}; another operator with the approver role "
            "decides it",
            compensation_id=comp_id,
        )
