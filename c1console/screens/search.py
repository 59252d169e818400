"""The `/` search box of the executions and audit screens: one line at the bottom, hidden until asked.

``open`` shows it with the text searched now; ``enter`` checks the text (a refusal keeps the box open and
says why), closes the box and hands the text (None when blank) to the screen; ``close`` (the screen's esc)
hides it. Either way the focus goes back to the screen's table.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget
from textual.widgets import Input

from c1console.errors import Problem
from c1console.screens.workers import problem_text


def stripped(value: str) -> str | None:
    """The text as typed, without surrounding blanks; None when blank."""
    return value.strip() or None


class SearchBox(Input):
    def __init__(
        self,
        placeholder: str,
        *,
        apply: Callable[[str | None], None],
        focus_after: Callable[[], Widget],
        parse: Callable[[str], str | None] = stripped,
    ) -> None:
        super().__init__(placeholder=placeholder, id="search", compact=True)
        self.display = False
        self._apply, self._focus_after, self._parse = apply, focus_after, parse

    @property
    def is_open(self) -> bool:
        return self.display

    def open(self, text: str | None) -> None:
        self.value = text or ""
        self.display = True
        self.focus()

    def close(self) -> None:
        self.display = False
        self._focus_after().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            text = self._parse(event.value)
        except Problem as problem:
            self.notify(problem_text(problem), severity="error", title="search")
            return
        self.close()
        self._apply(text)
