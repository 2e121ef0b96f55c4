"""Account status panel: sync health per account, "Sync now" and its live progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from signhub.core import audit
from signhub.core.models import ProviderAccount, SignedDocument, SyncRun
from signhub.core.tasks import enqueue_sync

from .timezones import viewer_timezone, zone_name
from .views import fragment_for

COUNTS_CACHE_KEY = "dashboard:account-doc-counts"
COUNTS_CACHE_SECONDS = 60  # counting every account's documents scans the index; reuse it


def document_counts() -> dict[int, int]:
    """Present documents per account (all accounts; callers show only visible ones)."""
    counts = cache.get(COUNTS_CACHE_KEY)
    if counts is None:
        counts = dict(
            SignedDocument.objects.filter(removed_at__isnull=True)
            .order_by()
            .values_list("account_id")
            .annotate(n=Count("id"))
            .values_list("account_id", "n")
        )
        cache.set(COUNTS_CACHE_KEY, counts, COUNTS_CACHE_SECONDS)
    return counts


def _visible(request: HttpRequest):
    return ProviderAccount.objects.visible_to(request.user).defer("credentials", "sync_state")


def _decorate(accounts: list[ProviderAccount]) -> list[ProviderAccount]:
    """Attach document counts and each account's latest sync run (two queries in all)."""
    counts = document_counts()
    latest: dict[int, SyncRun] = {}
    for run in SyncRun.objects.filter(account__in=[a.pk for a in accounts]).order_by(
        "account_id", "-queued_at", "-id"
    ):
        latest.setdefault(run.account_id, run)
    for account in accounts:
        account.doc_count = counts.get(account.pk, 0)
        account.latest_run = latest.get(account.pk)
    return accounts


PANEL = "accounts-panel"  # the account panel on the list page


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
@viewer_timezone
def accounts(request: HttpRequest) -> HttpResponse:
    context = {
        "accounts": _decorate(list(_visible(request))),
        "zone": zone_name(request.viewer_tz),
    }
    template = fragment_for(request, "dashboard/accounts.html", "accounts")
    htmx = request.htmx
    if htmx and not htmx.history_restore_request and htmx.target == PANEL:
        # The list page's panel: the partial alone. A full page would bring its <title>
        # ("Accounts · signhub"), which htmx puts on the list's browser tab.
        template = "dashboard/accounts.html#accounts"
        # The list's notice already says why an account failed: the cards do not repeat it.
        context["in_panel"] = True
    return render(request, template, context)


@login_required
@require_GET
@viewer_timezone
def account_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One account row; polled every second while its sync runs."""
    account = get_object_or_404(_visible(request), pk=pk)
    _decorate([account])
    response = render(request, "dashboard/accounts.html#account_row", {"account": account})
    watched = request.GET.get("run", "")
    run = account.latest_run
    if watched.isdigit() and run and str(run.pk) == watched and not run.is_active:
        # The sync we were watching ended: tell the page to refresh the list.
        response["HX-Trigger"] = "signhub:synced"
    return response


@login_required
@require_POST
@viewer_timezone
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a sync of one visible account; the row then polls its progress."""
    account = get_object_or_404(_visible(request), pk=pk)
    if not account.enabled:
        message = f"{account.name} is disabled; an administrator must enable it first."
        run = None
    elif account.awaiting_connect:
        message = f"{account.name} is not connected yet; an administrator must connect it first."
        run = None
    else:
        run = enqueue_sync(account, trigger="web")
        message = f"Sync of {account.name} queued."
        cache.delete(COUNTS_CACHE_KEY)
    audit.record(
        request,
        "sync_trigger",
        f"account:{account.pk} {account.name}",
        result="ok" if run is not None else "refused",
        run=run.pk if run else None,
    )
    if not request.htmx:
        messages.info(request, message)
        return redirect("dashboard:accounts")
    account.refresh_from_db()
    _decorate([account])
    response = render(request, "dashboard/accounts.html#account_row", {"account": account})
    if run is not None and not account.latest_run.is_active:
        response["HX-Trigger"] = "signhub:synced"  # finished at once (immediate task backend)
    return response
