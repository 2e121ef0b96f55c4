"""BoldSign document statuses (the response vocabulary) → our normalized status.

The list *filter* words (`WaitingForMe`, `WaitingForOthers`, `NeedAttention`, `None`) are a
different, viewer-relative vocabulary and never appear in a row's `status`; they are
deliberately absent here so they would show up as `unknown` rather than be guessed.
"""

from signhub.core.status import DocumentStatus, StatusTable

STATUSES = StatusTable(
    "boldsign",
    {
        "Draft": DocumentStatus.DRAFT,
        # Scheduled: the sender finished the document and BoldSign sends it by itself at
        # `scheduledSendTime`; nobody has to act on it again, so it counts as on its way
        # (in_progress), not as an editable draft. The raw "Scheduled" stays visible.
        "Scheduled": DocumentStatus.IN_PROGRESS,
        "InProgress": DocumentStatus.IN_PROGRESS,
        "Completed": DocumentStatus.COMPLETED,
        "Declined": DocumentStatus.DECLINED,
        "Expired": DocumentStatus.EXPIRED,
        "Revoked": DocumentStatus.CANCELLED,
    },
)
