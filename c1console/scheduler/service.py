"""Running the runner as a headless service: logging to stderr, SIGTERM / SIGINT for a graceful stop."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from c1console.config import Settings
from c1console.jobs import Registry
from c1console.scheduler.runner import Runner
from c1console.store.engine import Database


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%Y-%m-%d %H:%M:%S"))
    root = logging.getLogger("c1console")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def run_headless(db: Database, registry: Registry, settings: Settings, *, workers: int = 4) -> int:
    configure_logging()
    if not len(registry):
        logging.getLogger("c1console.runner").warning(
            "no jobs registered (config 'jobs = [...]'): this runner only recovers lost executions"
        )
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("c1console.runner").info(
            "received %s: stopping gracefully", signal.Signals(signum).name
        )
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    runner = Runner(db, registry, settings, max_workers=workers).start()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        runner.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
