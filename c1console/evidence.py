"""What an operator hands in with a compensation request, read from files: the payload (inline JSON or
``@FILE``) and the evidence files. Shared by ``comp request`` (cli/compensations.py) and the console's
request dialog (which calls it from a worker thread), so both read and refuse the same way.

Only reading happens here; ``ops.request_compensation`` makes every other check (JSON object, evidence
given, size, role, job, target). A file is measured before it is read, so a huge file, a device or a pipe
(``/dev/zero``, a FIFO) is refused at once instead of being read into memory or blocking for ever.
"""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path

from c1console.errors import BadInput
from c1console.inputs import printable
from c1console.ops import Attachment


def shown_path(name: str, limit: int = 60) -> str:
    """A path in a one-line message: printable, and when long its end (the file's name) kept."""
    cleaned = printable(name, limit=len(name))
    return cleaned if len(cleaned) <= limit else "…" + cleaned[-(limit - 1) :]


def read_payload(text: str) -> str:
    """The payload as typed, or the text of the file named after an ``@``."""
    if text.startswith("@"):
        try:
            return Path(text[1:]).expanduser().read_text(encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"cannot read the payload file {shown_path(text[1:])}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise BadInput(
                f"the payload file {shown_path(text[1:])} is not UTF-8 text", hint="give a JSON object"
            ) from None
    return text


def split_paths(text: str) -> list[str]:
    """Comma-separated paths as a dialog field takes them (a path with a comma cannot be given there)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def read_attachments(paths: Sequence[str], limit: int) -> list[Attachment]:
    """Each file, whole, as an attachment named by its base name; refused (nothing read further) when one
    cannot be read, is not a regular file or is larger than ``limit`` bytes (ops checks the size again)."""
    found = []
    for name in paths:
        path = Path(name).expanduser()
        shown = shown_path(name)
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise BadInput(
                    f"evidence file {shown} is not a regular file", hint="attach a document or data file"
                )
            if info.st_size > limit:
                raise BadInput(
                    f"evidence file {shown} is {info.st_size} bytes",
                    hint=f"the limit is {limit} bytes (evidence_max_bytes in the config)",
                )
            content = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"cannot read evidence file {shown}: {exc.strerror}") from None
        found.append(Attachment(path.name, content))
    return found
