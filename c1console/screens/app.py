"""The console application: screens by number, live refresh from LISTEN/NOTIFY, the header state.

Reads go through ``Queries`` (c1console/queries.py) and writes through ``ops`` (via ``Actions``), always
in thread workers; screens get those as ``Services`` and see the app only as a ``Host``
(screens/services.py). A LISTEN thread, started by the ``listen`` its builder hands in, posts the ids it
hears; the app gathers them for a moment (DEBOUNCE), fetches those executions once and hands them to every
screen. Without a listener, or while it is disconnected, or after a failed query, screens re-read every
POLL_SECONDS until things recover.

The open failures (the operator's queue) are the app's: read after every batch of notifications and every
poll (at most one read at a time, OPEN_DEBOUNCE after the first change), counted in the header, handed to
the executions screen for ``n``/``N``; a failure that was not open at the previous read raises a
notification whichever screen is shown, and ``n`` anywhere jumps to it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import replace
from datetime import date, datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from c1console import errors, ops
from c1console.screens import clipboard
from c1console.screens.actions import Actions
from c1console.screens.alerts import AlertsScreen
from c1console.screens.audit import AuditScreen
from c1console.screens.base import ConsoleScreen
from c1console.screens.checklists import DailyScreen, MonthlyScreen
from c1console.screens.compensations import CompensationsScreen
from c1console.screens.detail_history import UnitHistoryScreen
from c1console.screens.executions import ExecutionsScreen
from c1console.screens.header import HeaderInfo, header_right
from c1console.screens.help import HelpScreen, help_text
from c1console.screens.jobs import JobsScreen
from c1console.screens.keys import Key, bindings
from c1console.screens.services import LiveScreen, ScreenSettings, Services
from c1console.screens.workers import DbCalls, problem_text

if TYPE_CHECKING:
    from c1console.queries import Execution, ExecutionFilter, Listen, Listening, OpenFailure, Queries
    from c1console.screens.header import HeaderState
    from c1console.screens.keys import KeySource
    from c1console.screens.services import Host
    from c1console.screens.workers import DatabaseHealth

__all__ = ["ConsoleApp", "HeaderInfo"]

log = logging.getLogger("c1console.console")

CHANNELS = ("c1_execution", "c1_audit")
DEBOUNCE = 0.075  # seconds to gather NOTIFY payloads into one fetch
POLL_SECONDS = 2.0
MAX_IDS = 500  # more changed executions than this in one burst: re-read the screens instead
OPEN_DEBOUNCE = 0.2  # seconds between a change and the read of the open failures it may have changed
ANNOUNCED = 3  # more new failures than this in one read: one notification names the newest
# Shipped as package data of c1console.screens (pyproject must list it); a wheel without it still starts,
# with Textual's default look, rather than failing at start-up.
STYLESHEET = Path(__file__).with_name("console.tcss")
SCREEN_NAMES = {
    "executions": "Executions",
    "jobs": "Jobs",
    "audit": "Audit",
    "daily": "Daily checklist",
    "monthly": "Monthly checklist",
    "alerts": "Alerts",
    "compensations": "Compensations",
}

# The screen of each mode (MODES holds the same, typed as Textual wants it).
MODE_SCREENS: dict[str, type[ConsoleScreen]] = {
    "executions": ExecutionsScreen,
    "jobs": JobsScreen,
    "audit": AuditScreen,
    "daily": DailyScreen,
    "monthly": MonthlyScreen,
    "alerts": AlertsScreen,
    "compensations": CompensationsScreen,
}


def _now() -> datetime:
    return datetime.now().astimezone()


class Notified(Message):
    """Posted by the LISTEN thread: ids from c1_execution and c1_audit payloads."""

    def __init__(self, executions: list[int], audit: list[int]) -> None:
        super().__init__()
        self.executions = executions
        self.audit = audit


class ListenerState(Message):
    def __init__(self, connected: bool) -> None:
        super().__init__()
        self.connected = connected


class ConsoleApp(DbCalls, App[None]):
    CSS_PATH = str(STYLESHEET) if STYLESHEET.is_file() else None  # see the note on STYLESHEET
    TITLE = "c1console"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = dict(MODE_SCREENS)
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("1", "show_mode('executions')", "executions", "Executions screen (home)"),
        Key("2", "show_mode('jobs')", "jobs", "Jobs screen: schedules, pause/resume"),
        Key("3", "show_mode('audit')", "audit", "Audit screen: the log and its verification"),
        Key(
            "4",
            "show_mode('daily')",
            "daily",
            "Daily checklist: failures, missed fires, sign-off",
            footer=False,
        ),
        Key(
            "5",
            "show_mode('monthly')",
            "monthly",
            "Monthly checklist: replays, recurring errors, MTTR",
            footer=False,
        ),
        Key(
            "6", "show_mode('alerts')", "alerts", "Alerts: notifications, attempts, last error", footer=False
        ),
        Key(
            "7",
            "show_mode('compensations')",
            "comps",
            "Compensations: pending, evidence, approve/reject",
            footer=False,
        ),
        Key(
            "n",
            "jump_open",
            "next open",
            "Executions screen, the cursor on the next open failure (a new one announced first)",
            footer=False,
        ),
        Key(
            "y",
            "copy(False)",
            "copy id",
            "Copy the selected id to the clipboard: execution, audit entry, compensation, unit key",
            footer=False,
        ),
        Key(
            "Y",
            "copy(True)",
            "copy text",
            "Copy the selected message or reason (OSC 52: works over SSH)",
            footer=False,
        ),
        Key("Z", "toggle_live", "pause", "Pause or resume live refresh"),
        Key("ctrl+r", "reload", "reload", "Re-read this screen now", display="^r", footer=False),
        Key("question_mark", "help", "help", "Every key of this screen", display="?"),
        Key(
            "ctrl+p",
            "command_palette",
            "commands",
            "Command palette: search every action",
            display="^p",
            bind=False,
        ),
        Key("q", "quit", "quit", "Quit (asks nothing; dialogs keep their own keys)"),
    )
    BINDINGS: ClassVar[list[BindingType]] = [*bindings(KEYS), Binding("ctrl+c", "quit", "quit", show=False)]

    live = reactive(True)
    db_problem: reactive[str | None] = reactive(None)
    listening = reactive(False)
    can_act = reactive(False)
    open_count: reactive[int | None] = reactive(None)  # open failures (None: not read yet)

    def __init__(
        self,
        queries: Queries,
        session: ops.Session | None,
        header: HeaderInfo,
        *,
        listen: Listen | None = None,
        clock: Callable[[], datetime] = _now,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.session = session
        self.header = header
        self._listen = listen  # None: no live updates but by polling
        try:
            lang: errors.Lang = errors.language()
        except errors.Problem:
            lang = "en"
        self.services = Services(
            queries=queries,
            actions=Actions(session),
            clock=clock,
            tz=clock().tzinfo,
            lang=lang,
            settings=ScreenSettings.of(session),
        )
        self.live_screens: set[LiveScreen] = set()
        self.set_reactive(ConsoleApp.live, live)
        self.set_reactive(ConsoleApp.can_act, session is not None and ops.RANK.get(header.role, 0) >= 1)
        self._listener: Listening | None = None
        self._listener_down = False
        self._pending_executions: set[int] = set()
        self._pending_audit: set[int] = set()
        self._flush_timer: Timer | None = None
        self._since_poll = 0.0
        self.open_failures: list[OpenFailure] | None = None  # newest first; None until first read
        self._ever_open: set[int] = set()  # open at some read: one open again is announced as such
        self._open_timer: Timer | None = None
        self._open_worker: Worker[Any] | None = None
        self._open_again = False

    # What screens use (Services) -------------------------------------------------------------------------

    @property
    def queries(self) -> Queries:
        return self.services.queries

    @property
    def actions(self) -> Actions:
        return self.services.actions

    @actions.setter
    def actions(self, actions: Actions) -> None:
        """Another way to act (tests answer from canned data); set before the screens open."""
        self.services = replace(self.services, actions=actions)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.services.clock

    @property
    def tz(self) -> tzinfo | None:
        return self.services.tz

    @property
    def lang(self) -> errors.Lang:
        return self.services.lang

    def add_live_screen(self, screen: LiveScreen) -> None:
        self.live_screens.add(screen)

    def remove_live_screen(self, screen: LiveScreen) -> None:
        self.live_screens.discard(screen)

    # Start and stop --------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.switch_mode("executions")
        self.call_db(self.actions.can_act, self._role_known, failed=lambda _exc: None, health=False)
        self.set_interval(1.0, self._every_second)
        if self.header.greeting:
            self.notify(self.header.greeting, timeout=15)
        self._read_open()
        if self.live:
            self._start_listening()

    def _role_known(self, can: bool) -> None:
        self.can_act = can

    def on_unmount(self) -> None:
        if self._listener is not None:
            self._listener.stop(timeout=0.0)  # a daemon thread: it ends within its poll interval

    def _start_listening(self) -> None:
        if self._listen is None or self._listener is not None:
            return
        self._listener = self._listen(CHANNELS, self._heard, self._listener_state)

    # LISTEN thread side: only post messages (thread-safe); never touch widgets here.
    def _heard(self, items: list[tuple[str, str]]) -> None:
        executions = [int(p) for c, p in items if c == "c1_execution" and p.isdigit()]
        audit = [int(p) for c, p in items if c == "c1_audit" and p.isdigit()]
        with suppress(RuntimeError):  # the loop is closing
            self.post_message(Notified(executions, audit))

    def _listener_state(self, connected: bool) -> None:
        with suppress(RuntimeError):
            self.post_message(ListenerState(connected))

    # Live refresh ----------------------------------------------------------------------------------------

    def on_listener_state(self, message: ListenerState) -> None:
        was_down = self._listener_down
        self.listening = message.connected
        self._listener_down = not message.connected
        if message.connected:
            if was_down:
                self.poll_all()  # catch up on what happened while nobody listened
            if self.db_problem == "listener":
                self.db_problem = None
        elif self.db_problem is None:
            self.db_problem = "listener"

    def on_notified(self, message: Notified) -> None:
        if not self.live:
            return
        self._pending_executions.update(message.executions)
        self._pending_audit.update(message.audit)
        if self._flush_timer is None:
            self._flush_timer = self.set_timer(DEBOUNCE, self._flush_notified)

    def _flush_notified(self) -> None:
        self._flush_timer = None
        ids, self._pending_executions = sorted(self._pending_executions), set()
        audit, self._pending_audit = sorted(self._pending_audit), set()
        if len(ids) > MAX_IDS:
            self.poll_all()
        elif ids:
            self.call_db(lambda: self.queries.executions_by_id(ids), self._broadcast, group="notify")
        if audit:
            for screen in list(self.live_screens):
                screen.audit_changed(audit)
        if ids or audit:
            self.refresh_open()

    def _broadcast(self, rows: list[Execution]) -> None:
        for screen in list(self.live_screens):
            screen.executions_changed(rows)

    def poll_all(self) -> None:
        for screen in list(self.live_screens):
            screen.poll()
        self.refresh_open()

    # The open failures -------------------------------------------------------------------------------------

    def refresh_open(self) -> None:
        """Reads the open failures soon (OPEN_DEBOUNCE): the changes of a busy moment make one read."""
        if self._open_timer is None:
            self._open_timer = self.set_timer(OPEN_DEBOUNCE, self._read_open)

    def _read_open(self) -> None:
        self._open_timer = None
        worker = self._open_worker
        if worker is not None and worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            self._open_again = True  # one more read once this one is in
            return
        self._open_again = False
        self._open_worker = self.call_db(
            self.queries.open_failures, self._open_known, failed=self._open_failed, group="open"
        )

    def _open_failed(self, _exc: BaseException) -> None:
        if self._open_again:
            self.refresh_open()

    def _open_known(self, failures: list[OpenFailure]) -> None:
        before = self.open_failures
        self.open_failures = failures
        self.open_count = len(failures)
        home = self.home()
        if home is not None:
            home.open_failures_changed(failures)
        if before is not None:
            seen = {f.execution_id for f in before}
            self._announce([f for f in failures if f.execution_id not in seen])
        self._ever_open.update(f.execution_id for f in failures)
        if self._open_again:
            self.refresh_open()

    def _announce(self, new: list[OpenFailure]) -> None:
        """A notification for failures that were not open at the previous read (newest first)."""
        if not new:
            return
        newest = new[0]
        code = f" {newest.error_code}" if newest.error_code else ""
        what = f"#{newest.execution_id} {newest.job_id}{code}"
        if len(new) > ANNOUNCED:
            message = f"{len(new)} new failures, the newest {what} — n jumps to it"
        elif newest.execution_id in self._ever_open:
            message = f"failure {what} is open again — n jumps to it"
        else:
            message = f"new failure {what} — n jumps to it"
        for older in new[1:] if len(new) <= ANNOUNCED else []:
            code = f" {older.error_code}" if older.error_code else ""
            self.notify(f"new failure #{older.execution_id} {older.job_id}{code}", severity="warning")
        self.notify(message, title="open failure", severity="warning", timeout=10)
        home = self.home()
        if home is not None:
            home.announce(newest)

    def action_jump_open(self) -> None:
        """n on a screen without its own: the executions screen, on the next open failure (the one just
        announced first)."""
        self.show_mode("executions")
        home = self.home()
        if home is not None:
            home.step_open(down=True)

    def _every_second(self) -> None:
        self._since_poll += 1.0
        must_poll = self.db_problem is not None or (self.live and not self.listening)
        if must_poll and self._since_poll >= POLL_SECONDS:
            self._since_poll = 0.0
            self.poll_all()
        if self.live:
            for screen in list(self.live_screens):
                screen.tick()

    def database_reachable(self) -> None:
        if self.db_problem is not None and self.db_problem != "listener":
            self.db_problem = "listener" if self._listener_down else None
            if self.db_problem is None:
                self.notify("database reachable again", timeout=4)
                self.poll_all()

    def database_unreachable(self, exc: BaseException) -> None:
        if self.db_problem is None or self.db_problem == "listener":
            log.warning("database unavailable: %s", problem_text(exc))
        self.db_problem = problem_text(exc)

    # Header and key bar ----------------------------------------------------------------------------------

    def header_right(self) -> Text:
        """The right of the header line: runner, operator and role, the live state."""
        return header_right(self)

    def key_label(self, key: Key) -> str:
        if key.action == "toggle_live":
            return "pause" if self.live else "go live"
        return key.label

    # Navigation ------------------------------------------------------------------------------------------

    def show_mode(self, mode: str) -> None:
        """Shows a screen by name; asked again while on it, it closes the drill-downs opened from it."""
        if self.current_mode == mode:
            while len(self.screen_stack) > 1 and not isinstance(self.screen, MODE_SCREENS[mode]):
                self.pop_screen()
        else:
            self.switch_mode(mode)

    def action_show_mode(self, mode: str) -> None:
        self.show_mode(mode)

    def home(self) -> ExecutionsScreen | None:
        return next((s for s in self.live_screens if isinstance(s, ExecutionsScreen)), None)

    def show_executions(self, flt: ExecutionFilter) -> None:
        """The executions screen, filtered (from the jobs screen, say)."""
        self.show_mode("executions")
        home = self.home()
        if home is not None:
            home.set_filter(flt)

    def focus_execution(self, execution_id: int) -> None:
        """Puts the home screen's cursor on an execution (a new one: as soon as it can be read)."""
        home = self.home()
        if home is not None:
            home.focus_execution(execution_id)

    def show_result_history(self, job_id: str, business_date: date, target_key: str) -> None:
        """A result key's history, for the drill-down (it cannot import that screen: an import cycle)."""
        self.push_screen(UnitHistoryScreen(job_id, business_date, target_key))

    def action_toggle_live(self) -> None:
        self.live = not self.live
        if self.live:
            self._start_listening()
            self.poll_all()
            self.notify("live refresh on", timeout=3)
        else:
            self.notify("live refresh paused — Z resumes it", timeout=4)

    def action_reload(self) -> None:
        screen = self.screen
        if isinstance(screen, ConsoleScreen):
            screen.poll()

    def action_copy(self, detail: bool) -> None:
        """y / Y: the selection of the screen shown, to the terminal's clipboard (screens/clipboard.py)."""
        copy = clipboard.copier(self.screen)
        found = copy(detail) if copy is not None else None
        if copy is None:
            self.notify("nothing to copy on this screen", severity="warning", timeout=4)
        elif found is None:
            self.notify("nothing selected to copy", severity="warning", timeout=4)
        elif not found[0]:
            self.notify(f"nothing to copy: the selection has no {found[1]}", severity="warning", timeout=4)
        else:
            text, what = found
            self.copy_to_clipboard(text)
            self.notify(clipboard.copied_notice(text, what), timeout=4)

    def action_help(self) -> None:
        screen = self.screen
        keys: Iterable[Key] = getattr(screen, "KEYS", ())
        name = next(
            (title for mode, title in SCREEN_NAMES.items() if isinstance(screen, MODE_SCREENS[mode])),
            getattr(screen, "HELP_NAME", "Execution"),
        )
        h = self.header
        extra = f"database {h.database}" + (f" (PostgreSQL {h.server_version})" if h.server_version else "")
        self.push_screen(HelpScreen(help_text(name, keys, self.KEYS, self.can_act, extra)))

    # Command palette -------------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        own: list[tuple[Key, Any]] = [(k, screen) for k in getattr(screen, "KEYS", ())]
        own += [(k, self) for k in self.KEYS]
        for key, node in own:
            if key.action in ("command_palette", "back") or (key.act and not self.can_act):
                continue
            yield SystemCommand(f"{key.help}", f"key: {key.shown}", partial(node.run_action, key.action))
        for command in super().get_system_commands(screen):
            if command.title == "Theme":
                yield command

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every console message is plain text: what an operator typed is never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)


if TYPE_CHECKING:

    def _provides(app: ConsoleApp) -> tuple[Host, HeaderState, KeySource, DatabaseHealth]:
        """Type-checked only: the app provides what screens, bars and workers see of it."""
        return app, app, app, app
