"""A fake BoldSign API for the demo: deterministic documents in every list and status.

Mounted at /sandbox/boldsign/ when the sandbox is enabled. It accepts what the connector
sends: X-API-KEY or a Bearer token from its own `/connect/token`, `Page`/`PageSize`/
`NextCursor`/`PageType` in any letter case, and serves tiny PDFs for downloads.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.core.cache import cache as django_cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from signhub.sandbox.clock import sandbox_start
from signhub.sandbox.pdf import sample_pdf

DEMO_API_KEY = "demo-boldsign-key"
DEMO_CLIENT_ID = "demo-boldsign-client"
DEMO_CLIENT_SECRET = "demo-boldsign-secret"
TOKEN_PREFIX = "sbx-"
# 2026-01-01T00:00:00Z: fixed, so the test data never changes (make demo: the last hour).
NOW = int(sandbox_start(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1)).timestamp())
STATUSES = ["Completed", "InProgress", "Completed", "Declined", "Expired", "Revoked",
            "Draft", "Scheduled", "Completed", "InProgress"]  # fmt: skip
SIZES = {"list": 200, "behalf_others": 60, "behalf_me": 30, "team": 30}
PDF = sample_pdf("BoldSign sandbox document", pages=2)


def demo_account() -> dict[str, Any]:
    """OAuth client credentials, so the demo exercises the token endpoint too. The token
    URL is relative: the connector resolves it under the account's base URL."""
    return {
        "credentials": {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET},
        "options": {
            "region": "us",
            "lists": "list,behalf_others,behalf_me,team",
            "token_url": "connect/token",
            "grant_type": "client_credentials",
        },
    }


def _row(kind: str, i: int, n: int) -> dict[str, Any]:
    status = STATUSES[i % len(STATUSES)]
    activity = NOW - (i * 3571 + n * 97)
    created = activity - 86_400 * (1 + i % 9)
    signers = [
        {
            "signerName": f"Employee {n:03d}-{j}",
            "signerEmail": f"employee{n:03d}.{j}@example.com",
            "signerType": "Signer",
            "order": j,
            "isViewed": status != "Draft",
            "status": {"Completed": "Completed", "Declined": "Declined" if j == 1 else
                       "NotCompleted", "Revoked": "Revoked", "Expired": "Expired"}.get(
                status, "NotCompleted"),
        }
        for j in (1, 2)
    ]  # fmt: skip
    row: dict[str, Any] = {
        "documentId": f"bs-{kind}-{i:04d}",
        "senderDetail": {"name": "HR Team", "emailAddress": "hr@example.com", "isViewed": False},
        "ccDetails": [],
        "createdDate": created,
        "activityDate": activity,
        "activityBy": signers[0]["signerEmail"],
        "messageTitle": ["Employment contract", "NDA ✍️", "Policy <b>ack</b>",
                         "Bonus letter"][i % 4] + f" #{n}",
        "status": status,
        "signerDetails": signers,
        "expiryDate": created + 30 * 86_400,
        "enableSigningOrder": True,
        # One deleted document: BoldSign still lists it, flagged (Document.isDeleted).
        "isDeleted": kind == "list" and i == 7,
        "labels": [["HR"], ["HR", "2026"], []][i % 3],
        "cursor": activity * 1000 + n,
        "brandId": None,
    }  # fmt: skip
    if status == "Scheduled":
        row["scheduledSendTime"] = NOW + 86_400
    if kind.startswith("behalf"):
        row["behalfOf"] = {
            "name": f"Manager {i % 5}",
            "emailAddress": f"manager{i % 5}@example.com",
        }
    return row


@cache
def _documents() -> dict[str, list[dict[str, Any]]]:
    out, n = {}, 0
    for kind, size in SIZES.items():
        rows = []
        for i in range(size):
            n += 1
            rows.append(_row(kind, i, n))
        out[kind] = sorted(rows, key=lambda r: r["activityDate"], reverse=True)
    return out


def _authorized(request: HttpRequest) -> bool:
    if request.headers.get("X-API-KEY") == DEMO_API_KEY:
        return True
    auth = request.headers.get("Authorization", "")
    return auth.startswith(f"Bearer {TOKEN_PREFIX}")


def _params(request: HttpRequest) -> dict[str, str]:
    return {k.lower(): v for k, v in request.GET.items()}


def _limit_headers(response: HttpResponse) -> HttpResponse:
    response["X-RateLimit-Limit"] = "2000"
    response["X-RateLimit-Remaining"] = "1999"
    response["X-RateLimit-Reset"] = str(int(time.time()) + 3600)
    return response


def _unauthorized() -> JsonResponse:
    return JsonResponse({"error": "Unauthorized"}, status=401)


def _page(request: HttpRequest, kind: str) -> HttpResponse:
    if not _authorized(request):
        return _unauthorized()
    q = _params(request)
    rows = _documents()[kind]
    try:
        page = max(1, int(q.get("page", "1")))
        size = min(100, max(1, int(q.get("pagesize", "10"))))
        cursor = int(q["nextcursor"]) if q.get("nextcursor") else None
    except ValueError:
        return JsonResponse({"error": "Invalid paging parameters"}, status=400)
    if cursor is not None:
        after = next((k + 1 for k, r in enumerate(rows) if r["cursor"] == cursor), len(rows))
        chunk = rows[after : after + size]
    else:
        chunk = rows[(page - 1) * size : page * size]
    body = {
        "pageDetails": {
            "pageSize": size,
            "page": page,
            "totalRecordsCount": len(rows),
            "totalPages": -(-len(rows) // size),
            "sortedColumn": "activityDate",
            "sortDirection": "DESC",
        },
        "result": chunk,
    }
    return _limit_headers(JsonResponse(body))


@csrf_exempt
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "list")


@csrf_exempt
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    return _page(request, "team")


@csrf_exempt
@require_GET
def behalf_list(request: HttpRequest) -> HttpResponse:
    page_type = _params(request).get("pagetype", "BehalfOfOthers").lower()
    return _page(request, "behalf_me" if page_type == "behalfofme" else "behalf_others")


def _find(document_id: str) -> dict[str, Any] | None:
    for rows in _documents().values():
        for row in rows:
            if row["documentId"] == document_id:
                return {**row, **(django_cache.get(_changed_key(document_id)) or {})}
    return None


def _changed_key(document_id: str) -> str:
    return f"sandbox:boldsign:changed:{document_id}"


def change(document_id: str, **fields: Any) -> None:
    """Change a document at the "provider" (tests, benchmarks): its properties show it."""
    key = _changed_key(document_id)
    django_cache.set(key, {**(django_cache.get(key) or {}), **fields}, 3600)


def webhook_delivery(
    event_type: str, document_id: str, *, secret: str, at: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """A delivery as BoldSign sends it: body and headers, `t=…, s0=…` signed with `secret`."""
    import json

    from .webhooks import signature

    stamp = int(time.time()) if at is None else at
    row = _find(document_id) or {"documentId": document_id}
    body = json.dumps(
        {
            "event": {
                "id": secrets.token_hex(12),
                "created": stamp,
                "eventType": event_type,
                "clientId": None,
                "environment": "Test",
            },
            "data": {"object": "document", **row, "status": event_type},
            "document": None,
        },
        ensure_ascii=False,
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-BoldSign-Event": event_type,
        "X-BoldSign-Signature": f"t={stamp}, s0={signature(secret, stamp, body)}",
    }
    return body, headers


@csrf_exempt
@require_GET
def properties(request: HttpRequest) -> HttpResponse:
    """GET /v1/document/properties?documentId= — one document's details (its row here)."""
    if not _authorized(request):
        return _unauthorized()
    row = _find(_params(request).get("documentid", ""))
    if row is None:
        return JsonResponse({"error": "Invalid Document ID"}, status=404)
    details = {k: v for k, v in row.items() if k not in ("cursor", "behalfOf")}
    # The words that only the properties carry (DocumentProperties), never the list rows.
    if row["status"] == "Declined":
        details["signerDetails"] = [
            {
                **s,
                "declineMessage": "The start date is wrong",
                "lastActivityDate": row["activityDate"],
            }
            if s.get("status") == "Declined"
            else s
            for s in row["signerDetails"]
        ]
    elif row["status"] == "Revoked":
        details["revokeMessage"] = "Sent to the wrong team"
    details["documentHistory"] = [{"action": row["status"], "timestamp": row["activityDate"]}]
    return _limit_headers(JsonResponse(details))


def _download(request: HttpRequest, suffix: str) -> HttpResponse:
    if not _authorized(request):
        return _unauthorized()
    q = _params(request)
    row = _find(q.get("documentid", ""))
    if row is None:
        return JsonResponse({"error": "Invalid Document ID"}, status=404)
    behalf = (row.get("behalfOf") or {}).get("emailAddress")
    if behalf and q.get("onbehalfof", "").lower() != behalf:
        return JsonResponse({"error": "onBehalfOf is required for this document"}, status=400)
    response = HttpResponse(PDF, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{row["documentId"]}{suffix}.pdf"'
    return _limit_headers(response)


@csrf_exempt
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    return _download(request, "")


@csrf_exempt
@require_GET
def download_audit_log(request: HttpRequest) -> HttpResponse:
    return _download(request, "-audit")


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    if (
        request.POST.get("grant_type") != "client_credentials"
        or request.POST.get("client_id") != DEMO_CLIENT_ID
        or request.POST.get("client_secret") != DEMO_CLIENT_SECRET
    ):
        return JsonResponse({"error": "invalid_client"}, status=400)
    return JsonResponse(
        {
            "access_token": TOKEN_PREFIX + secrets.token_hex(16),
            "token_type": "Bearer",
            "expires_in": 3600,
            "scope": request.POST.get("scope", ""),
        }
    )


urlpatterns = [
    path("connect/token", token, name="token"),
    path("v1/document/list", document_list, name="list"),
    path("v1/document/teamlist", team_list, name="teamlist"),
    path("v1/document/behalfList", behalf_list, name="behalflist"),
    path("v1/document/properties", properties, name="properties"),
    path("v1/document/download", download, name="download"),
    path("v1/document/downloadAuditLog", download_audit_log, name="download-audit"),
]
