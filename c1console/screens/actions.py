"""The console's only way to change anything: a thin adapter over ``c1console.ops``.

Every method is a blocking call made from a thread worker. Each write takes ``dry_run``: every check the
write makes (reason, role, state), nothing written — what a dialog's first ``enter`` runs. The adapter
exists so that the screens talk to one narrow object (tests of the rendering swap it for canned answers)
and so that the read-only rule lives in one place: with no session, or a viewer's, ``can_act`` is False
and ``refusal`` says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from c1console import evidence, ops
from c1console.checklists import Daily, Monthly
from c1console.config import Settings
from c1console.errors import Refused
from c1console.jobs import Registry
from c1console.requests import ReplayRequest

Outcome = ops.Created | ops.Preview
SAFE = ops.Redo()  # leave out what was fixed since and what a compensation wrote

# What each action is called in a refusal ("alice is viewer and cannot <doing>").
DOING = {
    "trigger": "trigger a job",
    "stop": "stop an execution",
    "resume": "resume an execution",
    "replay": "replay",
    "pause_job": "pause or resume a job",
    "rollback": "roll back an execution",
    "sign": "sign a checklist",
    "decide": "approve or reject compensations",
    "acknowledge": "acknowledge a failure",
    "request": "request a compensation",
}
DEFAULT_EVIDENCE_LIMIT = Settings.evidence_max_bytes  # a console without a session (it is refused anyway)


class Actions:
    def __init__(self, session: ops.Session | None) -> None:
        self.session = session

    @property
    def registry(self) -> Registry:
        return self.session.registry if self.session is not None else Registry()

    def can_act(self) -> bool:
        """Whether the operator may change anything (may query the role once; call from a worker)."""
        return self.session is not None and self.session.can("operator")

    def refusal(self, action: str) -> str:
        """Why this console refuses ``action`` (one line, the same words the CLI uses)."""
        doing = DOING.get(action, action)
        if self.session is None:
            return f"this console is read-only and cannot {doing} — open it as an operator to act"
        try:
            ops.require(self.session, "operator", doing)
        except Refused as problem:
            return str(problem)
        return f"cannot {doing}"

    def _session(self) -> ops.Session:
        if self.session is None:
            raise Refused("this console is read-only", hint="open it as an operator to act")
        return self.session

    def trigger(
        self,
        job_id: str,
        *,
        date_from: date | None,
        date_to: date | None,
        targets: Sequence[str] | None,
        reason: str | None,
        dry_run: bool,
    ) -> Outcome:
        return ops.trigger(
            self._session(),
            job_id,
            date_from=date_from,
            date_to=date_to,
            targets=targets,
            reason=reason,
            dry_run=dry_run,
        )

    def replay(
        self, request: ReplayRequest, *, reason: str | None, dry_run: bool = False, redo: ops.Redo = SAFE
    ) -> Outcome:
        return ops.replay(self._session(), request, reason=reason, dry_run=dry_run, redo=redo)

    def replay_many(
        self,
        execution_ids: Sequence[int],
        *,
        reason: str | None,
        dry_run: bool = False,
        redo: ops.Redo = SAFE,
    ) -> list[ops.Created] | list[ops.Preview]:
        return ops.replay_many(self._session(), execution_ids, reason=reason, dry_run=dry_run, redo=redo)

    def resume(
        self, execution_id: int, reason: str | None, *, dry_run: bool, redo: ops.Redo = SAFE
    ) -> Outcome:
        return ops.resume(self._session(), execution_id, reason, dry_run=dry_run, redo=redo)

    def acknowledge(self, execution_id: int, reason: str | None, *, dry_run: bool = False) -> None:
        ops.acknowledge(self._session(), execution_id, reason, dry_run=dry_run)

    def stop(self, execution_id: int, reason: str | None, *, dry_run: bool = False) -> str:
        return ops.stop(self._session(), execution_id, reason, dry_run=dry_run)

    def set_job_paused(self, job_id: str, paused: bool, reason: str | None, *, dry_run: bool = False) -> None:
        ops.set_job_paused(self._session(), job_id, paused, reason, dry_run=dry_run)

    def rollback(self, execution_id: int, reason: str | None, *, dry_run: bool) -> ops.RollbackPreview:
        return ops.rollback(self._session(), execution_id, reason, dry_run=dry_run)

    def sign_checklist(
        self,
        checklist: Daily | Monthly,
        comment: str | None,
        *,
        dry_run: bool = False,
        seen: int | None = None,
    ) -> int | ops.SignPreview:
        return ops.sign_checklist(self._session(), checklist, comment, dry_run=dry_run, seen=seen)

    def decide_compensation(
        self, compensation_id: int, *, approve: bool, note: str | None, dry_run: bool = False
    ) -> int | None:
        return ops.decide_compensation(
            self._session(), compensation_id, approve=approve, note=note, dry_run=dry_run
        )

    def read_evidence(self, paths: Sequence[str]) -> list[ops.Attachment]:
        """The evidence files, read here (in the worker) with this console's size limit; the bytes read are
        the bytes requested, so what the review showed is what is stored."""
        limit = self.session.settings.evidence_max_bytes if self.session else DEFAULT_EVIDENCE_LIMIT
        return evidence.read_attachments(paths, limit)

    def request_compensation(
        self,
        *,
        job_id: str,
        business_date: date,
        target: str,
        payload: str,
        reason: str | None,
        evidence_ref: str | None,
        attachments: Sequence[ops.Attachment],
        dry_run: bool = False,
    ) -> int:
        return ops.request_compensation(
            self._session(),
            job_id=job_id,
            business_date=business_date,
            target=target,
            payload=payload,
            reason=reason,
            evidence_ref=evidence_ref,
            attachments=attachments,
            dry_run=dry_run,
        )
