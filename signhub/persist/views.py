"""The signature viewer: chains list, version timeline with verdicts, compare, download.

Times are shown in the viewer's zone (the dashboard's `viewer_timezone`), with seconds.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from signhub.core.models import AuditEvent
from signhub.dashboard.timezones import viewer_timezone, zone_name

from . import inspect
from .auth import client_ip
from .forms import MAX_ID, CompareForm, DetachedContentForm, SignatureFilterForm
from .models import Signature, SignatureTag
from .visibility import visible_signatures

PER_PAGE = 25
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _template(request: HttpRequest, name: str, fragment: str) -> str:
    """Only the fragment for HTMX swaps; the full page for history restores and plain GETs."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{name}#{fragment}"
    return name


def _latest_per_chain(user):
    newer = Signature.objects.filter(chain=OuterRef("chain"), version__gt=OuterRef("version"))
    return visible_signatures(user).filter(~Exists(newer))


def count_words(page) -> str:
    """ "No signature chains" / "1 signature chain" / "Showing 26–50 of 60 signature chains"."""
    total = page.paginator.count
    if total == 0:
        return "No signature chains"
    if total == 1:
        return "1 signature chain"
    if page.paginator.num_pages == 1:
        return f"{total} signature chains"
    return f"Showing {page.start_index()}–{page.end_index()} of {total} signature chains"


@login_required
@vary_on_headers("HX-Request")
@viewer_timezone
def signature_list(request: HttpRequest) -> HttpResponse:
    form = SignatureFilterForm(request.GET)
    chains = _latest_per_chain(request.user).defer("blob")
    page_number = 1
    zone = request.viewer_tz
    if form.is_valid():
        data = form.cleaned_data
        if data["document"]:
            chains = chains.filter(chain__document__icontains=data["document"])
        if data["thread"]:
            chains = chains.filter(chain__thread__icontains=data["thread"])
        for tag in form.tag_list():
            chains = chains.filter(
                pk__in=SignatureTag.objects.filter(tag=tag).values("signature_id")
            )
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=zone)
            chains = chains.filter(created_at__gte=start)
        if data["date_to"] and data["date_to"] < dt.date.max:
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone
            )
            chains = chains.filter(created_at__lt=end)
        page_number = data["page"] or 1
    chains = chains.order_by("-created_at", "-id")
    page = Paginator(chains, PER_PAGE).get_page(page_number)
    context = {"form": form, "page": page, "count": count_words(page), "zone": zone_name(zone)}
    return render(request, _template(request, "persist/list.html", "results"), context)


def _visible_or_404(user, pk: int) -> Signature:
    if pk > MAX_ID:
        raise Http404("no such signature")
    return get_object_or_404(visible_signatures(user), pk=pk)


def _detail_context(request: HttpRequest, sig: Signature, content: bytes | None = None) -> dict:
    visible = visible_signatures(request.user)
    versions = list(visible.filter(chain=sig.chain).defer("blob").order_by("-version"))
    index = next(i for i, v in enumerate(versions) if v.pk == sig.pk)
    newer = versions[index - 1] if index > 0 else None
    older = versions[index + 1] if index + 1 < len(versions) else None
    return {
        "sig": sig,
        "versions": versions,
        "newer": newer,
        "older": older,
        "decoded": inspect.decode(sig, content=content),
        "compare_with": older or newer,
        "zone": zone_name(request.viewer_tz),
        "content_form": DetachedContentForm(),
        "content_checked": content is not None,
    }


@login_required
@vary_on_headers("HX-Request")
@viewer_timezone
def signature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sig = _visible_or_404(request.user, pk)
    context = _detail_context(request, sig)
    return render(request, _template(request, "persist/detail.html", "version"), context)


@login_required
@require_POST
@viewer_timezone
def check_content(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify a detached signature over content uploaded now (used once, never stored)."""
    sig = _visible_or_404(request.user, pk)
    form = DetachedContentForm(request.POST, request.FILES)
    if not form.is_valid():
        context = _detail_context(request, sig)
        context["content_form"] = form
        return render(request, "persist/detail.html", context, status=400)
    upload = form.cleaned_data["content"]
    content = b"".join(upload.chunks())
    context = _detail_context(request, sig, content=content)
    context["content_name"] = upload.name
    return render(request, "persist/detail.html", context)


@login_required
@viewer_timezone
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render(request, "persist/compare.html", {"form": form, "rows": []}, status=400)
    visible = visible_signatures(request.user)
    a = get_object_or_404(visible, pk=form.cleaned_data["a"])
    b = get_object_or_404(visible, pk=form.cleaned_data["b"])
    if a.version > b.version and a.chain_id == b.chain_id:
        a, b = b, a  # older on the left
    decoded_a, decoded_b = inspect.decode(a), inspect.decode(b)
    rows = inspect.compare_rows(inspect.facts(a, decoded_a), inspect.facts(b, decoded_b))
    context = {
        "form": form,
        "a": a,
        "b": b,
        "rows": rows,
        "verdict_a": decoded_a.verdict,
        "verdict_b": decoded_b.verdict,
        "zone": zone_name(request.viewer_tz),
    }
    return render(request, "persist/compare.html", context)


def _filename(sig: Signature) -> str:
    stem = _UNSAFE_FILENAME.sub("_", f"{sig.document}-{sig.thread}-v{sig.version}").strip("_")
    return f"{stem[:150] or 'signature'}{sig.extension}"


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    sig = _visible_or_404(request.user, pk)
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
