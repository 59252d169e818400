"""The `/` search box (visible above the key bar, narrowing as you type, `#id`, esc restoring) and the
cursor at the top following new executions, on fixed data."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Input

from c1console.queries import ExecutionFilter
from c1console.screens.audit import AuditScreen
from c1console.screens.executions import ExecutionsScreen, parse_search
from c1console.screens.keys import KeyBar
from tests.console import fixed
from tests.console.test_console_keys import home, info, selected_id
from tests.runtime import wait_for

pytestmark = pytest.mark.anyio
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def assert_visible(screen: Any, box: Input) -> None:
    """The box is displayed, above the key bar, and nothing is drawn over it."""
    bar = screen.query_one(KeyBar)
    assert box.display and box.region.height == 1 and box.region.width > 0
    assert box.region.bottom <= bar.region.y, (box.region, bar.region)
    widget, _ = screen.get_widget_at(box.region.x + 1, box.region.y)
    assert widget is box


def box_text(box: Input) -> str:
    return str(box.render_line(0).text)


async def narrowed(pilot: Pilot[Any], screen: ExecutionsScreen, text: str | None) -> None:
    await wait_for(
        pilot,
        lambda: screen.flt.text == text and screen.loaded and not screen.loading,
        what=f"the table narrowed to {text!r}",
    )
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
async def test_the_search_box_is_visible_and_narrows_as_you_type(size: tuple[int, int]) -> None:
    app = fixed.build_app()
    async with app.run_test(size=size) as pilot:
        screen = await home(pilot)
        await pilot.press("slash", *"C1-EXT")
        box = screen.search
        await pilot.pause()
        assert_visible(screen, box)
        assert box.value == "C1-EXT" and "C1-EXT" in box_text(box)
        # before enter: the table narrows, through the same read as enter
        await narrowed(pilot, screen, "C1-EXT")
        assert box.is_open and box.has_focus
        assert screen.rows and all("C1-EXT" in (e.error_code or "") for e in screen.rows.values())
        assert screen.table.row_count == len(screen.rows)
        assert "'C1-EXT'" in info(screen)
        # enter keeps it
        await pilot.press("enter")
        assert not box.is_open and screen.table.has_focus
        assert screen.flt.text == "C1-EXT" and "'C1-EXT'" in info(screen)


async def test_the_audit_search_box_is_visible_and_narrows_as_you_type() -> None:
    app = fixed.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("3")
        screen = await wait_for(
            pilot, lambda: isinstance(app.screen, AuditScreen) and app.screen.loaded and app.screen
        )
        everything = screen.table.row_count
        await pilot.press("slash", *"bob")
        await pilot.pause()
        assert_visible(screen, screen.search)
        await wait_for(pilot, lambda: screen.text == "bob", what="the audit narrowed")
        assert 0 < screen.table.row_count < everything and "'bob'" in info(screen)
        await pilot.press("escape")
        assert screen.text is None and screen.table.row_count == everything and not screen.search.is_open


async def test_keys_typed_in_one_burst_after_slash_land_in_the_box() -> None:
    """As tmux send-keys, a paste or a fast typist sends them: all queued before the box has the focus."""
    app = fixed.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(pilot)
        for ch in "/C1-EXT":
            app.post_message(events.Key(_character_to_key(ch), ch))
        await narrowed(pilot, screen, "C1-EXT")
        assert app.screen is screen and screen.search.value == "C1-EXT" and screen.search.has_focus
        assert_visible(screen, screen.search)
        screen.table.focus()  # the box open, the table clicked: what is typed still goes to the box
        await pilot.pause()
        for _ in range(6):
            app.post_message(events.Key("backspace", "\x08"))
        for ch in "#1040":
            app.post_message(events.Key(_character_to_key(ch), ch))
        app.post_message(events.Key("enter", "\r"))
        await narrowed(pilot, screen, "1040")
        assert set(screen.rows) == {1040}


async def test_escape_restores_the_search_before_the_box_opened() -> None:
    app = fixed.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(pilot)
        everything = len(screen.rows)
        await pilot.press("slash", *"recon", "enter")
        await narrowed(pilot, screen, "recon")
        await pilot.press("down", "down")
        assert selected_id(screen) == 1042
        await pilot.press("slash")
        assert screen.search.value == "recon"  # the search of now, selected: typing replaces it
        await pilot.press(*"C1-DQ")
        await narrowed(pilot, screen, "C1-DQ")
        await pilot.press("escape")  # back to 'recon', the box closed
        await narrowed(pilot, screen, "recon")
        assert not screen.search.is_open and {e.job_id for e in screen.rows.values()} == {fixed.RECON}
        assert selected_id(screen) == 1042  # the cursor back where it was
        await pilot.press("slash", *"zzz-nothing")
        await narrowed(pilot, screen, "zzz-nothing")
        assert not screen.rows and "no executions match" in info(screen)
        await pilot.press("escape")
        await narrowed(pilot, screen, "recon")
        await pilot.press("escape")  # no box open: clears the filters
        await narrowed(pilot, screen, None)
        assert screen.flt == ExecutionFilter() and len(screen.rows) == everything


async def test_a_hash_and_an_id_find_that_execution() -> None:
    assert parse_search("#1040") == "1040" and parse_search(" #89 ") == "89"
    assert parse_search("#recon") == "#recon" and parse_search("  ") is None
    app = fixed.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(pilot)
        await pilot.press("slash", *"#1040")
        await narrowed(pilot, screen, "1040")
        assert set(screen.rows) == {1040}
        await pilot.press("enter")
        assert set(screen.rows) == {1040} and selected_id(screen) == 1040


def newer(screen: ExecutionsScreen, execution_id: int) -> Any:
    return replace(screen.rows[max(screen.rows)], execution_id=execution_id, status="READY")


async def test_the_cursor_at_the_top_follows_new_executions() -> None:
    app = fixed.build_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(pilot)
        assert screen.table.cursor_row == 0 and selected_id(screen) == 1050
        screen.apply([newer(screen, 1051)])
        await pilot.pause()
        assert screen.table.cursor_row == 0 and selected_id(screen) == 1051
        screen.apply([newer(screen, 1052), newer(screen, 1053)])
        await pilot.pause()
        assert screen.table.cursor_row == 0 and selected_id(screen) == 1053
        # anywhere else, the cursor stays on its execution
        await pilot.press("down", "down")
        assert selected_id(screen) == 1051
        screen.apply([newer(screen, 1054)])
        await pilot.pause()
        assert selected_id(screen) == 1051 and screen.table.cursor_row == 3
        # a change in place (no new execution) at the top leaves the cursor where it is
        await pilot.press("home")
        await wait_for(pilot, lambda: selected_id(screen) == 1054)
        screen.apply([replace(screen.rows[1054], status="RUNNING")])
        await pilot.pause()
        assert selected_id(screen) == 1054 and screen.table.cursor_row == 0
