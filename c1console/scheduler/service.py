"""Running the runner as a headless service: logging to stderr; SIGTERM, SIGINT or SIGHUP for a graceful stop.

SIGHUP is what a runner started by hand gets when the terminal it was started from goes away (an SSH session
dropped): it stops exactly as on SIGTERM. The helpers for a hung-up terminal serve the console too.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
import termios
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from c1console.config import Settings
from c1console.jobs import Registry
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STANDARD_STREAMS = (0, 1, 2)
log = logging.getLogger("c1console.runner")


def configure_logging(handler: logging.Handler | None = None) -> None:
    """Everything c1console logs goes to ``handler``, by default stderr (the journal under systemd)."""
    handler = handler or logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("c1console")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def hung_up_streams() -> list[int]:
    """Which of stdin, stdout and stderr are a terminal that hung up: it reads as end of file, and every
    write and terminal call on it fails with EIO. Pipes, files and live terminals are not listed."""
    dead = []
    for fd in STANDARD_STREAMS:
        try:
            termios.tcgetattr(fd)
        except termios.error as exc:
            if exc.args[0] == errno.EIO:
                dead.append(fd)
    return dead


def detach_from_dead_terminal() -> bool:
    """Points the standard streams that are a hung-up terminal at /dev/null, so that nothing written to them
    later (a terminal reset, a last message, a traceback) can fail. True when there were any."""
    dead = hung_up_streams()
    if not dead:
        return False
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in dead:
            os.dup2(null, fd)
    finally:
        os.close(null)
    return True


def hangup_log(data_dir: Path) -> Path:
    """Where a headless runner goes on logging once its terminal is gone."""
    path = data_dir / "logs" / "runner.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def until_stop_signal(settings: Settings) -> Iterator[threading.Event]:
    """An event that SIGTERM, SIGINT or SIGHUP set (the previous handlers come back afterwards). On a
    hang-up whose terminal is gone, logging moves to <data_dir>/logs/runner.log."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if signum == signal.SIGHUP and detach_from_dead_terminal():
            path = hangup_log(settings.data_dir)
            configure_logging(logging.FileHandler(path, encoding="utf-8"))
            log.info("the terminal hung up: logging to %s from now on", path)
        log.info("received %s: stopping gracefully", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_headless(db: Database, registry: Registry, settings: Settings, *, workers: int = 4) -> int:
    configure_logging()
    if not len(registry):
        log.warning("no jobs registered (config 'jobs = [...]'): this runner only recovers lost executions")
    with until_stop_signal(settings) as stop:
        runner = Runner(db, registry, settings, max_workers=workers).start()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            runner.stop()
    return 0
