""" "All documents matching the filter": the same query parameters the documents list reads.

The list's own form and query function (`signhub.dashboard.forms.DocumentFilterForm`,
`signhub.dashboard.queries.filter_documents`) are used when present, so the pack and the
list never disagree; like the list, a field that fails validation is ignored (the confirm
page shows the resulting count before anything is packed). Without them, the parameters
q / provider / status / account are applied here.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from signhub.core.models import ProviderAccount


def _dashboard_filter(queryset: QuerySet, data: QueryDict, user) -> QuerySet | None:
    try:
        from signhub.dashboard.forms import DocumentFilterForm
        from signhub.dashboard.queries import filter_documents
    except ImportError:
        return None
    form = DocumentFilterForm(data, accounts=ProviderAccount.objects.visible_to(user))
    if not hasattr(form, "usable_data"):
        return None
    cleaned = form.usable_data()
    queryset = filter_documents(
        queryset, cleaned, now=timezone.now(), tz=timezone.get_current_timezone()
    )
    if cleaned.get("status"):  # the list applies status separately (for its chip counts)
        queryset = queryset.filter(status__in=cleaned["status"])
    return queryset


def _basic_filter(queryset: QuerySet, data: QueryDict, user) -> QuerySet:
    queryset = queryset.filter(removed_at__isnull=True)
    for term in (data.get("q") or "").lower().split()[:8]:
        queryset = queryset.filter(search_text__contains=term)
    if providers := data.getlist("provider"):
        queryset = queryset.filter(provider__in=providers)
    if statuses := data.getlist("status"):
        queryset = queryset.filter(status__in=statuses)
    accounts = [int(a) for a in data.getlist("account") if str(a).isdigit()]
    if accounts:
        queryset = queryset.filter(account_id__in=accounts)
    return queryset


def filtered_documents(queryset: QuerySet, data: QueryDict, user) -> QuerySet:
    """`queryset` (already limited to what the user may see) narrowed by the list's filter."""
    result = _dashboard_filter(queryset, data, user)
    return result if result is not None else _basic_filter(queryset, data, user)
