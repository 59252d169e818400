"""Pass 2: what the row writers share: the planned world, the COPY cursor, the row counts, and the audit
rows and notifications collected on the way (written last, in time order)."""

from __future__ import annotations

from typing import Any

import psycopg

from bench.generate.copy_format import Copier
from bench.generate.parameters import GENESIS
from bench.generate.plan import World

AuditRow = tuple[int, str, str, str, str, int | None, str | None, dict[str, Any]]
Notification = tuple[int, str, str, int, int | None, dict[str, Any]]


class Writer:
    def __init__(self, world: World, cur: psycopg.Cursor[Any]) -> None:
        self.w = world
        self.cur = cur
        self.counts: dict[str, int] = {}
        self.audit: list[AuditRow] = []
        self.notifications: list[Notification] = []
        # Set by the stages, read by later ones and by the loader's figures.
        self.comp_result: dict[int, int] = {}  # compensation id -> its result id
        self.log_id = 0
        self.result_count = 0
        self.signoff_count = 0
        self.notification_count = 0
        self.audit_head = GENESIS

    def copier(self, table: str, columns: str) -> Copier:
        return Copier(self.cur, table, columns)

    def done(self, copier: Copier) -> None:
        self.counts[copier.table] = self.counts.get(copier.table, 0) + copier.close()
