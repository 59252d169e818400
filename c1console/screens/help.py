"""`?`: every key of the screen it was opened from, the global keys, the dialogs, and how statuses read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from c1console.screens.cells import UNIT_SYMBOL, status_text
from c1console.screens.keys import Key

DIALOG_KEYS = (
    ("enter", "first: check the fields and show the preview; second: confirm"),
    ("tab / shift+tab", "move between fields"),
    ("esc / ctrl+c", "cancel; with a reason typed, the first press only warns, the second discards it"),
)
# What the RESOLUTION column of a FAILED or STOPPED execution says (sql/013), and a marked row.
RESOLUTION_MARKS = (
    ("● open", "some unit is still failing: replay it (r), or acknowledge it (a) with a reason"),
    ("↻ #N", "resolved: execution N's results (a replay, a resume, a later run) fixed every unit"),
    ("↻ comp #N", "resolved by approved compensation N"),
    ("→ #N", "handed on: its replay or resume N failed too; the open work is on N now"),
    ("✓ ack", "acknowledged: an operator said, with a reason, that nothing more is needed"),
    ("⟲ rolled back", "its results were rolled back (any execution, successful ones too)"),
    ("*1045", "marked with space: r replays every marked execution in one dialog; esc clears the marks"),
)
QUICK_START = (
    "Replay the failed units of a FAILED execution: select it on the executions screen, press r, type a "
    "reason, enter (review the preview), enter (confirm). The new REPLAY execution appears at the top, "
    "with the cursor on it."
)


def key_table(title: str, keys: Iterable[tuple[str, str]]) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        show_header=False,
        box=None,
        padding=(0, 2, 0, 0),
        expand=False,
    )
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key, text in keys:
        table.add_row(key, text)
    return table


def help_text(
    screen_name: str, screen_keys: Iterable[Key], app_keys: Iterable[Key], can_act: bool, extra: str = ""
) -> RenderableType:
    def rows(keys: Iterable[Key]) -> list[tuple[str, str]]:
        shown = []
        for k in keys:
            note = "" if can_act or not k.act else "  (not for your role: refused)"
            shown.append((k.shown, k.help + note))
        return shown

    statuses = Text()
    for n, status in enumerate(UNIT_SYMBOL):
        statuses.append("   " if n else "")
        statuses.append_text(status_text(status))
    parts: list[RenderableType] = [
        key_table(f"{screen_name} screen", rows(screen_keys)),
        Text(""),
        key_table("Everywhere", rows(app_keys)),
        Text(""),
        key_table("In dialogs", DIALOG_KEYS),
        Text(""),
        Text("Statuses (units also PENDING and SKIPPED)", style="bold"),
        statuses,
        Text(""),
        Text("Failures (the RESOLUTION column; u shows the open ones only)", style="bold"),
        key_table("", RESOLUTION_MARKS),
        Text(
            "Live: NOTIFY from the database (polling every 2 s when it is not available); Z pauses.",
            style="dim",
        ),
        Text(""),
        Text(QUICK_START),
    ]
    if extra:
        parts += [Text(""), Text(extra, style="dim")]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "close", show=False)]

    def __init__(self, content: RenderableType) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", classes="dialog help"):
            yield Static(Text("Keys  (esc closes · ↑↓ scroll)", style="bold"), id="dialog-title")
            yield Static(self.content)

    def on_mount(self) -> None:
        self.query_one("#dialog").focus()

    def action_close(self) -> None:
        self.dismiss()
