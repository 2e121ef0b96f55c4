"""The documents list, the document detail and the CSV export.

All read the local index only (so they work while a provider is down) and every lookup
starts from `visible_to(request.user)`: a document of another account is a 404.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from signhub.core import audit
from signhub.core.models import (
    DocumentParty,
    ProviderAccount,
    SignedDocument,
    provider_choices,
)
from signhub.core.status import ENDED_STATUSES, DocumentStatus
from signhub.downloads.forms import IdListField

from .attention import EXPIRING_DAYS, expiring_soon
from .back import back_link, back_param
from .changelist import DocumentList
from .csv_export import export_lines
from .forms import PAGE_SIZES
from .preview import preview_for
from .rows import RowRenderer
from .sorting import SORT_CHOICES, choices_for
from .summary import summarize
from .timezones import viewer_timezone, zone_name

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Filters inside the collapsible "More filters" box (open when one is used).
MORE_FILTERS = [
    "provider",
    "account",
    "completed",
    "completed_from",
    "completed_to",
    "created",
    "created_from",
    "created_to",
    "finished",
    "finished_from",
    "finished_to",
    "sender",
    "signer",
    "label",
    "removed",
]
# Filters shown as removable chips: (param, label).
CHIP_PARAMS = [
    ("q", "Text"),
    ("person", "Employee"),
    ("provider", "Provider"),
    ("account", "Account"),
    ("status", "Status"),
    ("completed", "Completed"),
    ("completed_from", "Completed from"),
    ("completed_to", "Completed to"),
    ("created", "Created"),
    ("created_from", "Created from"),
    ("created_to", "Created to"),
    ("sender", "Sender"),
    ("signer", "Signer"),
    ("label", "Labels"),
    ("removed", "Include removed"),
    ("view", "View"),
]


def fragment_for(request: HttpRequest, name: str, target: str) -> str:
    """Only the named fragment for HTMX swaps of that target; the full page otherwise.

    Back-button restores send HX-Request too and need the whole page, and swaps of other
    targets (e.g. removing a filter chip updates the form as well) select from the page.
    """
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and htmx.target == target:
        return f"{name}#{target}"
    return name


def _applied_chips(doc_list: DocumentList) -> list[dict]:
    """One chip per applied value, each with the query string that removes it."""
    form, params = doc_list.form, doc_list.params
    names = {str(a.pk): a.name for a in doc_list.accounts}
    field_choices = {
        name: dict(form.fields[name].choices)
        for name in ("provider", "status", "completed", "created", "view")
    }
    chips = []
    for param, label in CHIP_PARAMS:
        values = params.getlist(param)
        for value in values:
            if not value.strip() or param in form.errors:
                continue
            shown = value
            if param == "account":
                shown = names.get(value, value)
            elif param in field_choices:
                shown = str(field_choices[param].get(value, value))
            elif param == "removed":
                shown = "yes"
            remaining = [v for v in values if v != value]
            chips.append(
                {
                    "label": label,
                    "value": shown,
                    "query": doc_list.query_string(**{param: remaining}),
                }
            )
    return chips


def _person_parties(rows: list, person: str) -> None:
    """The employee view's "their part" column: the person's party rows per document."""
    parties: dict[int, list] = {}
    for party in (
        DocumentParty.objects.filter(document_id__in=[d.pk for d in rows], email=person)
        .order_by("role")
        .values_list("document_id", "role", "status", "decided_at", named=True)
    ):
        parties.setdefault(party.document_id, []).append(party)
    for doc in rows:
        doc.person_parties = parties.get(doc.pk, [])


def _row_renderer(accounts: list[ProviderAccount], back: str = "") -> RowRenderer:
    return RowRenderer(
        providers=dict(provider_choices()), accounts={a.pk: a for a in accounts}, back=back
    )


def _rows_html(renderer: RowRenderer, rows: list, person: str, why: bool) -> str:
    """The list's rows, each with its bulk-action checkbox (and the employee's part)."""
    if person and rows:
        _person_parties(rows, person)
    return renderer.render(rows, person, why, select=True)


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@viewer_timezone
def documents(request: HttpRequest) -> HttpResponse:
    """The list, the employee view (`?person=`) and their HTMX partial."""
    doc_list = DocumentList.from_request(request)
    data, page, counts, accounts = doc_list.data, doc_list.page, doc_list.counts, doc_list.accounts
    back = back_param(request.get_full_path())
    attention = data["view"] == "attention"
    expiring, expiring_more = [], False
    in_progress_shown = not data["status"] or DocumentStatus.IN_PROGRESS in data["status"]
    if attention and in_progress_shown and not page.has_prev:
        # On the first page, above the list: the same filter without the view, in-progress
        # documents about to expire (listed first, so later pages do not repeat them).
        expiring, expiring_more = expiring_soon(doc_list.base_in_view(""), doc_list.now)
    renderer = _row_renderer(accounts, back)  # one zone, "now" and URL patterns for both
    stale = [a for a in accounts if a.enabled and (a.last_sync_failed or a.is_stale)]
    providers = sorted({(a.provider, a.get_provider_display()) for a in accounts})
    context = {
        "doc_list": doc_list,
        "list_url": doc_list.path,  # chips' and "Clear all" links, in the partial too
        "form": doc_list.form,
        "data": data,
        "page": page,
        "rows_html": _rows_html(renderer, page.rows, data["person"], why=attention),
        "evidence_limit": settings.SIGNHUB_EVIDENCE_MAX_DOCS,
        "counts": counts,
        "status_chips": [
            {
                "value": value,
                "label": label,
                "count": counts.by_status[value],
                "capped": value in counts.capped_statuses,
                "approximate": counts.approximate,
                "checked": value in data["status"],
            }
            for value, label in DocumentStatus.choices
        ],
        "accounts": accounts,
        "providers": providers,
        "stale_accounts": stale,
        "account_summary": summarize(accounts),
        "attention": attention,
        "expiring_html": renderer.render_expiring(expiring) if expiring else "",
        "expiring_count": len(expiring),
        "expiring_more": expiring_more,
        "expiring_days": EXPIRING_DAYS,
        "chips": _applied_chips(doc_list),
        "sort": doc_list.sort,
        "sort_label": dict(SORT_CHOICES).get(doc_list.sort, doc_list.sort),
        "sort_choices": choices_for(data["view"]),
        "page_sizes": PAGE_SIZES,
        "page_number": doc_list.page_number,
        "more_open": any(data[name] for name in MORE_FILTERS),
        "zone": zone_name(request.viewer_tz),
        "export_query": doc_list.query_string(per_page=None, tz=None),
    }
    template = fragment_for(request, "dashboard/documents.html", "results")
    context["is_partial"] = "#" in template
    return render(request, template, context)


def _filters_for_audit(request: HttpRequest) -> dict[str, list[str]]:
    """The export's filters as typed, made safe to store (PostgreSQL JSON refuses NUL)."""
    return {
        key[:50]: [_CONTROL.sub("", value)[:200] for value in request.GET.getlist(key)[:20]]
        for key in list(request.GET)[:40]
        if key != "tz"
    }


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@viewer_timezone
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(
        SignedDocument.objects.visible_to(request.user)
        .select_related("account")
        .defer("account__credentials", "account__sync_state", "search_text"),
        pk=pk,
    )
    raw = json.dumps(doc.raw, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    context = {
        "doc": doc,
        "ended": doc.status in ENDED_STATUSES,
        "raw_json": raw,
        "signers": sorted(doc.signers, key=lambda s: (s.get("order") is None, s.get("order") or 0)),
        "zone": zone_name(request.viewer_tz),
        "back": back_param(back_link(request)),  # the list it was opened from
        "preview": preview_for(doc),
    }
    return render(request, fragment_for(request, "dashboard/detail.html", "detail"), context)


MAX_SELECTED = 1000  # ids in one selection export (a page shows at most 100)


def _export_response(rows) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(export_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="signhub-documents-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_csv(request: HttpRequest) -> HttpResponse:
    """Exactly the list's current filter (all pages), streamed with constant memory; or, as
    a POST from the list's selection (`ids`), exactly the selected documents."""
    if request.method == "POST":
        try:
            ids = IdListField().clean(request.POST.getlist("ids"))
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        if not ids or len(ids) > MAX_SELECTED:
            return HttpResponseBadRequest(f"Select between 1 and {MAX_SELECTED} documents.")
        # The list's query string rides along (the bar's formaction): its order.
        order = DocumentList.from_request(request).order
        rows = SignedDocument.objects.visible_to(request.user).filter(pk__in=ids).order_by(*order)
        audit.record(request, "export_csv", "documents", selected=len(ids))
        return _export_response(rows)
    # Presets like "this month" mean the viewer's month, as on screen; rows in its order.
    selected = DocumentList.from_request(request).ordered
    audit.record(request, "export_csv", "documents", filters=_filters_for_audit(request))
    return _export_response(selected)
