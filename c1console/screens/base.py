"""The base of every full screen: its host and services (``Hosted``), live hooks and the read-only rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from c1console.screens.keys import Key
from c1console.screens.services import Hosted
from c1console.screens.workers import DbCalls

if TYPE_CHECKING:
    from c1console.queries import Execution


class ConsoleScreen(Hosted, DbCalls, Screen[None]):
    """Screens the app keeps up to date: it calls ``executions_changed`` with the executions a NOTIFY
    named, ``audit_changed`` with new audit ids, ``poll`` when it must re-read (no listener, after a
    pause or an outage) and ``tick`` every second while live."""

    KEYS: ClassVar[tuple[Key, ...]] = ()
    _poll_worker: Worker[Any] | None = None

    def now(self) -> datetime:
        return self.services.clock()

    @property
    def tz(self) -> tzinfo | None:
        return self.services.tz

    def today(self) -> date:
        return self.now().date()

    def on_mount(self) -> None:
        self.host.add_live_screen(self)

    def on_unmount(self) -> None:
        self.host.remove_live_screen(self)

    def allowed(self, action: str) -> bool:
        """True when this operator may act; else a notification says why (nothing is written)."""
        if self.host.can_act:
            return True
        self.notify(self.services.actions.refusal(action), severity="error", title="refused", timeout=8)
        return False

    def polling(self) -> bool:
        """Whether a previous poll is still running (a slow or unreachable database is not piled on)."""
        worker = self._poll_worker
        return worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING)

    def executions_changed(self, rows: Sequence[Execution]) -> None:
        pass

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        pass

    def poll(self) -> None:
        pass

    def tick(self) -> None:
        pass
