"""Single-file downloads and evidence packs, streamed from the providers.

Every view opens with a permission-checked lookup (`visible_to`): a document the user may
not see is a 404, exactly like one that does not exist. Every download writes an audit event.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from signhub.core import audit
from signhub.core.errors import ConnectorError
from signhub.core.http.patience import make_interactive
from signhub.core.models import SignedDocument
from signhub.dashboard.back import back_link
from signhub.dashboard.changelist import DocumentList

from .content_types import served_type
from .evidence import EvidencePack, PackStats
from .filenames import content_disposition, download_filename
from .forms import EvidencePackForm
from .selection import FilterRefused, filtered_documents
from .streaming import DownloadAborted, PrimedStream, open_primed

logger = logging.getLogger(__name__)


def _provider_label(document: SignedDocument) -> str:
    try:
        return document.account.connector_class.label
    except KeyError:
        return document.provider


def _error_status(exc: ConnectorError) -> int:
    if exc.code == "not_found" or exc.status == 404:
        return 404
    if exc.code == "timeout":
        return 504
    if exc.code == "rate_limited":
        return 503
    return 502


def _error_message(exc: ConnectorError, label: str) -> str:
    if exc.code == "not_found" or exc.status == 404:
        return f"The file is no longer available at {label}."
    if exc.code == "timeout":
        return f"{label} did not answer in time. Please try again in a moment."
    if exc.code == "rate_limited":
        return f"{label} is limiting requests right now. Please try again in a minute."
    if exc.code == "unsafe_url":
        return (
            f"{label} pointed the download somewhere outside its own servers, "
            "so signhub refused to fetch it."
        )
    if exc.needs_reconnect or exc.refresh or exc.code in ("unauthorized", "forbidden"):
        return f"The {label} account needs to be reconnected by an administrator."
    return f"{label} could not deliver the file."


def error_page(request: HttpRequest, document: SignedDocument, exc: ConnectorError) -> HttpResponse:
    label = _provider_label(document)
    status = _error_status(exc)
    response = render(
        request,
        "downloads/error.html",
        {
            "document": document,
            "message": _error_message(exc, label),
            "detail": exc.message,
            "back": back_link(request),  # the list with the filters it was left with
        },
        status=status,
    )
    if status == 503 and exc.retry_after:
        response["Retry-After"] = str(int(exc.retry_after))
    return response


def _relay(
    request: HttpRequest, document: SignedDocument, file_key: str, primed: PrimedStream, action: str
):
    """Yield the provider's bytes; audit the outcome; end unclean if the stream breaks."""
    sent, outcome, code = 0, "incomplete", ""
    try:
        for chunk in primed.chunks():
            sent += len(chunk)
            yield chunk
        size = primed.stream.size
        if size is not None and sent != size:
            code = "truncated"
            raise DownloadAborted(f"provider sent {sent} of {size} bytes")
        outcome = "ok"
    except ConnectorError as exc:
        code = exc.code
        # Raising (rather than returning) makes the server drop the connection, so the
        # client sees a truncated transfer instead of a file that looks complete.
        raise DownloadAborted(exc.message) from None
    finally:
        primed.stream.close()
        if outcome != "ok":
            logger.warning(
                "%s of document %s file %r ended early after %d bytes (%s)",
                action.capitalize(),
                document.pk,
                file_key,
                sent,
                code or "client went away",
            )
        _audit(request, document, file_key, action, outcome if not code else "aborted", sent, code)


def _audit(request, document, file_key: str, action: str, result: str, sent: int, code: str):
    audit.record(
        request,
        action,
        f"document:{document.pk}",
        result=result,
        bytes=sent,
        file_key=file_key,
        provider=document.provider,
        account=document.account.name,
        external_id=document.external_id,
        **({"error": code} if code else {}),
    )


def _open(request: HttpRequest, pk: int, file_key: str, action: str):
    """The visible document, its file entry and the primed stream, or an error response."""
    document = get_object_or_404(
        SignedDocument.objects.visible_to(request.user).select_related("account"), pk=pk
    )
    file = document.file(file_key)
    if file is None:
        raise Http404("No such file")
    try:
        # Someone is waiting: an unreachable provider fails in seconds, not after retries.
        connector = document.account.connector()
        make_interactive(connector.http)
        primed = open_primed(connector, document, file_key)
    except ConnectorError as exc:
        logger.info("%s of document %s failed before the first byte (%s)", action, pk, exc.code)
        _audit(request, document, file_key, action, "error", 0, exc.code)
        return document, file, None, error_page(request, document, exc)
    return document, file, primed, None


@never_cache
@login_required
@require_GET
def download(request: HttpRequest, pk: int, file_key: str) -> HttpResponse:
    document, file, primed, failed = _open(request, pk, file_key, "download")
    if failed is not None:
        return failed
    stream = primed.stream
    content_type = served_type(stream.content_type)
    name = download_filename(
        document, file, stream_filename=stream.filename, content_type=content_type
    )
    response = StreamingHttpResponse(
        _relay(request, document, file_key, primed, "download"), content_type=content_type
    )
    response["Content-Disposition"] = content_disposition(name)
    if stream.size is not None:
        response["Content-Length"] = str(stream.size)
    return response


@never_cache
@login_required
@require_GET
def preview(request: HttpRequest, pk: int, file_key: str) -> HttpResponse:
    """The same audited proxy as a download, shown in the page (audited as `preview`).

    Only a PDF (its first bytes say `%PDF-`) is served, always as `application/pdf`, inline
    and with a sandboxing CSP: a provider that sends HTML or SVG can never run it in
    signhub's origin. Anything else is a 415 the viewer turns into "download it instead".
    """
    document, file, primed, failed = _open(request, pk, file_key, "preview")
    if failed is not None:
        return failed
    if not primed.first.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        primed.stream.close()
        _audit(request, document, file_key, "preview", "not_pdf", 0, "not_pdf")
        response = HttpResponse(
            "This file is not a PDF, so it cannot be previewed. Download it instead.",
            status=415,
            content_type="text/plain; charset=utf-8",
        )
        response["X-Signhub-Preview"] = "not-pdf"
        return response
    stream = primed.stream
    name = download_filename(
        document, file, stream_filename=stream.filename, content_type="application/pdf"
    )
    response = StreamingHttpResponse(
        _relay(request, document, file_key, primed, "preview"), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition(name, attachment=False)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    if stream.size is not None:
        response["Content-Length"] = str(stream.size)
    return response


@never_cache
@login_required
@require_POST
def evidence_pack(request: HttpRequest) -> HttpResponse:
    form = EvidencePackForm(request.POST)
    if not form.is_valid():
        return render(request, "downloads/evidence_error.html", {"form": form}, status=400)
    limit = settings.SIGNHUB_EVIDENCE_MAX_DOCS
    visible = SignedDocument.objects.visible_to(request.user)
    scope = form.cleaned_data["scope"]
    filter_data = request.GET if request.GET else request.POST
    # The list the pack was asked from: its filter (scope "filter") and its order (both).
    doc_list = DocumentList.from_request(request, filter_data)
    if scope == EvidencePackForm.FILTER:
        try:
            documents = filtered_documents(doc_list)
        except FilterRefused as refused:
            return render(
                request,
                "downloads/evidence_error.html",
                {"form": form, "filter_errors": refused.errors},
                status=400,
            )
        total = documents.count()
        if not form.cleaned_data["confirm"]:
            return render(
                request,
                "downloads/evidence_confirm.html",
                {
                    "total": total,
                    "limit": limit,
                    "capped": total > limit,
                    "filter_items": [
                        (key, value)
                        for key in filter_data
                        if key not in ("csrfmiddlewaretoken", "scope", "confirm", "ids")
                        for value in filter_data.getlist(key)
                    ],
                },
            )
        ids = list(documents.values_list("pk", flat=True)[:limit])
    else:
        ids = form.cleaned_data["ids"]
    queryset = (
        visible.filter(pk__in=ids)
        .select_related("account")
        .defer("raw", "search_text")
        .order_by(*doc_list.order)
    )
    if not ids or not queryset.exists():
        raise Http404("No documents")

    def finished(stats: PackStats) -> None:
        result = "incomplete"
        if stats.finished:
            result = "partial" if stats.files_failed else "ok"
        audit.record(
            request,
            "evidence_pack",
            f"{stats.documents} documents",
            result=result,
            bytes=stats.bytes,
            scope=scope,
            document_ids=stats.document_ids,
            files_ok=stats.files_ok,
            files_failed=stats.files_failed,
        )

    pack = EvidencePack(queryset.iterator(chunk_size=100), on_finish=finished)
    response = StreamingHttpResponse(pack, content_type="application/zip")
    stamp = timezone.now().strftime("%Y-%m-%d %H%M%S")
    response["Content-Disposition"] = content_disposition(f"evidence pack {stamp}.zip")
    return response
