"""The header line: where (screen, database) on the left; the open failures, runner, operator/role and
live state on the right."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, cast

from rich.text import Text
from textual.widget import Widget


@dataclass(frozen=True)
class HeaderInfo:
    database: str  # masked display string
    runner_mode: str  # "embedded" | "attached" | "none"
    operator: str
    role: str  # viewer | operator | approver | admin
    server_version: str = ""
    greeting: str = ""  # shown once, as a notification, when the console opens
    alert_channels: tuple[str, ...] = ()  # Settings.channels; none: the header says so

    @property
    def no_alert_channel(self) -> bool:
        return not self.alert_channels


class HeaderState(Protocol):
    """What the header shows of the app: who and where, whether the operator may act, the live state."""

    @property
    def header(self) -> HeaderInfo: ...

    @property
    def can_act(self) -> bool: ...

    @property
    def live(self) -> bool: ...

    @property
    def listening(self) -> bool: ...

    @property
    def db_problem(self) -> str | None: ...

    @property
    def open_count(self) -> int | None:
        """How many failures are open (None until first read)."""
        ...


def no_alert_channel(app: object) -> bool:
    """Whether the console's session has no alert channel configured (screens say so where alerts show)."""
    header = getattr(app, "header", None)
    return isinstance(header, HeaderInfo) and header.no_alert_channel


def open_text(count: int | None) -> Text:
    """The open failures, by symbol and words: "⚠ 3 open" (bold red), "✔ 0 open" (dim); nothing unread."""
    if count is None:
        return Text()
    if count:
        return Text.assemble((f"⚠ {count} open", "bold red"))
    return Text.assemble(("✔ 0 open", "dim"))


def header_right(state: HeaderState, *, compact: bool = False) -> Text:
    """``compact``: without the runner mode (a narrow screen keeps the screen's name in view)."""
    h = state.header
    text = Text()
    count = open_text(state.open_count)
    if count.cell_len:
        text.append_text(count)
        text.append(" │ ")
    if not compact:
        text.append_text(Text.assemble("runner ", (h.runner_mode, "bold"), " │ "))
    text.append_text(Text.assemble((h.operator, "bold"), f" ({h.role})"))
    if not state.can_act:
        text.append(" read-only", style="yellow")
    text.append(" │ ")
    if h.no_alert_channel:
        text.append("⚠ no alert channel", style="bold yellow")
        text.append(" │ ")
    if state.db_problem is not None:
        text.append(" ⚠ database unavailable — retrying ", style="bold white on red")
    elif not state.live:
        text.append("|| PAUSED", style="bold yellow")
    elif state.listening:
        text.append("● LIVE", style="bold green")
    else:
        text.append("● LIVE (polling)", style="bold green")
    return text


class HeaderBar(Widget):
    """One line: where (screen, database) on the left; runner, operator/role and live state on the right."""

    DEFAULT_CSS = "HeaderBar { dock: top; height: 1; background: $panel; color: $foreground; }"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def on_mount(self) -> None:
        for name in ("live", "db_problem", "listening", "can_act", "open_count"):
            self.watch(self.app, name, self._changed, init=False)

    def _changed(self, _value: object) -> None:
        self.refresh()

    def set_title(self, title: str) -> None:
        self.title_text = title
        self.refresh()

    def render(self) -> Text:
        state = cast(HeaderState, self.app)
        right = header_right(state)
        left = Text.assemble((" c1console", "bold"), " › ", (self.title_text, "bold"), "  ")
        if self.size.width - right.cell_len - 1 < left.cell_len:
            right = header_right(state, compact=True)
        if self.size.width - right.cell_len - 1 < left.cell_len:  # the title before the product's name
            left = Text.assemble(" ", (self.title_text, "bold"), "  ")
        left.append(state.header.database, style="dim")
        room = max(0, self.size.width - right.cell_len - 1)
        left.truncate(room, overflow="ellipsis", pad=True)
        return Text.assemble(left, " ", right)
