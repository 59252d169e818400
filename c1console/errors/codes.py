"""What an error code is (``C1-<CAT>-<NNN>`` with its texts), and names for the codes other modules set."""

from __future__ import annotations

import re
from dataclasses import dataclass

from c1console.errors.bilingual import Text

CODE_PATTERN = re.compile(r"^C1-(INP|EXT|BAT|DQ|LOG|SYS)-(\d{3})$")


@dataclass(frozen=True)
class ErrorCode:
    """One catalogue entry."""

    code: str
    category: str
    title: Text
    user_message: Text
    operator_message: Text
    action: Text
    transient: bool = False

    def __post_init__(self) -> None:
        match = CODE_PATTERN.match(self.code)
        if match is None:
            raise ValueError(f"error code {self.code!r} does not match C1-<CAT>-<NNN>")
        if match.group(1) != self.category:
            raise ValueError(f"error code {self.code} is not in category {self.category}")

    @property
    def number(self) -> int:
        return int(self.code.rsplit("-", 1)[1])

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "category": self.category,
            "transient": self.transient,
            "title": self.title.as_dict(),
            "user_message": self.user_message.as_dict(),
            "operator_message": self.operator_message.as_dict(),
            "action": self.action.as_dict(),
        }


# Names for the codes other modules set themselves (the catalogue in catalogue.py is the source of truth).
INPUT_MISSING = "C1-INP-001"
INPUT_MALFORMED = "C1-INP-009"
EXTERNAL_TIMEOUT = "C1-EXT-002"
EXTERNAL_UNAVAILABLE = "C1-EXT-010"
EXTERNAL_REJECTED = "C1-EXT-016"
BATCH_FAILED = "C1-BAT-003"
RUNNER_LOST = "C1-BAT-007"
JOB_NOT_REGISTERED = "C1-BAT-015"
VALIDATION_FAILED = "C1-DQ-004"
DUPLICATE_RECORDS = "C1-DQ-011"
DATA_GAP = "C1-DQ-012"
UNCLASSIFIED = "C1-LOG-005"
UNEXPECTED_RESULT = "C1-LOG-013"
SYSTEM_FAILURE = "C1-SYS-006"
RUNNER_SHUTDOWN = "C1-SYS-014"
