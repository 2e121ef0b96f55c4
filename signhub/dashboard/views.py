"""The documents list: reads the local index only, so it works while providers are down."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from signhub.core.models import ProviderAccount, SignedDocument

from .forms import DocumentFilterForm


def _template(request, name: str, fragment: str) -> str:
    """Render only the fragment for HTMX swaps (but the full page for history restores)."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{name}#{fragment}"
    return name


@login_required
@vary_on_headers("HX-Request")
def documents(request):
    form = DocumentFilterForm(request.GET)
    docs = SignedDocument.objects.visible_to(request.user).present().select_related("account")
    per_page, page_number = 25, 1
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            docs = docs.filter(search_text__contains=data["q"].lower())
        if data["provider"]:
            docs = docs.filter(provider__in=data["provider"])
        if data["status"]:
            docs = docs.filter(status__in=data["status"])
        per_page = data["per_page"] or 25
        page_number = data["page"] or 1
    docs = docs.order_by("-completed_at", "-id").defer("raw", "search_text")
    paginator = Paginator(docs, per_page)
    page = paginator.get_page(page_number)
    accounts = ProviderAccount.objects.visible_to(request.user)
    return render(
        request,
        _template(request, "dashboard/documents.html", "results"),
        {"form": form, "page": page, "accounts": accounts},
    )
