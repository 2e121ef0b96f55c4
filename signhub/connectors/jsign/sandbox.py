"""A fake JSign API for the demo: deterministic envelopes in every status, token endpoints,
paging (page size clamped to 100, like an API might), details, base64 downloads.

Served under /sandbox/jsign/ when the sandbox is enabled; the demo account's base URL is that
prefix, so the real connector builds `{base}/api/v2.0/...` exactly as against JSign.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from signhub.sandbox.clock import sandbox_start
from signhub.sandbox.pdf import sample_pdf

DEMO = {"api_key": "demo-key", "api_secret": "demo-secret", "email": "hr@demo.example"}
DEMO_PASSWORD = "demo-password"  # noqa: S105 - a fake for the local demo only
COUNT = 240
MAX_PAGE_SIZE = 100
STATUSES = [
    "AwaitingMySignature",
    "AwaitingOthers",
    "DueSoon",
    "Completed",
    "Declined",
    "Cancelled",
    "Expired",
]
TITLES = [
    "Employment contract",
    "NDA — Ünïcödé & émoji ✍️",
    "<b>Offer letter</b> & benefits",
    "Policy acknowledgement " + "very long title " * 12,
    "Remote work agreement",
]
PEOPLE = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Edsger", "Dijkstra")]
CATEGORIES = [" NDA, HR", "Onboarding", " Contracts ,  HR ", ""]
EPOCH = sandbox_start(datetime(2025, 1, 15, 9, 0, tzinfo=UTC), timedelta(hours=7 * (COUNT - 1)))


def demo_account() -> dict[str, Any]:
    return {"credentials": {**DEMO, "password": DEMO_PASSWORD}, "options": {}}


def _envelope(i: int) -> dict[str, Any]:
    first, last = PEOPLE[i % len(PEOPLE)]
    created = EPOCH + timedelta(hours=7 * i, microseconds=123456 * (i % 7))
    fraction = f"{created.microsecond:06d}"[: i % 4]  # variable fraction, as JSign sends
    stamp = created.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "")
    row = {
        "envelope_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"jsign-demo-{i}")),
        "name": f"{TITLES[i % len(TITLES)]} #{i}",
        "status": STATUSES[i % len(STATUSES)],
        "created_by": f"{first} {last}",
        "categories": CATEGORIES[i % len(CATEGORIES)],
    }
    # The docs table and the sample disagree on this key: serve both spellings.
    row["creation_time_utc" if i % 2 else "creations_time_utc"] = stamp
    return row


ENVELOPES = [_envelope(i) for i in range(COUNT)]
BY_ID = {e["envelope_id"]: (i, e) for i, e in enumerate(ENVELOPES)}


def _error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"error_code": code, "developer_message": message}]}, status=status
    )


def _authorized(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer sbx-access-")


def _tokens() -> JsonResponse:
    stamp = uuid.uuid4().hex[:12]
    return JsonResponse(
        {
            "message": "",
            "data": {
                "access_token": f"sbx-access-{stamp}",
                "refresh_token": f"sbx-refresh-{stamp}",
                "token_type": "bearer",
                "expires_in": int(time.time()) + 4 * 3600,  # absolute, like JSign
            },
        }
    )


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@csrf_exempt
def login(request: HttpRequest) -> JsonResponse:
    expected = base64.b64encode(f"{DEMO['api_key']}:{DEMO['api_secret']}".encode()).decode()
    body = _body(request)
    if request.headers.get("Authorization") != f"Basic {expected}" or (
        body.get("email"),
        body.get("password"),
    ) != (DEMO["email"], DEMO_PASSWORD):
        return _error("UNAUTHORIZED", "Client credentials are required.", 401)
    return _tokens()


@csrf_exempt
def refresh(request: HttpRequest) -> JsonResponse:
    if not str(_body(request).get("refresh_token", "")).startswith("sbx-refresh-"):
        return _error("REFRESH_TOKEN_REQUIRED", "Refresh token is required.")
    return _tokens()


@csrf_exempt
def envelope_list(request: HttpRequest) -> JsonResponse:
    if not _authorized(request):
        return _error("TOKEN_EXPIRED", "Token expired.", 401)
    body = _body(request)
    page = max(1, int(body.get("page") or 1))
    size = min(MAX_PAGE_SIZE, max(1, int(body.get("page_size") or 10)))
    rows = ENVELOPES
    if body.get("status"):
        rows = [r for r in rows if r["status"] in body["status"]]
    if body.get("categories"):
        wanted = {c.strip() for c in body["categories"]}
        rows = [r for r in rows if wanted & {c.strip() for c in r["categories"].split(",")}]
    pages = max(1, -(-len(rows) // size))
    info = {"page": page, "num_pages": pages, "num_results": len(rows), "page_size": size}
    chunk = rows[(page - 1) * size : page * size]
    return JsonResponse({"message": "", "data": {"list_info": info, "envelopes": chunk}})


def details(request: HttpRequest, envelope_id: str) -> JsonResponse:
    if not _authorized(request):
        return _error("TOKEN_EXPIRED", "Token expired.", 401)
    if envelope_id not in BY_ID:
        return _error("ENVELOPE_NOT_FOUND_OR_RECIPIENT_NO_ACCESS", "Envelope not found.")
    i, row = BY_ID[envelope_id]
    first, last = PEOPLE[i % len(PEOPLE)]
    status = row["status"]
    signers = [
        {
            "email": f"{p[0].lower()}.{p[1].lower()}@demo.example",
            "first_name": p[0],
            "last_name": p[1],
            "signing_order": n,
            "is_signed": status == "Completed",
        }
        for n, p in enumerate(PEOPLE[: 1 + i % 3], start=1)
    ]
    # Like JSign's details: each signer's signing time once signed (the completion time
    # is the last of them), and who declined.
    for n, signer in enumerate(signers, start=1):
        if status == "Completed":
            signer["signed_time_utc"] = _stamp(_created(i) + timedelta(days=n, minutes=7 * i))
    if status == "Declined":
        signers[0]["status"] = "Declined"
    envelope = {
        "id": envelope_id,
        "name": row["name"],
        "created_by": f"{first.lower()}@demo.example",
        "creation_time_utc": row.get("creation_time_utc") or row.get("creations_time_utc"),
        "envelope_status": row["status"],
        "categories": [c.strip() for c in row["categories"].split(",") if c.strip()],
    }
    ended = _stamp(_created(i) + timedelta(days=2, hours=3)) + ".5"
    if status == "Cancelled":
        envelope["cancel_reason"] = "Sent by mistake"
        envelope["document_cancel_date_utc"] = ended
    if status == "Declined":
        envelope["cancel_reason"] = "The start date is wrong"
        envelope["document_cancel_date_utc"] = ended
    if status == "Expired":
        envelope["signing_due_date"] = _stamp(_created(i) + timedelta(days=30))
    chain = {
        "original_document_hash": uuid.uuid5(uuid.NAMESPACE_URL, f"orig-{i}").hex * 2,
        "is_sign_process_completed": status == "Completed",
    }
    if status == "Completed":
        chain["signed_document_hash"] = uuid.uuid5(uuid.NAMESPACE_URL, f"signed-{i}").hex * 2
    documents = {"name": f"document-{i}.pdf", "documents_id": f"doc-{i}", "blockchain": chain}
    return JsonResponse(
        {"data": {"envelope": envelope, "documents": documents, "recipients": {"signers": signers}}}
    )


def history(request: HttpRequest, envelope_id: str) -> JsonResponse:
    if not _authorized(request):
        return _error("TOKEN_EXPIRED", "Token expired.", 401)
    if envelope_id not in BY_ID:
        return _error("ENVELOPE_NOT_FOUND_OR_RECIPIENT_NO_ACCESS", "Envelope not found.")
    i, row = BY_ID[envelope_id]
    first, last = PEOPLE[i % len(PEOPLE)]
    entries = [
        {
            "first_name": first,
            "last_name": last,
            "log_time_utc": _stamp(_created(i)),
            "content": "Envelope created",
            "activity": "Created",
        }
    ]
    if row["status"] == "Completed":
        done = _created(i) + timedelta(days=1 + i % 3, minutes=7 * i)
        entries.append(
            {
                "first_name": first,
                "log_time_utc": _stamp(done),
                "content": "",
                "activity": "Completed",
            }
        )
    return JsonResponse({"message": "", "data": {"envelope_history": entries}})


def _created(i: int) -> datetime:
    return EPOCH + timedelta(hours=7 * i)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def download(request: HttpRequest, envelope_id: str, document_id: str) -> JsonResponse:
    if not _authorized(request):
        return _error("TOKEN_EXPIRED", "Token expired.", 401)
    if envelope_id not in BY_ID:
        return _error("ENVELOPE_NOT_FOUND_OR_RECIPIENT_NO_ACCESS", "Envelope not found.")
    i, row = BY_ID[envelope_id]
    signed = request.GET.get("signedCopy") == "true"
    if signed and row["status"] != "Completed":
        return _error("DOCUMENT_IS_NOT_SIGNED", "Document is not signed.")
    pdf = sample_pdf(
        f"JSign envelope {i}", subtitle=f"{'signed' if signed else 'unsigned'} copy (sandbox)"
    )
    return JsonResponse(
        {
            "message": "",
            "data": {
                "envelope_id": envelope_id,
                "document_id": document_id,
                "document_name": f"document-{i}",
                "file_name": f"document-{i}.pdf",
                "document_base64": base64.b64encode(pdf).decode(),
            },
        }
    )


def audit_logs(request: HttpRequest, envelope_id: str) -> JsonResponse:
    if not _authorized(request):
        return _error("TOKEN_EXPIRED", "Token expired.", 401)
    if envelope_id not in BY_ID:
        return _error("ENVELOPE_NOT_FOUND_OR_RECIPIENT_NO_ACCESS", "Envelope not found.")
    event = {"activity": "Signed", "time_stamp_utc": "2025-06-01T12:00:00Z", "block_number": 1}
    return JsonResponse(
        {"data": {"envelope_id": envelope_id, "documents": [{"audit_event_logs": [event]}]}}
    )


urlpatterns = [
    path("api/v2.0/authorization/token", login, name="login"),
    path("api/v2.0/authorization/refresh_token", refresh, name="refresh"),
    path("api/v2.0/envelopes/list", envelope_list, name="list"),
    path("api/v2.0/envelopes/<str:envelope_id>/details", details, name="details"),
    path("api/v2.0/envelopes/<str:envelope_id>/audit_logs", audit_logs, name="audit_logs"),
    path("api/v2.0/envelopes/<str:envelope_id>/history", history, name="history"),
    path(
        "api/v2.0/envelopes/<str:envelope_id>/<str:document_id>/download",
        download,
        name="download",
    ),
]
