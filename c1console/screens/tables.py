"""The console's tables: a row cursor, rows keyed by id, home/end (g/G) to the first/last row."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, RowDoesNotExist


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
