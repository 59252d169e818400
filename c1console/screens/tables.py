"""The console's tables: a row cursor, rows keyed by id, home/end (g/G) to the first/last row; the
executions table (``HistoryTable``), whose home/end reach rows that are not loaded."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, CellKey, RowDoesNotExist, RowKey


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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home,g", "scroll_top", "first row", show=False),
        Binding("end,G", "scroll_bottom", "last row", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False, cell_padding=1)


def _two_way_dict() -> Callable[[dict[RowKey, int]], Any] | None:
    """The DataTable's row index type (internal to Textual: None if it ever moves)."""
    try:
        from textual._two_way_dict import TwoWayDict
    except ImportError:  # pragma: no cover - a Textual that reorganised its internals
        return None
    return TwoWayDict


class HistoryTable(ConsoleTable):
    """The executions table: home/g and end/G reach the newest and the oldest execution even when they
    are not loaded (the screen loads their page directly, then calls ``first_row``/``last_row``)."""

    def __init__(self, *, id: str, newest: Callable[[], None], oldest: Callable[[], None]) -> None:
        super().__init__(id=id)
        self._newest, self._oldest = newest, oldest

    def action_scroll_top(self) -> None:
        self._newest()

    def action_scroll_bottom(self) -> None:
        self._oldest()

    def first_row(self) -> None:
        super().action_scroll_top()

    def last_row(self) -> None:
        super().action_scroll_bottom()

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Removes many rows in one pass. ``DataTable.remove_row`` re-indexes every row and re-clamps the
        cursor and hover for each row removed (a page of 100 out of 600 rows: ~0.3 s, the cost growing with
        the window); this re-indexes once. It uses the table's row index (``_row_locations``, ``_data``,
        the same since Textual 0.80); a table without it gets ``remove_row`` one by one."""
        gone = {RowKey(key) for key in keys}
        two_way = _two_way_dict()
        internals = ("_row_locations", "_data", "_updated_cells")
        if two_way is None or not all(hasattr(self, name) for name in internals):
            for key in gone:
                self.remove_row(key)
            return
        kept = [row.key for row in self.ordered_rows if row.key not in gone]
        for key in gone:
            del self.rows[key]
            for column_key in self._data.pop(key):
                self._updated_cells.discard(CellKey(key, column_key))
        self._row_locations = two_way({key: index for index, key in enumerate(kept)})
        self._require_update_dimensions = True
        self._update_count += 1
        self.cursor_coordinate = self.cursor_coordinate
        self.hover_coordinate = self.hover_coordinate
        self.check_idle()
        self.refresh(layout=True)
