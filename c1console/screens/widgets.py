"""Pieces every screen shares: how cells read, the header and key bars, keys, database calls in workers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist
from textual.worker import Worker, WorkerState

from c1console import errors
from c1console.presentation import STATUS_SYMBOL, duration
from c1console.store.executions import Execution

if TYPE_CHECKING:
    from c1console.screens.app import ConsoleApp

log = logging.getLogger("c1console.console")
T = TypeVar("T")
Failed = Callable[[BaseException], None]

# Colour only ever repeats what the symbol and the word already say (NO_COLOR keeps both).
STATUS_STYLE = {
    "READY": "cyan",
    "RUNNING": "bold yellow",
    "SUCCESS": "green",
    "FAILED": "bold red",
    "STOPPED": "magenta",
    "PENDING": "dim",
    "SKIPPED": "dim",
}
UNIT_SYMBOL = {**STATUS_SYMBOL, "PENDING": "○", "SKIPPED": "-"}
STATUS_ORDER = {"FAILED": 0, "RUNNING": 1, "READY": 2, "STOPPED": 3, "SUCCESS": 4}
LEVEL_STYLE = {"ERROR": "bold red", "WARNING": "yellow", "INFO": "", "DEBUG": "dim"}
BAR_WIDTH = 8


# Cells ---------------------------------------------------------------------------------------------------


def status_text(status: str) -> Text:
    return Text(f"{UNIT_SYMBOL.get(status, '?')} {status}", style=STATUS_STYLE.get(status, ""))


def verdict_text(verdict: str) -> Text:
    """A checklist verdict: OK or ATTENTION, by symbol and word."""
    if verdict == "OK":
        return Text("✔ OK", style="bold green")
    return Text(f"⚠ {verdict}", style="bold yellow")


def run_type(e: Execution) -> str:
    return f"{e.run_type}/{e.replay_kind}" if e.replay_kind else e.run_type


def dates(e: Execution) -> str:
    start, end = e.business_date_from, e.business_date_to
    if start == end:
        return start.isoformat()
    if start.year == end.year:
        return f"{start.isoformat()}..{end.strftime('%m-%d')}"
    return f"{start.isoformat()}..{end.isoformat()}"


def progress(e: Execution) -> Text:
    label = f"{e.units_done}/{e.units_total}"
    text = Text()
    if e.status == "RUNNING" and e.units_total:
        finished = min(e.units_total, e.units_done + e.units_failed)
        filled = round(BAR_WIDTH * finished / e.units_total)
        text.append("█" * filled + "░" * (BAR_WIDTH - filled) + " ", style="yellow")
    text.append(label)
    if e.units_failed:
        text.append(f" ✖{e.units_failed}", style="red")
    return text


def when(value: datetime | None, tz: tzinfo | None) -> str:
    """A full local timestamp in the console's time zone (the clock's)."""
    if value is None:
        return ""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def short_when(value: datetime | None, tz: tzinfo | None, today: date) -> str:
    """Time only for today, month-day and minutes before that: fits a narrow column."""
    if value is None:
        return ""
    local = value.astimezone(tz)
    if local.date() == today:
        return local.strftime("%H:%M:%S")
    if local.year == today.year:
        return local.strftime("%m-%d %H:%M")
    return local.strftime("%Y-%m-%d")


def run_duration(e: Execution, now: datetime) -> str:
    return duration(e.started_at, e.ended_at, now if e.status == "RUNNING" else None)


def one_line(text: str | None, limit: int = 200) -> str:
    if not text:
        return ""
    flat = errors.one_line(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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


# Keys ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key: its binding, its footer label and its line in the help screen and the command palette."""

    key: str  # Textual key name(s), comma-separated
    action: str
    label: str  # short, for the key bar
    help: str  # one line, for the help screen and the command palette
    display: str = ""  # how the key reads on screen (defaults to the key)
    act: bool = False  # changes something: hidden and refused for viewers
    footer: bool = True
    bind: bool = True  # False: a widget handles it (enter on a table)

    @property
    def shown(self) -> str:
        return self.display or self.key


def bindings(keys: Iterable[Key]) -> list[Binding]:
    return [Binding(k.key, k.action, k.label, show=False) for k in keys if k.bind]


# Tables --------------------------------------------------------------------------------------------------


def cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor, if any."""
    if table.row_count == 0:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except CellDoesNotExist:
        return None


def move_cursor_to(table: DataTable[Any], key: str, *, scroll: bool = True) -> bool:
    try:
        index = table.get_row_index(key)
    except RowDoesNotExist:
        return False
    if table.cursor_row != index:
        table.move_cursor(row=index, scroll=scroll)
    return True


class ConsoleTable(DataTable[Any]):
    """A row-cursor table; the screens key every row by its id. home/end (g/G) go to the first/last row."""

    BINDINGS: ClassVar = [
        Binding("home,g", "scroll_top", "first row", show=False),
        Binding("end,G", "scroll_bottom", "last row", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cell_padding=1)


# Database calls ------------------------------------------------------------------------------------------


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
        failed: Callable[[BaseException], None] | None = None,
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
        app = cast("ConsoleApp", cast(Widget, self).app)
        done, failed, health = entry
        if event.state == WorkerState.SUCCESS:
            del callbacks[event.worker]
            if health:
                app.database_reachable()
            done(event.worker.result)
        elif event.state == WorkerState.ERROR:
            del callbacks[event.worker]
            exc = event.worker.error or RuntimeError("worker failed")
            if database_down(exc):
                app.database_unreachable(exc)
            elif not isinstance(exc, errors.Problem):
                log.error("console call failed", exc_info=exc)
            if failed is not None:
                failed(exc)
            elif not database_down(exc):
                app.notify(problem_text(exc), severity="error", timeout=8)
        elif event.state == WorkerState.CANCELLED:
            del callbacks[event.worker]


# Header and key bar --------------------------------------------------------------------------------------


class HeaderBar(Widget):
    """One line: where (screen, database) on the left; runner, operator/role and live state on the right."""

    DEFAULT_CSS = "HeaderBar { dock: top; height: 1; background: $panel; color: $foreground; }"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def on_mount(self) -> None:
        app = self.app
        for name in ("live", "db_problem", "listening", "can_act"):
            self.watch(app, name, lambda _value: self.refresh(), init=False)

    def set_title(self, title: str) -> None:
        self.title_text = title
        self.refresh()

    def render(self) -> Text:
        app = cast("ConsoleApp", self.app)
        right = app.header_right()
        left = Text.assemble((" c1console", "bold"), " › ", (self.title_text, "bold"), "  ")
        left.append(app.header.database, style="dim")
        room = max(0, self.size.width - right.cell_len - 1)
        left.truncate(room, overflow="ellipsis", pad=True)
        return Text.assemble(left, " ", right)


class KeyBar(Widget):
    """The keys of this screen and the global ones, packed into as few lines as the width allows."""

    DEFAULT_CSS = "KeyBar { dock: bottom; height: auto; background: $panel; padding: 0 1; }"

    def on_mount(self) -> None:
        for name in ("live", "can_act"):
            self.watch(self.app, name, lambda _value: self.refresh(layout=True), init=False)

    def items(self) -> list[Text]:
        app = cast("ConsoleApp", self.app)
        keys = [*getattr(self.screen, "KEYS", ()), *app.KEYS]
        seen: set[str] = set()
        items = []
        for k in keys:
            if not k.footer or (k.act and not app.can_act) or k.shown in seen:
                continue
            seen.add(k.shown)
            item = Text.assemble((k.shown, "bold reverse"), " ", app.key_label(k))
            items.append(item)
        return items

    def lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        line = Text()
        for item in self.items():
            if line.cell_len and line.cell_len + 2 + item.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append("  ")
            line.append_text(item)
        if line.cell_len:
            lines.append(line)
        return lines or [Text()]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.content_region.width or self.size.width))
