"""Console tests: async tests run on asyncio through anyio's pytest plugin (anyio comes with httpx)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """English texts and colour on, whatever the machine running the tests has set."""
    monkeypatch.setenv("C1_LANG", "en")
    monkeypatch.delenv("NO_COLOR", raising=False)
