"""The audit log, newest first and paged in SQL; filters; `v` verifies the hash chain.

`f` filters in SQL by actor, action and execution; `/` narrows the loaded rows by any text (older pages
load as the cursor reaches the end, and at most MAX_AUTO_PAGES are fetched on their own to fill a view).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.widget import Widget

from c1console.queries import PAGE, AuditEntry
from c1console.screens.cells import one_line, when
from c1console.screens.detail import DetailScreen
from c1console.screens.dialogs import AuditFilter, AuditFilterDialog
from c1console.screens.keys import Key, bindings
from c1console.screens.lists import ListScreen
from c1console.screens.search import SearchBox
from c1console.screens.tables import cursor_key, move_cursor_to
from c1console.screens.workers import problem_text

if TYPE_CHECKING:
    from c1console.queries import ChainReport
    from c1console.screens.clipboard import Copy

PAGE_AHEAD = 3
MIN_VISIBLE = 40
MAX_AUTO_PAGES = 10


def haystack(a: AuditEntry) -> str:
    details = json.dumps(a.details, default=str, ensure_ascii=False)
    return " ".join([a.actor, a.action, a.object_type, a.object_id, a.reason or "", details]).lower()


class AuditScreen(ListScreen[AuditEntry]):
    KEYS: ClassVar[tuple[Key, ...]] = (
        Key("enter", "open", "open", "Open the execution of the selected entry", bind=False),
        Key("slash", "search", "search", "Narrow the loaded entries by any text", display="/"),
        Key("f", "filter", "filter", "Filter by actor, action and execution (in SQL)"),
        Key("x", "clear_filters", "clear", "Clear the search and the filters", footer=False),
        Key("v", "verify", "verify", "Verify the audit hash chain"),
        Key("escape", "back", "back", "Close the search box, else back to the executions", display="esc"),
    )
    BINDINGS: ClassVar[list[BindingType]] = bindings(KEYS)

    TITLE = "Audit"
    TABLE_ID = "audit"
    PANEL_ID = "audit-detail"
    COLUMNS = (
        ("id", "ID"),
        ("at", "AT"),
        ("actor", "ACTOR"),
        ("action", "ACTION"),
        ("object", "OBJECT"),
        ("reason", "REASON"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.flt = AuditFilter()
        self.text: str | None = None
        self.has_more = False
        self.loading_more = False
        self.auto_pages = 0
        self.verdict: Text | None = None  # verifying, or why it could not; else the report says it
        self.report: ChainReport | None = None  # the last verification
        self._search_from: str | None = None  # the entry selected when the search box opened

    def extra_widgets(self) -> Iterator[Widget]:
        yield SearchBox(
            "search the loaded entries — enter keeps, esc restores",
            apply=self._searched,
            focus_after=lambda: self.table,
            restore=self._search_restored,
        )

    @property
    def search(self) -> SearchBox:
        return self.query_one(SearchBox)

    def item_key(self, item: AuditEntry) -> str:
        return str(item.audit_id)

    # Loading -------------------------------------------------------------------------------------------

    def fetch(self, before_id: int | None = None) -> list[AuditEntry]:
        f = self.flt
        return self.services.queries.audit(
            limit=PAGE + 1, before_id=before_id, actor=f.actor, action=f.action, execution_id=f.execution_id
        )

    def load(self) -> None:
        flt = self.flt
        self.auto_pages = 0
        self._poll_worker = self.call_db(
            lambda: self.fetch(),
            lambda rows: self._first(flt, rows),
            failed=self.failed,
            group="page",
            exclusive=True,
        )

    def _first(self, flt: AuditFilter, rows: list[AuditEntry]) -> None:
        if flt != self.flt:
            return
        self.has_more = len(rows) > PAGE
        self.show(rows[:PAGE])

    def shown_items(self) -> list[AuditEntry]:
        needle = (self.text or "").lower()
        rows = sorted(self.items.values(), key=lambda a: a.audit_id, reverse=True)
        return [a for a in rows if needle in haystack(a)] if needle else rows

    def render_rows(self) -> None:
        super().render_rows()
        if (
            self.text
            and self.has_more
            and self.table.row_count < MIN_VISIBLE
            and self.auto_pages < MAX_AUTO_PAGES
        ):
            self.auto_pages += 1
            self.load_more()

    def cells(self, a: AuditEntry) -> tuple[Any, ...]:
        obj = f"{a.object_type} {a.object_id}"
        return (
            Text(str(a.audit_id), justify="right"),
            when(a.at, self.tz),
            a.actor,
            a.action,
            obj,
            one_line(a.reason, 80),
        )

    def oldest_id(self) -> int:
        return min(a.audit_id for a in self.items.values())

    def load_more(self) -> None:
        if not self.has_more or self.loading_more or not self.items:
            return
        self.loading_more = True
        flt, before = self.flt, self.oldest_id()

        def done(rows: list[AuditEntry]) -> None:
            self.loading_more = False
            if flt != self.flt:
                return
            self.has_more = len(rows) > PAGE
            self.items.update((self.item_key(a), a) for a in rows[:PAGE])
            self.render_rows()

        def failed(exc: BaseException) -> None:
            self.loading_more = False

        self.call_db(lambda: self.fetch(before), done, failed=failed, group="more")

    def audit_changed(self, audit_ids: Sequence[int]) -> None:
        self.poll()

    def poll(self) -> None:
        if not self.loaded:
            self.load()
            return
        if self.polling():
            return
        flt = self.flt

        def done(rows: list[AuditEntry]) -> None:
            if flt != self.flt:
                return
            newest = max((a.audit_id for a in self.items.values()), default=0)
            fresh = [a for a in rows[:PAGE] if a.audit_id > newest]
            if fresh:
                self.items.update((self.item_key(a), a) for a in fresh)
                self.render_rows()

        self._poll_worker = self.call_db(lambda: self.fetch(), done, group="poll")

    # Info and detail -----------------------------------------------------------------------------------

    def update_info(self) -> None:
        line = Text(" ")
        verdict = self.verdict if self.verdict is not None else self.report_text()
        if verdict is not None:
            line.append_text(verdict)
            line.append("  │ ")
        shown, loaded = self.table.row_count, len(self.items)
        line.append(f"{shown} of {loaded} loaded" if self.text else f"{loaded} loaded")
        if self.has_more:
            line.append(" · more below ↓")
        described = "; ".join(p for p in (self.flt.describe(), f"'{self.text}'" if self.text else "") if p)
        if described:
            line.append("  │ filter: ")
            line.append(described, style="bold")
            line.append(" (x clears)", style="dim")
        self.info.update(line)

    def describe(self, a: AuditEntry) -> Text:
        text = Text.assemble(
            (f"#{a.audit_id} ", "bold"),
            f"{when(a.at, self.tz)} ",
            (a.actor, "bold"),
            " ",
            (a.action, "bold"),
            f" {a.object_type} {a.object_id}",
        )
        if a.reason:
            text.append(f"\nreason: {one_line(a.reason, 300)}")
        if a.details:
            text.append(
                "\n" + one_line(json.dumps(a.details, default=str, ensure_ascii=False), 300), style="dim"
            )
        text.append(f"\nhash {a.hash[:16]}…", style="dim")
        return text

    def highlighted(self, row: int) -> None:
        if row >= self.table.row_count - PAGE_AHEAD:
            self.load_more()

    # Keys ----------------------------------------------------------------------------------------------

    def action_open(self) -> None:
        a = self.selected()
        if a is not None and a.execution_id is not None:
            self.app.push_screen(DetailScreen(a.execution_id))
        elif a is not None:
            self.notify(f"entry #{a.audit_id} is about {a.object_type} {a.object_id}, not an execution")

    def to_copy(self, detail: bool) -> Copy | None:
        """y: the selected entry's id; Y: its reason."""
        a = self.selected()
        if a is None:
            return None
        return (a.reason or "", "audit reason") if detail else (str(a.audit_id), "audit id")

    def on_key(self, event: events.Key) -> None:
        self.search.take(event, self.action_search)

    def action_search(self) -> None:
        self._search_from = cursor_key(self.table)
        self.search.open(self.text)

    def _searched(self, text: str | None) -> None:
        self.text = text
        self.auto_pages = 0
        self.render_rows()

    def _search_restored(self, text: str | None) -> None:
        """esc in the box: the search before it opened, the cursor back on the entry it was on."""
        self._searched(text)
        if self._search_from is not None:
            move_cursor_to(self.table, self._search_from)

    def action_back(self) -> None:
        if self.search.is_open:
            self.search.cancel()
        else:
            self.host.show_mode("executions")

    def action_clear_filters(self) -> None:
        self.text = None
        if self.flt != AuditFilter():
            self.flt = AuditFilter()
            self.load()
        else:
            self.render_rows()

    def action_filter(self) -> None:
        def chosen(flt: AuditFilter | None) -> None:
            if flt is not None:  # applied, even unchanged: read now (a paused console too)
                self.flt = flt
                self.load()

        self.app.push_screen(AuditFilterDialog(self.flt), chosen)

    def action_verify(self) -> None:
        self.verdict = Text("verifying the chain…", style="bold")
        self.update_info()
        self.call_db(
            self.services.queries.verify_audit, self._verified, failed=self._verify_failed, group="verify"
        )

    def report_text(self) -> Text | None:
        """The last verification, saying what it covered: the chain walks ids 1, 2, … with no gap, so the
        rows it verified are #1 to #rows; rows shown beyond them are said to be unverified."""
        report = self.report
        if report is None:
            return None
        if not report.ok:
            return Text(
                f"✖ chain BROKEN at row {report.broken_at}: {report.problem} "
                f"({report.rows} rows verified before it)",
                style="bold red",
            )
        newer = sum(1 for a in self.items.values() if a.audit_id > report.rows)
        if not newer:
            return Text(f"✔ chain OK up to #{report.rows}, head {report.head[:12]}…", style="bold green")
        return Text.assemble(
            (f"✔ chain OK up to #{report.rows}", "bold green"),
            (f" ({newer} newer row{'s' if newer != 1 else ''} not verified — v)", "yellow"),
        )

    def _verified(self, report: ChainReport) -> None:
        self.verdict, self.report = None, report
        if report.ok:
            self.notify(
                f"audit chain OK up to #{report.rows}, head {report.head}", title="verified", timeout=10
            )
        else:
            self.notify(
                f"audit chain broken at row {report.broken_at}: {report.problem}",
                severity="error",
                title="verify",
                timeout=20,
            )
            if report.broken_at is not None:
                move_cursor_to(self.table, str(report.broken_at))
        self.update_info()

    def _verify_failed(self, exc: BaseException) -> None:
        self.verdict = Text(f"verify failed: {problem_text(exc)}", style="red")
        self.update_info()
