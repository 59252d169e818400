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
    alert_channels=("slack",),
)


def build_app(
    *,
    role: str = "operator",
    queries: FixedQueries | None = None,
    alert_channels: tuple[str, ...] = ("slack",),
) -> ConsoleApp:
    """``alert_channels=()``: a config with no [alerts] channel (the header and screens say so)."""
    allowed = role != "viewer"
    header = replace(
        HEADER, role=role, operator="alice" if allowed else "victor", alert_channels=alert_channels
    )
    app = ConsoleApp(queries or FixedQueries(), None, header, clock=frozen_clock, live=False)
    app.actions = FixedActions(allowed=allowed, role=role, operator=header.operator)
    return app
