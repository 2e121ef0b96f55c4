"""The one Bitrix24 status table.

The `*.tail` lists carry no status field: everything they return is a signed document. A row's
`signed_date` can still be null (editor/reviewer rows of the company safe: those members do
not sign). We derive a raw status per document from the rows we saw:
- `signed`: at least one row has a `signed_date` → completed;
- `awaiting_signature`: no row has one → in progress (not completed from these members' view).
Anything else (a future field) goes to unknown through map_status, logged.
"""

from signhub.core.status import DocumentStatus, StatusTable

SIGNED = "signed"
AWAITING_SIGNATURE = "awaiting_signature"

STATUSES = StatusTable(
    "bitrix24",
    {
        SIGNED: DocumentStatus.COMPLETED,
        AWAITING_SIGNATURE: DocumentStatus.IN_PROGRESS,
    },
)
