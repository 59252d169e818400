"""Keys: one declaration per key gives its binding, its key-bar label and its line of help; the key bar."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Protocol, cast

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.widget import Widget


@dataclass(frozen=True)
class Key:
    """One key: its binding, its footer label and its line in the help screen and the command palette."""

    key: str  # Textual key name(s), comma-separated
    action: str
    label: str  # short, for the key bar
    help: str  # one line, for the help screen and the command palette
    display: str = ""  # how the key reads on screen (defaults to the key)
    act: bool = False  # changes something: hidden and refused for viewers
    footer: bool = True
    bind: bool = True  # False: a widget handles it (enter on a table)

    @property
    def shown(self) -> str:
        return self.display or self.key


def bindings(keys: Iterable[Key]) -> list[BindingType]:
    return [Binding(k.key, k.action, k.label, show=False) for k in keys if k.bind]


class KeySource(Protocol):
    """What the key bar reads of the app: its own keys, whether the operator may act, a key's label now."""

    KEYS: ClassVar[tuple[Key, ...]]

    @property
    def can_act(self) -> bool: ...

    def key_label(self, key: Key) -> str: ...


class KeyBar(Widget):
    """The keys of this screen and the global ones, packed into as few lines as the width allows."""

    DEFAULT_CSS = "KeyBar { dock: bottom; height: auto; background: $panel; padding: 0 1; }"

    def on_mount(self) -> None:
        for name in ("live", "can_act"):
            self.watch(self.app, name, self._changed, init=False)

    def _changed(self, _value: object) -> None:
        self.refresh(layout=True)

    def items(self) -> list[Text]:
        app = cast(KeySource, self.app)
        screen_keys: tuple[Key, ...] = getattr(self.screen, "KEYS", ())
        keys = [*screen_keys, *app.KEYS]
        seen: set[str] = set()
        items = []
        for k in keys:
            if not k.footer or (k.act and not app.can_act) or k.shown in seen:
                continue
            seen.add(k.shown)
            item = Text.assemble((k.shown, "bold reverse"), " ", app.key_label(k))
            items.append(item)
        return items

    def lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        line = Text()
        for item in self.items():
            if line.cell_len and line.cell_len + 2 + item.cell_len > width:
                lines.append(line)
                line = Text()
            if line.cell_len:
                line.append("  ")
            line.append_text(item)
        if line.cell_len:
            lines.append(line)
        return lines or [Text()]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.content_region.width or self.size.width))
