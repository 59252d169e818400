"""Every write an operator can cause, shared by the console and the CLI.

Each action validates its input, checks the operator's role, then in ONE transaction changes state,
appends its audit row and (where alertable) its outbox rows. The database's triggers NOTIFY listeners at
commit. A refusal raises a Problem (BadInput exit 2, Refused exit 4) and writes nothing.

Callers use this package's names (``ops.trigger``, ``ops.Session``); its modules import one another in one
direction only: ``session`` at the bottom, then ``redo``, ``executions``, then ``corrections`` and
``failures``.
"""

from c1console.ops.corrections import (
    Attachment,
    RollbackPreview,
    decide_compensation,
    request_compensation,
    rollback,
)
from c1console.ops.executions import (
    Created,
    Preview,
    load_hint,
    replay,
    replay_many,
    resume,
    stop,
    trigger,
)
from c1console.ops.failures import acknowledge
from c1console.ops.jobs import set_job_paused
from c1console.ops.operators import bootstrap_admin, grant
from c1console.ops.redo import Redo
from c1console.ops.reviews import MIN_OVERRIDE_COMMENT, SignPreview, sign_checklist
from c1console.ops.session import (
    DEFAULT_ROLE,
    RANK,
    Session,
    acting,
    require,
    sync_jobs,
    upgrade_schema,
)

__all__ = [
    "DEFAULT_ROLE",
    "MIN_OVERRIDE_COMMENT",
    "RANK",
    "Attachment",
    "Created",
    "Preview",
    "Redo",
    "RollbackPreview",
    "Session",
    "SignPreview",
    "acknowledge",
    "acting",
    "bootstrap_admin",
    "decide_compensation",
    "grant",
    "load_hint",
    "replay",
    "replay_many",
    "request_compensation",
    "require",
    "resume",
    "rollback",
    "set_job_paused",
    "sign_checklist",
    "stop",
    "sync_jobs",
    "trigger",
    "upgrade_schema",
]
