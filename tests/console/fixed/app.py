"""The console over fixed data: a frozen clock, no database, no live updates."""

from __future__ import annotations

from dataclasses import replace

from c1console.screens.app import ConsoleApp, HeaderInfo
from tests.console.fixed.actions import FixedActions
from tests.console.fixed.queries import FixedQueries
from tests.console.fixed.rows import frozen_clock

HEADER = HeaderInfo(
    database="postgresql://c1_console:***@db.example:5432/c1ops",
    runner_mode="embedded",
    operator="alice",
    role="operator",
    server_version="16.4",
)


def build_app(*, role: str = "operator", queries: FixedQueries | None = None) -> ConsoleApp:
    allowed = role != "viewer"
    header = replace(HEADER, role=role, operator="alice" if allowed else "victor")
    app = ConsoleApp(queries or FixedQueries(), None, header, clock=frozen_clock, live=False)
    app.actions = FixedActions(allowed=allowed, role=role, operator=header.operator)
    return app
