"""The result history of one unit's key (job, business date, target), opened with ``h`` from the
drill-down's Units tab: the compensations screen's result history screen, for a key instead of a
compensation.

The drill-down cannot import it (this module imports the compensations screen, which imports the
drill-down): the app opens it for the drill-down (``Host.show_result_history``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from c1console.screens.compensations import HistoryScreen
from c1console.screens.keys import Key
from c1console.screens.lists import ListScreen

if TYPE_CHECKING:
    from c1console.queries import Version


class UnitHistoryScreen(HistoryScreen):
    """Every version of a unit's result key, oldest first: which execution or compensation made each, which
    one is active."""

    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("escape", "back", "back", "Back to the execution", display="esc"),
        Key("enter", "open", "open", "Open the execution that made the selected version", bind=False),
    )

    def __init__(self, job_id: str, business_date: date, target_key: str) -> None:
        ListScreen.__init__(self)  # HistoryScreen's own takes a compensation, which this key has not
        self.job_id, self.business_date, self.target_key = job_id, business_date, target_key

    def header(self) -> str:
        return f"History {self.job_id} {self.business_date} {self.target_key}"

    def fetcher(self) -> Callable[[], list[Version]]:
        job_id, day, target, queries = self.job_id, self.business_date, self.target_key, self.services.queries
        return lambda: queries.result_history(job_id, day, target)
