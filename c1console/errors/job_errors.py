"""The exceptions job authors raise on purpose, each carrying a catalogue code."""

from __future__ import annotations

from typing import ClassVar

from c1console.errors.catalogue import CATALOGUE
from c1console.errors.codes import (
    BATCH_FAILED,
    EXTERNAL_TIMEOUT,
    INPUT_MISSING,
    SYSTEM_FAILURE,
    UNCLASSIFIED,
    VALIDATION_FAILED,
    ErrorCode,
)


class JobError(Exception):
    """A failure a job raises on purpose, carrying a catalogue code.

    Subclasses set ``category`` and ``default_code``; ``code=`` picks another code of the same category,
    e.g. ``raise InputDataError("price file has NULL close", code="C1-INP-009")``.
    """

    category: ClassVar[str | None] = None
    default_code: ClassVar[str] = BATCH_FAILED
    code: str
    message: str

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._checked(cls.default_code)

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        self.code = self._checked(self.default_code if code is None else code)
        self.message = message
        super().__init__(message or CATALOGUE[self.code].title.en)

    @classmethod
    def _checked(cls, code: str) -> str:
        entry = CATALOGUE.get(code)
        if entry is None:
            raise ValueError(f"unknown error code {code!r}: see docs/error-codes.md for the catalogue")
        if cls.category is not None and entry.category != cls.category:
            raise ValueError(f"{cls.__name__} takes {cls.category} codes, not {code}")
        return code

    @property
    def entry(self) -> ErrorCode:
        return CATALOGUE[self.code]


class InputDataError(JobError):
    category = "INP"
    default_code = INPUT_MISSING


class ExternalError(JobError):
    category = "EXT"
    default_code = EXTERNAL_TIMEOUT


class BatchError(JobError):
    category = "BAT"
    default_code = BATCH_FAILED


class DataQualityError(JobError):
    category = "DQ"
    default_code = VALIDATION_FAILED


class LogicError(JobError):
    category = "LOG"
    default_code = UNCLASSIFIED


class SystemFailure(JobError):
    category = "SYS"
    default_code = SYSTEM_FAILURE
