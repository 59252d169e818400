"""Opening the console: decide the runner mode, route logs to a file, run the Textual app, end on SIGHUP."""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from c1console import identity, ops
from c1console.queries import ConsoleQueries
from c1console.scheduler.runner import Runner
from c1console.scheduler.service import detach_from_dead_terminal
from c1console.store import runners
from c1console.store.engine import connection

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger("c1console.launch")
EXIT_GRACE_SECONDS = 10.0  # after SIGHUP, how long the app may take to end before the watchdog steps in
EXIT_LINGER_SECONDS = 15.0  # after the app ended, how long stopping the runner and exiting may take
EXIT_STUCK = 5  # the internal-error exit code (c1console.cli.entry.EXIT_INTERNAL)
TERMINAL_GONE = (errno.EIO, errno.EPIPE)  # what writing to a hung-up terminal or a closed pipe raises


def log_to_file(data_dir: Path) -> Path:
    """While the console owns the terminal, everything logged goes to <data_dir>/logs/c1console.log."""
    path = data_dir / "logs" / "c1console.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s %(message)s"))
    root = logging.getLogger("c1console")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    return path


@contextmanager
def thread_errors_logged() -> Iterator[None]:
    """While the console owns the terminal, a thread's uncaught exception is logged, never printed over the
    screen or to a terminal that is gone."""

    def log_it(args: threading.ExceptHookArgs) -> None:
        name = args.thread.name if args.thread is not None else "?"
        if isinstance(args.exc_value, OSError) and args.exc_value.errno in TERMINAL_GONE:
            # Textual's output thread, writing in the moment between a hangup and its SIGHUP
            log.warning("thread %s ended: the terminal is gone (%s)", name, args.exc_value.strerror)
            return
        exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
        log.error("uncaught exception in thread %s", name, exc_info=exc_info)  # type: ignore[arg-type]

    previous, threading.excepthook = threading.excepthook, log_it
    try:
        yield
    finally:
        threading.excepthook = previous


def _ignore_signal(_signum: int, _frame: FrameType | None) -> None:
    pass


class Hangup:
    """SIGHUP while the console runs: the operator's terminal is gone (an SSH session dropped). The console
    ends as on q, and so its embedded runner stops as on q. Standard streams on the dead terminal are
    pointed at /dev/null first, so that Textual restoring the terminal cannot fail on it. Should the app not
    end all the same, a watchdog stops the runner and ends the process: the runner is released either way.
    """

    def __init__(self) -> None:
        self.runner: Runner | None = None
        self.received = threading.Event()
        self._settled = threading.Event()
        self._app: App[Any] | None = None
        self._previous: Any = signal.SIG_DFL

    def __enter__(self) -> Hangup:
        self._previous = signal.signal(signal.SIGHUP, self._on_signal)
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _exc: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.settle()
        signal.signal(signal.SIGHUP, self._previous)

    def settle(self) -> None:
        """The app is over; the ordinary stop of the runner follows, and the watchdog leaves that alone."""
        self._settled.set()

    def run(self, app: App[Any]) -> None:
        """Runs the app unless the terminal hung up already."""
        self._app = app
        app.call_later(self._exit_if_received)  # for a SIGHUP before the app's event loop runs
        if not self.received.is_set():
            app.run()

    def _exit_if_received(self) -> None:
        if self.received.is_set() and self._app is not None:
            self._app.exit()

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        if self.received.is_set():
            return
        self.received.set()
        # The kernel sends SIGCONT along with the hangup, and Textual's SIGCONT handler (meant for coming
        # back from ctrl+z) would start application mode again, on the dead terminal.
        signal.signal(signal.SIGCONT, _ignore_signal)
        gone = detach_from_dead_terminal()
        log.warning("SIGHUP (%s): quitting as on q", "terminal gone" if gone else "terminal still there")
        if self._app is not None:
            self._ask_app_to_exit(self._app)
            threading.Thread(target=self._watchdog, name="c1-hangup-watchdog", daemon=True).start()

    @staticmethod
    def _ask_app_to_exit(app: App[Any]) -> None:
        try:
            loop = asyncio.get_running_loop()  # this handler runs on the main thread, inside the app's loop
        except RuntimeError:
            return  # the loop is not running yet: _exit_if_received is queued for when it does
        with suppress(RuntimeError):  # the loop is closing: the app is ending anyway
            loop.call_soon_threadsafe(app.exit)

    def _watchdog(self) -> None:
        """After a hang-up the process ends within EXIT_GRACE_SECONDS + EXIT_LINGER_SECONDS whatever hangs:
        the app (then the watchdog stops the runner itself) or what follows it (the runner's stop, a thread
        the interpreter waits for at exit). The daemon watchdog outlives the main thread's return."""
        if not self._settled.wait(EXIT_GRACE_SECONDS):
            log.error(
                "the console still runs %.0f s after SIGHUP: stopping its runner and exiting",
                EXIT_GRACE_SECONDS,
            )
            if self.runner is not None:
                stopping = threading.Thread(target=self.runner.stop, name="c1-hangup-stop", daemon=True)
                stopping.start()
                stopping.join(EXIT_LINGER_SECONDS)
            os._exit(EXIT_STUCK)
        time.sleep(EXIT_LINGER_SECONDS)  # the process normally ends long before this
        released = self.runner is None or self.runner.is_stopped()
        log.error("the console has not ended %.0f s after its app did: exiting now", EXIT_LINGER_SECONDS)
        logging.shutdown()
        os._exit(0 if released else EXIT_STUCK)


def start_runner_unless_attached(session: ops.Session, *, no_runner: bool) -> tuple[str, Runner | None]:
    """Embedded unless told not to or another live runner already leads (then attach and only dispatch).
    Never on an operator's own database login (sql/011): the database would record the runner's acts,
    'system' ones included, under that operator's name; a service login runs the runner instead."""
    if no_runner:
        return "none", None
    with connection(session.db) as conn:
        held = runners.leader(conn)
    if held is not None:
        return "attached", None
    if identity.database_vouches(session.db):
        log.info("no embedded runner: connected as an operator's own login; run c1console runner separately")
        return "none", None
    return "embedded", Runner(session.db, session.registry, session.settings).start()


def run_console(
    session: ops.Session,
    *,
    no_runner: bool = False,
    after_start: Callable[[Runner | None], None] | None = None,
    greeting: str = "",
) -> int:
    from c1console.screens.app import ConsoleApp, HeaderInfo

    log_to_file(session.settings.data_dir)
    with thread_errors_logged(), Hangup() as hangup:
        mode, runner = start_runner_unless_attached(session, no_runner=no_runner)
        hangup.runner = runner
        try:
            queries = ConsoleQueries(session.db)
            header = HeaderInfo(
                database=session.db.display,
                runner_mode=mode,
                operator=session.operator,
                role=session.role,
                server_version=queries.server_version(),
                greeting=greeting,
                alert_channels=tuple(session.settings.channels),
            )
            if after_start is not None:
                after_start(runner)
            hangup.run(ConsoleApp(queries, session, header, listen=queries.listen))
        finally:
            hangup.settle()
            if runner is not None:
                runner.stop()
    return 0
