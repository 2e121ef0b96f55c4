"""The signature viewer: chains list, version timeline with decoded blobs, compare, download."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.vary import vary_on_headers

from signhub.core.models import AuditEvent, SignedDocument

from . import inspect
from .auth import client_ip
from .forms import CompareForm, SignatureFilterForm
from .models import Signature, SignatureTag

PER_PAGE = 25
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _template(request: HttpRequest, name: str, fragment: str) -> str:
    """Only the fragment for HTMX swaps; the full page for history restores and plain GETs."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{name}#{fragment}"
    return name


def visible_signatures(user):
    """Signatures a user may see in the viewer.

    Persisted signatures are not tied to a provider account, so a reviewer sees a signature
    only when its `document` is the external id of a signed document they may see; staff
    with the `persist.view_signature` permission (and superusers) see every signature.
    """
    signatures = Signature.objects.all()
    if user.is_superuser or user.has_perm("persist.view_signature"):
        return signatures
    return signatures.filter(
        document__in=SignedDocument.objects.visible_to(user).values("external_id")
    )


def _latest_per_chain(user):
    newer = Signature.objects.filter(
        document=OuterRef("document"), thread=OuterRef("thread"), version__gt=OuterRef("version")
    )
    return visible_signatures(user).filter(~Exists(newer))


@login_required
@vary_on_headers("HX-Request")
def signature_list(request: HttpRequest) -> HttpResponse:
    form = SignatureFilterForm(request.GET)
    chains = _latest_per_chain(request.user).defer("blob")
    page_number = 1
    if form.is_valid():
        data = form.cleaned_data
        if data["document"]:
            chains = chains.filter(document__icontains=data["document"])
        if data["thread"]:
            chains = chains.filter(thread__icontains=data["thread"])
        for tag in form.tag_list():
            chains = chains.filter(
                pk__in=SignatureTag.objects.filter(tag=tag).values("signature_id")
            )
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=dt.UTC)
            chains = chains.filter(created_at__gte=start)
        if data["date_to"]:
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
            )
            chains = chains.filter(created_at__lt=end)
        page_number = data["page"] or 1
    chains = chains.order_by("-created_at", "-id")
    page = Paginator(chains, PER_PAGE).get_page(page_number)
    return render(
        request, _template(request, "persist/list.html", "results"), {"form": form, "page": page}
    )


@login_required
@vary_on_headers("HX-Request")
def signature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = visible_signatures(request.user)
    sig = get_object_or_404(visible, pk=pk)
    versions = list(
        visible.filter(document=sig.document, thread=sig.thread).defer("blob").order_by("-version")
    )
    index = next(i for i, v in enumerate(versions) if v.pk == sig.pk)
    newer = versions[index - 1] if index > 0 else None
    older = versions[index + 1] if index + 1 < len(versions) else None
    decoded = inspect.decode(sig)
    context = {
        "sig": sig,
        "versions": versions,
        "newer": newer,
        "older": older,
        "decoded": decoded,
        "compare_with": older or newer,
    }
    return render(request, _template(request, "persist/detail.html", "version"), context)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render(request, "persist/compare.html", {"form": form, "rows": []}, status=400)
    visible = visible_signatures(request.user)
    a = get_object_or_404(visible, pk=form.cleaned_data["a"])
    b = get_object_or_404(visible, pk=form.cleaned_data["b"])
    if a.version > b.version and (a.document, a.thread) == (b.document, b.thread):
        a, b = b, a  # older on the left
    rows = inspect.compare_rows(
        inspect.facts(a, inspect.decode(a)), inspect.facts(b, inspect.decode(b))
    )
    return render(request, "persist/compare.html", {"form": form, "a": a, "b": b, "rows": rows})


def _filename(sig: Signature) -> str:
    stem = _UNSAFE_FILENAME.sub("_", f"{sig.document}-{sig.thread}-v{sig.version}").strip("_")
    return f"{stem[:150] or 'signature'}{sig.extension}"


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    sig = visible_signatures(request.user).filter(pk=pk).first()
    if sig is None:
        raise Http404("no such signature")
    data = bytes(sig.blob)
    AuditEvent.objects.create(
        actor=request.user,
        actor_label=request.user.get_username(),
        action="signature.download",
        target=f"{sig.document} / {sig.thread} v{sig.version}"[:500],
        ip=client_ip(request),
        bytes=len(data),
        details={"id": sig.pk, "sha256": sig.sha256},
    )
    response = HttpResponse(data, content_type=sig.content_type)
    response["Content-Disposition"] = content_disposition_header(True, _filename(sig))
    response["X-Content-Type-Options"] = "nosniff"
    return response
