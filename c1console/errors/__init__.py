"""The C1 error catalogue: codes, bilingual messages, action guides and exception classes.

Every failure recorded on an execution or a unit carries one code ``C1-<CAT>-<NNN>``: ``CAT`` is one of
the six categories of the spec's failure taxonomy (INP, EXT, BAT, DQ, LOG, SYS) and ``NNN`` is a number
that is unique across all categories. Each code has a short title, a message for end users (no
internals), an operator message (the cause) and an action guide, in English and Korean.

- ``catalogue``: the codes themselves (data), ``lookup``; ``codes``: what an entry is, names for codes;
  ``bilingual``: ``Text`` and the operator's ``language()``.
- ``job_errors``: the exceptions job authors raise (``InputDataError`` ...); ``classification``:
  ``classify(exc)`` for anything else a job raises.
- ``problems``: what the CLI and the ops layer raise to the operator (``Problem`` and its subclasses).
- ``rendering``: ``c1console errors`` (text and JSON); ``docs``: docs/error-codes.md
  (``python -m c1console.errors.docs > docs/error-codes.md``).

Import from ``c1console.errors``: the names below are its public API.
"""

from __future__ import annotations

from c1console.errors.bilingual import Lang, Text, language
from c1console.errors.catalogue import CATALOGUE, CATEGORIES, lookup
from c1console.errors.classification import classify
from c1console.errors.codes import (
    BATCH_FAILED,
    DATA_GAP,
    DUPLICATE_RECORDS,
    EXTERNAL_REJECTED,
    EXTERNAL_TIMEOUT,
    EXTERNAL_UNAVAILABLE,
    INPUT_MALFORMED,
    INPUT_MISSING,
    JOB_NOT_REGISTERED,
    RUNNER_LOST,
    RUNNER_SHUTDOWN,
    SYSTEM_FAILURE,
    UNCLASSIFIED,
    UNEXPECTED_RESULT,
    VALIDATION_FAILED,
    ErrorCode,
)
from c1console.errors.job_errors import (
    BatchError,
    DataQualityError,
    ExternalError,
    InputDataError,
    JobError,
    LogicError,
    SystemFailure,
)
from c1console.errors.problems import (
    BadInput,
    BrokenInstall,
    CheckFailed,
    DatabaseUnavailable,
    Problem,
    Refused,
    one_line,
)
from c1console.errors.rendering import action_steps, render_json, render_text

# Every code's name is public too (tests/test_errors.py checks that the names cover the catalogue).
__all__ = [
    "BATCH_FAILED",
    "CATALOGUE",
    "CATEGORIES",
    "DATA_GAP",
    "DUPLICATE_RECORDS",
    "EXTERNAL_REJECTED",
    "EXTERNAL_TIMEOUT",
    "EXTERNAL_UNAVAILABLE",
    "INPUT_MALFORMED",
    "INPUT_MISSING",
    "JOB_NOT_REGISTERED",
    "RUNNER_LOST",
    "RUNNER_SHUTDOWN",
    "SYSTEM_FAILURE",
    "UNCLASSIFIED",
    "UNEXPECTED_RESULT",
    "VALIDATION_FAILED",
    "BadInput",
    "BatchError",
    "BrokenInstall",
    "CheckFailed",
    "DataQualityError",
    "DatabaseUnavailable",
    "ErrorCode",
    "ExternalError",
    "InputDataError",
    "JobError",
    "Lang",
    "LogicError",
    "Problem",
    "Refused",
    "SystemFailure",
    "Text",
    "action_steps",
    "classify",
    "language",
    "lookup",
    "one_line",
    "render_json",
    "render_text",
]

# These exceptions are known by this module's name: a unit's stored traceback ends in
# "c1console.errors.DataQualityError: ...", and a pickled one is looked up here.
for _exception in (
    Problem,
    CheckFailed,
    BadInput,
    DatabaseUnavailable,
    Refused,
    BrokenInstall,
    JobError,
    InputDataError,
    ExternalError,
    BatchError,
    DataQualityError,
    LogicError,
    SystemFailure,
):
    _exception.__module__ = __name__
del _exception
