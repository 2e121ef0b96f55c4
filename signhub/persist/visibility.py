"""Who may see which persisted signature: one rule for the viewer and the API's sessions.

Persisted signatures are not tied to a provider account, so a reviewer sees a signature only
when its `document` is the external id of a signed document they may see; users with the
`persist.view_signature` permission (and superusers) see every signature. API tokens are not
users: they keep full access.
"""

from __future__ import annotations

from django.db.models import QuerySet

from signhub.core.models import SignedDocument

from .models import Signature
from .services import live_versions


def visible_signatures(user) -> QuerySet[Signature]:
    signatures = live_versions()
    if user.is_superuser or user.has_perm("persist.view_signature"):
        return signatures
    return signatures.filter(
        chain__document__in=SignedDocument.objects.visible_to(user).values("external_id")
    )
