"""The catalogue as ``c1console errors`` prints it: text wrapped for a terminal (Hangul counts double), or
JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from c1console.errors.bilingual import Lang
from c1console.errors.catalogue import CATALOGUE, CATEGORIES
from c1console.errors.codes import ErrorCode

_TEXT_WIDTH = 78
_LABELS: dict[Lang, tuple[str, str, str]] = {
    "en": ("Cause: ", "Action:", "[transient]"),
    "ko": ("원인:  ", "조치:  ", "[일시 오류]"),
}


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


_WORD = re.compile(r"\S*`[^`]*`\S*|\S+")


def _wrap(text: str, width: int) -> Iterator[str]:
    """Split ``text`` at spaces into lines of at most ``width`` terminal columns (Hangul counts double).

    A `command` in backticks is never split, so it can be copied from the terminal in one piece.
    """
    line = ""
    for word in _WORD.findall(text):
        candidate = f"{line} {word}" if line else word
        if line and _display_width(candidate) > width:
            yield line
            candidate = word
        line = candidate
    if line:
        yield line


_STEP = re.compile(r"\s+(?=\d\) )")


def action_steps(action: str) -> list[str]:
    """An action guide split into its numbered steps ("1) ...", "2) ..."); one item when unnumbered."""
    return _STEP.split(action.strip())


def _labelled(label: str, paragraphs: list[str], indent: str) -> list[str]:
    prefix = f"{indent}{label} "
    continuation = " " * _display_width(prefix)
    width = _TEXT_WIDTH - _display_width(prefix)
    lines = [line for paragraph in paragraphs for line in _wrap(paragraph, width)]
    return [(prefix if i == 0 else continuation) + line for i, line in enumerate(lines)]


def _render_entry(entry: ErrorCode, lang: Lang) -> list[str]:
    cause, action, transient = _LABELS[lang]
    heading = f"  {entry.code:<11} {entry.title.get(lang)}"
    if entry.transient:
        heading += f"  {transient}"
    lines = [heading]
    lines += _labelled(cause, [entry.operator_message.get(lang)], "      ")
    lines += _labelled(action, action_steps(entry.action.get(lang)), "      ")
    return lines


def render_text(lang: Lang) -> str:
    """The catalogue as a readable list in ``lang``, grouped by category."""
    lines: list[str] = []
    for category, name in CATEGORIES.items():
        lines.append(f"{category} — {name.get(lang)}")
        for entry in CATALOGUE.values():
            if entry.category == category:
                lines += _render_entry(entry, lang)
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_json() -> str:
    """The catalogue as a JSON list of ``ErrorCode.as_dict()``, both languages included."""
    return json.dumps([entry.as_dict() for entry in CATALOGUE.values()], ensure_ascii=False, indent=2)
