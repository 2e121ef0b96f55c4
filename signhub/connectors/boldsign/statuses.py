"""BoldSign document statuses (the response vocabulary) → our normalized status.

The list *filter* words (`WaitingForMe`, `WaitingForOthers`, `NeedAttention`, `None`) are a
different, viewer-relative vocabulary and never appear in a row's `status`; they are
deliberately absent here so they would show up as `unknown` rather than be guessed.
"""

from signhub.core.status import DocumentStatus, map_status

STATUS_TABLE: dict[str, DocumentStatus] = {
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
}


def normalize_status(raw: str | None) -> str:
    return map_status("boldsign", raw, STATUS_TABLE)
