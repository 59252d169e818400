"""Database calls in thread workers: the result (or the failure) comes back, typed, on the UI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from textual.widget import Widget
from textual.worker import Worker, WorkerState

from c1console import errors
from c1console.screens.cells import one_line

log = logging.getLogger("c1console.console")
T = TypeVar("T")
Failed = Callable[[BaseException], None]


def problem_text(exc: BaseException) -> str:
    """What an operator reads about a failed call: the Problem's own line, else the exception in one line."""
    if isinstance(exc, errors.Problem):
        return str(exc)
    detail = one_line(str(exc), 160)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def database_down(exc: BaseException) -> bool:
    """A failure of the database connection (as opposed to a refusal or a bug)."""
    if isinstance(exc, errors.DatabaseUnavailable):
        return True
    return not isinstance(exc, errors.Problem) and errors.classify(exc) == errors.SYSTEM_FAILURE


class DatabaseHealth(Protocol):
    """What the app is told after each call: the header says "database unavailable" until one succeeds."""

    def database_reachable(self) -> None: ...

    def database_unreachable(self, exc: BaseException) -> None: ...


class DbCalls:
    """Mixin for screens: blocking calls run in thread workers; results come back on the UI thread.

    ``done`` gets the result; ``failed`` (default: an error notification) gets the exception. Connection
    failures also tell the app, which shows "database unavailable — retrying" until a call succeeds
    (``health=False``: a call whose success proves nothing about the database).
    """

    _db_callbacks: dict[Worker[Any], tuple[Callable[[Any], None], Failed | None, bool]]

    def call_db(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        *,
        failed: Failed | None = None,
        group: str = "db",
        exclusive: bool = False,
        health: bool = True,
    ) -> Worker[T]:
        node = cast(Widget, self)
        if not hasattr(self, "_db_callbacks"):
            self._db_callbacks = {}
        worker = node.run_worker(work, thread=True, exit_on_error=False, group=group, exclusive=exclusive)
        self._db_callbacks[worker] = (done, failed, health)
        return worker

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        callbacks = getattr(self, "_db_callbacks", {})
        entry = callbacks.get(event.worker)
        if entry is None:
            return
        app = cast(Widget, self).app
        health = cast(DatabaseHealth, app)
        done, failed, tells_health = entry
        if event.state == WorkerState.SUCCESS:
            del callbacks[event.worker]
            if tells_health:
                health.database_reachable()
            done(event.worker.result)
        elif event.state == WorkerState.ERROR:
            del callbacks[event.worker]
            exc = event.worker.error or RuntimeError("worker failed")
            if database_down(exc):
                health.database_unreachable(exc)
            elif not isinstance(exc, errors.Problem):
                log.error("console call failed", exc_info=exc)
            if failed is not None:
                failed(exc)
            elif not database_down(exc):
                app.notify(problem_text(exc), severity="error", timeout=8)
        elif event.state == WorkerState.CANCELLED:
            del callbacks[event.worker]
