"""Texts in English and Korean, and which of the two the operator reads."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from c1console.errors.problems import BadInput

Lang = Literal["en", "ko"]
LANGUAGES: tuple[Lang, ...] = ("en", "ko")


@dataclass(frozen=True)
class Text:
    """One text in both languages."""

    en: str
    ko: str

    def __post_init__(self) -> None:
        if not self.en.strip() or not self.ko.strip():
            raise ValueError(f"a Text needs both an English and a Korean text: {self!r}")

    def get(self, lang: Lang) -> str:
        if lang == "en":
            return self.en
        if lang == "ko":
            return self.ko
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "ko": self.ko}


def language(env: Mapping[str, str] | None = None) -> Lang:
    """The operator's language: C1_LANG (en|ko) wins, else the POSIX locale variables, else English."""
    environ: Mapping[str, str] = os.environ if env is None else env
    chosen = environ.get("C1_LANG", "").strip()
    if chosen:
        if chosen.lower() == "ko":
            return "ko"
        if chosen.lower() == "en":
            return "en"
        raise BadInput(f"C1_LANG={chosen!r} is not a supported language", hint="set C1_LANG to en or ko")
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = environ.get(name, "").strip()
        if locale:  # the first one set decides, as in POSIX
            return "ko" if locale.lower().startswith("ko") else "en"
    return "en"
