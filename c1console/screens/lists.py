"""The base of the list screens (jobs, audit, alerts, compensations, result history): a header, an info
line, one table of items keyed by id, a panel describing the selected item, the key bar; loaded in a
thread worker and re-read when the app says the data may have changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable, Static

from c1console.screens.base import ConsoleScreen
from c1console.screens.header import HeaderBar
from c1console.screens.keys import KeyBar
from c1console.screens.tables import ConsoleTable, cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

Item = TypeVar("Item")


def columns(*labels: str) -> tuple[tuple[str, str], ...]:
    """(key, label) pairs keyed by the lower-cased label."""
    return tuple((label.lower(), label) for label in labels)


class ListScreen(ConsoleScreen, Generic[Item]):
    """Subclasses name the table (``TITLE``, ``TABLE_ID``, ``PANEL_ID``, ``COLUMNS`` as (key, label)) and
    say how to fetch, key, draw and describe an item; ``enter`` calls ``action_open``."""

    TITLE: ClassVar[str] = ""
    TABLE_ID: ClassVar[str] = ""
    PANEL_ID: ClassVar[str] = ""
    PANEL_CLASSES: ClassVar[str] = "detail-panel"
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, Item] = {}
        self.loaded = False

    # What a subclass says ------------------------------------------------------------------------------

    def fetcher(self) -> Callable[[], list[Item]]:
        """The blocking read, built on the UI thread, run in a worker."""
        raise NotImplementedError

    def item_key(self, item: Item) -> str:
        raise NotImplementedError

    def cells(self, item: Item) -> tuple[Any, ...]:
        raise NotImplementedError

    def summary(self, items: Sequence[Item]) -> Text:
        raise NotImplementedError

    def describe(self, item: Item) -> Text:
        raise NotImplementedError

    def header(self) -> str:
        return self.TITLE

    def extra_widgets(self) -> Iterator[Widget]:
        """Widgets between the panel and the key bar (a search box)."""
        return iter(())

    def shown_items(self) -> list[Item]:
        """The loaded items the table shows, in order."""
        return list(self.items.values())

    # The scaffolding ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.header())
        yield Static(Text(" loading…"), id="info", classes="info-line")
        yield ConsoleTable(id=self.TABLE_ID)
        yield Static(id=self.PANEL_ID, classes=self.PANEL_CLASSES)
        yield from self.extra_widgets()
        yield KeyBar()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    @property
    def info(self) -> Static:
        return self.query_one("#info", Static)

    def on_mount(self) -> None:
        for key, label in self.COLUMNS:
            self.table.add_column(label, key=key)
        self.table.focus()
        self.load()

    def load(self) -> None:
        self._poll_worker = self.call_db(
            self.fetcher(), self.show, failed=self.failed, group=self.TABLE_ID, exclusive=True
        )

    def failed(self, exc: BaseException) -> None:
        if not self.loaded:
            self.info.update(Text(" " + problem_text(exc), style="red"))

    def poll(self) -> None:
        if not self.polling():
            self.load()

    def show(self, rows: list[Item]) -> None:
        self.items = {self.item_key(item): item for item in rows}
        self.loaded = True
        self.render_rows()

    def render_rows(self) -> None:
        keep = cursor_key(self.table)
        self.table.clear()
        for item in self.shown_items():
            self.table.add_row(*self.cells(item), key=self.item_key(item))
        if keep is not None:
            move_cursor_to(self.table, keep, scroll=False)
        self.update_info()
        self.show_selected()

    def update_info(self) -> None:
        self.info.update(self.summary(list(self.items.values())))

    def selected(self) -> Item | None:
        key = cursor_key(self.table)
        return self.items.get(key) if key is not None else None

    def show_selected(self) -> None:
        item = self.selected()
        self.query_one(f"#{self.PANEL_ID}", Static).update("" if item is None else self.describe(item))

    def highlighted(self, row: int) -> None:
        """Called after the cursor moved to ``row`` (the audit loads older pages from here)."""

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_selected()
        self.highlighted(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        pass

    def action_back(self) -> None:
        self.host.show_mode("executions")
