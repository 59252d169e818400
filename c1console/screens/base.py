"""The base of every full screen: header, key bar, live hooks and the read-only rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, ClassVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from c1console.screens.widgets import DbCalls, Key
from c1console.store.executions import Execution

if TYPE_CHECKING:
    from c1console.screens.app import ConsoleApp


class ConsoleScreen(DbCalls, Screen[None]):
    """Screens the app keeps up to date: it calls ``executions_changed`` with the executions a NOTIFY
    named, ``audit_changed`` with new audit ids, ``poll`` when it must re-read (no listener, after a
    pause or an outage) and ``tick`` every second while live."""

    KEYS: ClassVar[tuple[Key, ...]] = ()
    _poll_worker: Worker[object] | None = None

    @property
    def console(self) -> ConsoleApp:
        return cast("ConsoleApp", self.app)

    def now(self) -> datetime:
        return self.console.clock()

    @property
    def tz(self) -> tzinfo | None:
        return self.console.tz

    def today(self) -> date:
        return self.now().date()

    def on_mount(self) -> None:
        self.console.live_screens.add(self)

    def on_unmount(self) -> None:
        self.console.live_screens.discard(self)

    def allowed(self, action: str) -> bool:
        """True when this operator may act; else a notification says why (nothing is written)."""
        if self.console.can_act:
            return True
        self.notify(self.console.actions.refusal(action), severity="error", title="refused", timeout=8)
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
