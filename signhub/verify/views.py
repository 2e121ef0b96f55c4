""" "Verify signatures" for a document's signed file, and the job page the detail polls."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from signhub.core.models import SignedDocument
from signhub.dashboard.timezones import viewer_timezone, zone_name

from . import files, tasks
from .models import VerificationJob

MAX_ID = 2**63 - 1


def _visible_document(request: HttpRequest, pk: int) -> SignedDocument:
    if pk > MAX_ID:
        raise Http404("No such document")
    return get_object_or_404(
        SignedDocument.objects.visible_to(request.user).select_related("account"), pk=pk
    )


def _job_response(request: HttpRequest, job: VerificationJob, status: int = 200) -> HttpResponse:
    context = {"job": job, "zone": zone_name(request.viewer_tz)}
    if request.htmx:
        return render(request, "verify/_job.html", context, status=status)
    return render(request, "verify/job.html", context, status=status)


@never_cache
@login_required
@require_POST
@viewer_timezone
def start(request: HttpRequest, pk: int, file_key: str) -> HttpResponse:
    document = _visible_document(request, pk)
    if document.file(file_key) is None:
        raise Http404("No such file")
    job = VerificationJob.objects.create(
        document=document, file_key=file_key, requested_by=request.user
    )
    primed = files.open_file(job, request)
    if primed is not None:
        size = primed.stream.size
        if size is not None and size > files.inline_bytes():
            primed.stream.close()
            tasks.enqueue(job)
        else:
            try:
                files.run(job, request, primed=primed, handoff_after=files.inline_bytes())
            except files.Handoff:
                tasks.enqueue(job)
    job.refresh_from_db()
    if not request.htmx:
        return redirect("verify:job", pk=job.pk)
    return _job_response(request, job)


@never_cache
@login_required
@require_GET
@vary_on_headers("HX-Request")
@viewer_timezone
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:
        raise Http404("No such job")
    job = get_object_or_404(
        VerificationJob.objects.select_related("document", "verdict").filter(
            document__in=SignedDocument.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    return _job_response(request, job)
