"""The `/` search box of the executions and audit screens: one line above the key bar, hidden until asked.

``open`` shows it with the text searched now. The table narrows as you type: a quarter of a second after
the last key, the text (parsed as ``enter`` parses it) is handed to the screen, the same call as ``enter``
makes. ``enter`` checks the text (a refusal keeps the box open and says why), closes the box and hands the
text (None when blank) to the screen; ``cancel`` (esc) closes the box and hands back the text searched when
it opened, if typing had changed it (to ``restore``: the screen puts its cursor back too). Either way the
focus goes back to the screen's table.

The screens pass their keys through ``take``: keys typed (or pasted, or sent by ``tmux send-keys``) in one
burst after ``/`` are already on their way to the table when the box opens, and would otherwise be lost
(or taken for commands: ``1`` switches screens). The screen sees them in the order typed, so ``take``
opens the box on ``/`` and puts the keys after it in the box until the box has the focus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

from c1console.errors import Problem
from c1console.screens.workers import problem_text

NARROW_DELAY = 0.25  # seconds after the last key before the table narrows


def stripped(value: str) -> str | None:
    """The text as typed, without surrounding blanks; None when blank."""
    return value.strip() or None


class SearchBox(Input):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "close", show=False)]

    def __init__(
        self,
        placeholder: str,
        *,
        apply: Callable[[str | None], None],
        focus_after: Callable[[], Widget],
        parse: Callable[[str], str | None] = stripped,
        restore: Callable[[str | None], None] | None = None,
    ) -> None:
        super().__init__(placeholder=placeholder, id="search", compact=True, select_on_focus=False)
        self.display = False
        self._apply, self._focus_after, self._parse = apply, focus_after, parse
        self._restore = restore or apply  # esc: the search before (the screen may put the cursor back too)
        self._before: str | None = None  # the text searched when the box opened (esc goes back to it)
        self._applied: str | None = None  # the text last handed to the screen
        self._timer: Timer | None = None

    @property
    def is_open(self) -> bool:
        return self.display

    @property
    def narrowing(self) -> bool:
        """Whether the text typed is about to be handed to the screen (the quarter second after a key)."""
        return self._timer is not None

    def open(self, text: str | None) -> None:
        """Shows the search of now, selected (typing replaces it; an arrow key keeps it to edit)."""
        self._before = self._applied = text
        self.value = text or ""
        self.select_all()
        self.display = True
        self.focus()

    def take(self, event: events.Key, search: Callable[[], None]) -> None:
        """A key that reached the screen: ``/`` opens the box (``search``, the screen's action); while the
        box is open without the focus (it has not arrived yet, or the table was clicked), characters,
        backspace and enter go to the box and ``/`` gives it the focus."""
        if self.has_focus:
            return
        if not self.is_open:
            if event.key == "slash":
                search()
                self._taken(event)
            return
        if event.key == "slash":
            self.focus()
        elif event.is_printable and event.character is not None:
            self._type(event.character)
        elif event.key == "backspace":
            self.action_delete_left()
        elif event.key == "enter":
            self._submit(self.value)
        else:
            return
        self._taken(event)

    async def _on_key(self, event: events.Key) -> None:
        """A key that reached the box after it closed: it was queued behind the ``enter`` or ``esc`` that
        closed it (a burst: ``enter n``) and is the screen's, not a letter of the search. It goes on to
        the widget that has the focus now, in the order typed."""
        if self.is_open:
            # enter and esc are bindings, which Textual resolves only once the key has bubbled up to the
            # app, after the keys queued behind it were typed into the box: they are taken here, in order
            if event.key in ("enter", "escape"):
                self._taken(event)
                if event.key == "enter":
                    self._submit(self.value)
                else:
                    self.cancel()
            return  # other keys: Input's own handler (called next) types them
        self._taken(event)
        focused = self.screen.focused
        if focused is not None and focused is not self:
            focused.post_message(events.Key(event.key, event.character))

    @staticmethod
    def _taken(event: events.Key) -> None:
        event.stop()
        event.prevent_default()

    def _type(self, text: str) -> None:
        """As the box types a character: in place of the selection, else at the cursor."""
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)

    def close(self) -> None:
        """Hides the box and gives the focus back at once: ``Widget.focus`` would queue the change behind
        keys already on their way (``enter n`` in one burst would type the ``n`` into the hidden box)."""
        self._stop_timer()
        self.display = False
        self.screen.set_focus(self._focus_after())

    def cancel(self) -> None:
        """esc: closes the box; the search typed is dropped and the one before it comes back."""
        self.close()
        if self._applied != self._before:
            self._applied = self._before
            self._restore(self._before)

    def action_cancel(self) -> None:
        self.cancel()

    def _hand(self, text: str | None) -> None:
        self._applied = text
        self._apply(text)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.is_open:
            return
        self._stop_timer()
        self._timer = self.set_timer(NARROW_DELAY, self._narrow)

    def _narrow(self) -> None:
        """The table narrowed to the text typed so far (a text that would be refused narrows nothing:
        ``enter`` says why)."""
        self._timer = None
        if not self.is_open:
            return
        try:
            text = self._parse(self.value)
        except Problem:
            return
        if text != self._applied:
            self._hand(text)

    async def action_submit(self) -> None:
        """enter, handled as the key is (Input's own posts a message, handled after the keys behind it)."""
        self._submit(self.value)

    def _submit(self, value: str) -> None:
        try:
            text = self._parse(value)
        except Problem as problem:
            self.notify(problem_text(problem), severity="error", title="search")
            return
        self.close()
        self._hand(text)
