from __future__ import annotations

import pytest

from tests.faults.stats import COUNTS


@pytest.fixture
def anyio_backend() -> str:
    """The console tests of the suite run on asyncio through anyio's pytest plugin."""
    return "asyncio"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COUNTS:
        terminalreporter.section("fault suite")
        for name, count in sorted(COUNTS.items()):
            terminalreporter.write_line(f"{name}: {count}")
