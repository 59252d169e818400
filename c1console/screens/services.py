"""What screens and dialogs use of the console, and nothing more.

``Services`` are the read side (``queries``), the ``actions``, the clock, its time zone, the language and
the few settings a screen needs. ``Host`` is the app as a screen reaches it: those services, whether the
operator may act, where to go next, and the live updates a screen takes part in. Screens and dialogs
resolve their host once (the ``Hosted`` mixin); they never see the rest of the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from c1console import checklists
from c1console.errors import Lang
from c1console.screens.actions import Actions

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from c1console import ops
    from c1console.queries import Execution, ExecutionFilter, Queries

DEFAULT_UNIT_BOUND = 10_000  # Settings.large_run_units when the console has no session


@dataclass(frozen=True)
class ScreenSettings:
    """The settings screens read; a console without a session (read-only) gets the defaults."""

    timezone: str | None = None  # business days' zone for the checklists; None: the console's own zone
    long_running_seconds: float = checklists.LONG_RUNNING_SECONDS
    large_run_units: int = DEFAULT_UNIT_BOUND  # the most units one run started from the console may have
    data_dir: Path | None = None  # where an export goes when the current directory cannot be written

    @classmethod
    def of(cls, session: ops.Session | None) -> ScreenSettings:
        if session is None:
            return cls()
        s = session.settings
        return cls(s.timezone, s.long_running_seconds, int(s.large_run_units), s.data_dir)


@dataclass(frozen=True)
class Services:
    queries: Queries  # every read, each one short connection (c1console.queries.ConsoleQueries)
    actions: Actions  # every write, through ops
    clock: Callable[[], datetime]
    tz: tzinfo | None  # the console's local time zone (the clock's)
    lang: Lang  # of error texts
    settings: ScreenSettings


class LiveScreen(Protocol):
    """A screen the app keeps up to date (see ``ConsoleScreen``)."""

    def executions_changed(self, rows: Sequence[Execution]) -> None: ...

    def audit_changed(self, audit_ids: Sequence[int]) -> None: ...

    def poll(self) -> None: ...

    def tick(self) -> None: ...


class Host(Protocol):
    """The app as screens and dialogs see it."""

    @property
    def services(self) -> Services: ...

    @property
    def can_act(self) -> bool:
        """Whether this operator may change anything (false until the role is known)."""
        ...

    def add_live_screen(self, screen: LiveScreen) -> None: ...

    def remove_live_screen(self, screen: LiveScreen) -> None: ...

    def show_mode(self, mode: str) -> None:
        """A screen by name ("executions", "jobs", …); asked again while on it, closes its drill-downs."""
        ...

    def show_executions(self, flt: ExecutionFilter) -> None:
        """The executions screen, filtered."""
        ...

    def focus_execution(self, execution_id: int) -> None:
        """The executions screen's cursor on an execution (a new one: as soon as it can be read)."""
        ...

    def show_result_history(self, job_id: str, business_date: date, target_key: str) -> None:
        """Every version of one result key (the drill-down's ``h`` on a unit)."""
        ...


def host_of(node: DOMNode) -> Host:
    """The app a screen or dialog runs in, seen through ``Host`` (the app module proves it provides it)."""
    return cast(Host, node.app)


class Hosted:
    """Mixin for screens and dialogs: ``host`` (resolved once) and its ``services``."""

    _host: Host | None = None

    @property
    def host(self) -> Host:
        if self._host is None:
            self._host = host_of(cast("DOMNode", self))
        return self._host

    @property
    def services(self) -> Services:
        return self.host.services
