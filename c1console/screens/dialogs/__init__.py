"""Modal dialogs: the actions on an execution, on failures, on a job, the reviews, a compensation request
and the filters.

``base`` holds what they share (the two-step action dialog, the filter form); each other module one kind.
The names are gathered here, so a screen writes ``dialogs.ReplayDialog``.
"""

from c1console.screens.dialogs.base import ActionDialog, ConsoleModal, Done, FormDialog
from c1console.screens.dialogs.compensation import RequestDialog, Requested
from c1console.screens.dialogs.execution import (
    ReplayDialog,
    ReplayParams,
    ResumeDialog,
    RollbackDialog,
    StopDialog,
)
from c1console.screens.dialogs.failures import AcknowledgeDialog, BulkParams, BulkReplayDialog
from c1console.screens.dialogs.filters import AuditFilter, AuditFilterDialog, FilterDialog
from c1console.screens.dialogs.job import PauseDialog, TriggerDialog, TriggerParams
from c1console.screens.dialogs.redo import RedoBox, RedoDialog
from c1console.screens.dialogs.review import DecideDialog, SignDialog

__all__ = [
    "AcknowledgeDialog",
    "ActionDialog",
    "AuditFilter",
    "AuditFilterDialog",
    "BulkParams",
    "BulkReplayDialog",
    "ConsoleModal",
    "DecideDialog",
    "Done",
    "FilterDialog",
    "FormDialog",
    "PauseDialog",
    "RedoBox",
    "RedoDialog",
    "ReplayDialog",
    "ReplayParams",
    "RequestDialog",
    "Requested",
    "ResumeDialog",
    "RollbackDialog",
    "SignDialog",
    "StopDialog",
    "TriggerDialog",
    "TriggerParams",
]
