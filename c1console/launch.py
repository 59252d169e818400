"""Opening the console: decide the runner mode, route logs to a file, run the Textual app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from c1console import ops
from c1console.scheduler.runner import Runner
from c1console.store import runners
from c1console.store.engine import connection
from c1console.store.views import ConsoleQueries

log = logging.getLogger("c1console.launch")


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


def start_runner_unless_attached(session: ops.Session, *, no_runner: bool) -> tuple[str, Runner | None]:
    """Embedded unless told not to or another live runner already leads (then attach and only dispatch)."""
    if no_runner:
        return "none", None
    with connection(session.db) as conn:
        held = runners.leader(conn)
    if held is not None:
        return "attached", None
    return "embedded", Runner(session.db, session.registry, session.settings).start()


def run_console(
    session: ops.Session,
    *,
    no_runner: bool = False,
    after_start: Callable[[Runner | None], None] | None = None,
) -> int:
    from c1console.screens.app import ConsoleApp, HeaderInfo

    log_to_file(session.settings.data_dir)
    mode, runner = start_runner_unless_attached(session, no_runner=no_runner)
    try:
        queries = ConsoleQueries(session.db)
        header = HeaderInfo(
            database=session.db.display,
            runner_mode=mode,
            operator=session.operator,
            role=session.role,
            server_version=queries.server_version(),
        )
        if after_start is not None:
            after_start(runner)
        ConsoleApp(queries, session, header, listen_url=session.db.url).run()
    finally:
        if runner is not None:
            runner.stop()
    return 0
