"""Problems reported to the operator: what the CLI and the ops layer raise.

The CLI prints ``str(exc)`` as one line on stderr and exits with ``exc.exit_code``.
"""

from __future__ import annotations

from typing import ClassVar


def one_line(text: str) -> str:
    """``text`` with its line breaks replaced by single spaces."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Problem(Exception):
    """A problem reported to the operator as one line (``message — hint``); the CLI exits with exit_code."""

    exit_code: ClassVar[int] = 1

    MAX_MESSAGE: ClassVar[int] = 400  # an echoed 100 KB input must not become a 100 KB "line"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = _clip(one_line(message), self.MAX_MESSAGE)
        self.hint = _clip(one_line(hint), self.MAX_MESSAGE) if hint else None
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class CheckFailed(Problem):
    exit_code = 1


class BadInput(Problem):
    exit_code = 2


class DatabaseUnavailable(Problem):
    exit_code = 3


class Refused(Problem):
    exit_code = 4


class BrokenInstall(Problem):
    """The installed package itself is incomplete: not the operator's input, not the database."""

    exit_code = 5
