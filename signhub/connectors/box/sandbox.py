"""A fake Box Sign API for the demo: deterministic sign requests in every status.

Served under /sandbox/box/ when the sandbox is enabled; the demo account points its base URL
there and its `token_url` at `oauth2/token` (relative to the base URL). Quirks it mimics:
marker paging (it clamps `limit` to 100, so the demo pages like a big account would),
`shared_requests=true` listing (overlapping the owned list by 20 requests, to exercise the
de-duplication), tokens from a Client Credentials, JWT, refresh or authorization code grant
("Connect with Box" against `oauth2/authorize`, a consent page with single-use codes that
live 30 s), three managed users (`/2.0/users`) whose requests `As-User` narrows the listing
to, and file content as a 302 to an unauthenticated short-lived link, like dl.boxcloud.com.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from signhub.sandbox.clock import sandbox_start
from signhub.sandbox.pdf import sample_pdf

from .statuses import STATUSES

TOTAL = 300
OWNED_BELOW = 260  # requests 0..259 are owned by the demo user
SHARED_FROM = 240  # requests 240..299 are shared with it (240..259 are both)
SERVED_LIMIT = 100
NAMESPACE = uuid.UUID("6f1c1d2e-6b0e-4b55-9a53-3b0f1f5e0b0c")
# The newest request's signers decide two days after it was created: it ends near now.
START = sandbox_start(
    datetime(2025, 1, 6, 8, 30, tzinfo=UTC), timedelta(hours=7 * (TOTAL - 1) + 49)
)
ENUM = [s for s in STATUSES if " " not in s and s != "downloaded"]
TITLES = [
    "Employment contract — {n}",
    "Arbeitsvertrag Müller {n}",
    "NDA 🤝 {n}",
    "<b>Bonus</b> agreement & policy {n}",
    "雇用契約書 {n}",
    "Remote work addendum {n} " + "(long title) " * 12,
]
USERS = (
    {"type": "user", "id": "1001", "name": "Ana Hr", "login": "ana@example.com"},
    {"type": "user", "id": "1002", "name": "Ben Ops", "login": "ben@example.com"},
    {"type": "user", "id": "1003", "name": "Cleo Legal", "login": "cleo@example.com"},
)
CODE_SECONDS = 30
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
PDF = sample_pdf("Box Sign sandbox document", pages=2)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _signer(email: str, role: str, order: int, decision: str | None, at: datetime) -> dict:
    return {
        "email": email,
        "role": role,
        "order": order,
        "is_in_person": False,
        "has_viewed_document": decision is not None,
        "signer_decision": {
            "type": decision,
            "finalized_at": _iso(at),
            # Box keeps the decliner's words here (SignRequestSigner.signer_decision).
            "additional_info": "The start date is wrong" if decision == "declined" else None,
        }
        if decision
        else None,
        "embed_url": None,
        "inputs": [],
        "attachments": [],
    }


def _request(i: int) -> dict[str, Any]:
    status = ENUM[i % len(ENUM)]
    created = START + timedelta(hours=7 * i, minutes=i % 60)
    name = TITLES[i % len(TITLES)].format(n=i + 1)
    signed = status in ("signed", "finalizing", "error_finalizing")
    decision = "signed" if signed else "declined" if status == "declined" else None
    signers = [
        _signer(f"employee{i + 1}@example.com", "signer", 1, decision, created + timedelta(days=1)),
        _signer(
            "hr.lead@example.com",
            "approver",
            2,
            "signed" if signed else None,
            created + timedelta(days=2),
        ),
        _signer("hr@example.com", "final_copy_reader", 3, None, created),
    ]
    if status == "viewed":
        signers[0]["has_viewed_document"] = True
    if status in ("signed", "declined") and i % 3 == 0:
        # A file the signer attached (SignRequestSigner.attachments[] {id, name}).
        signers[0]["attachments"] = [{"id": str(4_000_000 + i), "name": f"ID card {i + 1}.pdf"}]
    file_name = f"{name[:60].strip()}.pdf"
    return {
        "type": "sign-request",
        "id": str(uuid.uuid5(NAMESPACE, str(i))),
        "short_id": f"SR-{10000 + i}",
        "name": None if i % 17 == 0 else name,
        "status": status,
        "created_at": _iso(created),
        "finished_at": _iso(created + timedelta(days=2)) if status == "signed" else None,
        "auto_expire_at": _iso(created + timedelta(days=30)),
        "sender_email": "hr@example.com",
        "sender_id": 4242,
        "collaborator_level": "owner" if i < OWNED_BELOW else "viewer",
        "signers": signers,
        "source_files": [{"id": str(3_000_000 + i), "type": "file", "etag": "1"}],
        "sign_files": {
            "files": [{"id": str(1_000_000 + i), "type": "file", "name": file_name}],
            "is_ready_for_download": status == "signed",
        },
        "signing_log": (
            {"id": str(2_000_000 + i), "type": "file", "name": f"Signing log {i + 1}.pdf"}
            if status == "signed"
            else None
        ),
        "parent_folder": {"id": "777", "type": "folder", "name": "HR contracts"},
        "external_id": f"HR-{i + 1}",
        "error_code": "cfr11_validation_failed" if status == "error" else None,
    }


@lru_cache(maxsize=1)
def _requests() -> tuple[dict[str, Any], ...]:
    return tuple(_request(i) for i in range(TOTAL))


def _changed_key(request_id: str) -> str:
    return f"sandbox:box:changed:{request_id}"


def _all() -> list[dict[str, Any]]:
    """The requests, with the changes `change()` made (kept in the cache for an hour)."""
    rows = list(_requests())
    changed = cache.get_many([_changed_key(r["id"]) for r in rows])
    if changed:
        rows = [{**r, **changed.get(_changed_key(r["id"]), {})} for r in rows]
    return rows


def change(request_id: str, **fields: Any) -> None:
    """Change a request at the "provider" (tests, benchmarks): what later calls return."""
    key = _changed_key(request_id)
    cache.set(key, {**(cache.get(key) or {}), **fields}, 3600)


def webhook_delivery(
    trigger: str, request_id: str, *, primary_key: str = "", secondary_key: str = ""
) -> tuple[bytes, dict[str, str]]:
    """A delivery as Box sends it: body and headers, signed with the given keys."""
    import json

    from .webhooks import signature

    body = json.dumps(
        {
            "type": "webhook_event",
            "id": str(uuid.uuid4()),
            "created_at": _iso(datetime.now(UTC)),
            "trigger": trigger,
            "webhook": {"id": "161", "type": "webhook"},
            "created_by": {"type": "user", "id": "1001", "login": "ana@example.com"},
            "source": {"type": "file", "id": "1000000", "name": "Contract.pdf"},
            "additional_info": {"sign_request_id": request_id, "status": trigger.lower()},
        },
        ensure_ascii=False,
    ).encode()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "BOX-DELIVERY-ID": str(uuid.uuid4()),
        "BOX-DELIVERY-TIMESTAMP": stamp,
        "BOX-SIGNATURE-VERSION": "1",
        "BOX-SIGNATURE-ALGORITHM": "HmacSHA256",
    }
    if primary_key:
        headers["BOX-SIGNATURE-PRIMARY"] = signature(primary_key, body, stamp)
    if secondary_key:
        headers["BOX-SIGNATURE-SECONDARY"] = signature(secondary_key, body, stamp)
    return body, headers


def _error(status: int, code: str, message: str) -> JsonResponse:
    body = {
        "type": "error",
        "status": status,
        "code": code,
        "message": message,
        "request_id": secrets.token_hex(6),
    }
    return JsonResponse(body, status=status)


def _authorized(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer sbx-")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """Box's consent page, reduced to Grant/Deny; back to `redirect_uri` with a code."""
    params = request.GET if request.method == "GET" else request.POST
    redirect_uri, state = params.get("redirect_uri", ""), params.get("state", "")
    if params.get("response_type") != "code" or not params.get("client_id") or not redirect_uri:
        return HttpResponse(
            "response_type=code, client_id and redirect_uri are required", status=400
        )
    if request.method == "GET":
        fields = format_html(
            '<input type="hidden" name="response_type" value="code">'
            '<input type="hidden" name="client_id" value="{}">'
            '<input type="hidden" name="redirect_uri" value="{}">'
            '<input type="hidden" name="state" value="{}">',
            params["client_id"],
            redirect_uri,
            state,
        )
        return HttpResponse(
            format_html(
                "<!doctype html><title>Box (sandbox)</title><h1>Grant access to Box</h1>"
                "<p>The demo app wants to read your sign requests.</p>"
                '<form method="post">{}<button name="decision" value="grant">Grant access to '
                'Box</button> <button name="decision" value="deny">Deny</button></form>',
                fields,
            )
        )
    if params.get("decision") != "grant":
        answer = {"error": "access_denied", "error_description": "The user denied access"}
    else:
        code = secrets.token_urlsafe(16)
        cache.set(f"sandbox:box:code:{code}", redirect_uri, CODE_SECONDS)
        answer = {"code": code}
    response = HttpResponse(status=302)
    response["Location"] = f"{redirect_uri}?{urlencode({**answer, 'state': state})}"
    return response


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    grant = request.POST.get("grant_type")
    if not request.POST.get("client_id") or not request.POST.get("client_secret"):
        return JsonResponse(
            {"error": "invalid_client", "error_description": "No client"}, status=400
        )
    body = {
        "access_token": f"sbx-{secrets.token_hex(12)}",
        "expires_in": 3600,
        "token_type": "bearer",
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
    }
    if grant == "authorization_code":
        key = f"sandbox:box:code:{request.POST.get('code', '')}"
        expected = cache.get(key)
        cache.delete(key)  # single use
        if expected is None or expected != request.POST.get("redirect_uri", expected):
            return JsonResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "Auth code doesn't exist or is invalid for the client",
                },
                status=400,
            )
        body["refresh_token"] = f"sbr-{secrets.token_hex(12)}"
    elif grant == "refresh_token" and request.POST.get("refresh_token"):
        body["refresh_token"] = f"sbr-{secrets.token_hex(12)}"
    elif grant == JWT_GRANT and not request.POST.get("assertion"):
        return JsonResponse(
            {"error": "invalid_request", "error_description": "Missing assertion"}, status=400
        )
    elif grant not in ("client_credentials", JWT_GRANT):
        return JsonResponse(
            {"error": "invalid_grant", "error_description": "Grant credentials are invalid"},
            status=400,
        )
    return JsonResponse(body)


@require_GET
def sign_requests(request: HttpRequest) -> JsonResponse:
    if not _authorized(request):
        return HttpResponse(status=401)  # Box's 401 bodies are often empty
    try:
        limit = int(request.GET.get("limit", 100))
        offset = int(request.GET.get("marker", "m0")[1:] or 0)
    except ValueError:
        return _error(400, "bad_request", "Invalid limit or marker")
    if not 1 <= limit <= 1000:
        return _error(400, "invalid_limit", "limit must be between 1 and 1000")
    shared = request.GET.get("shared_requests") == "true"
    rows = [r for i, r in enumerate(_all()) if (i >= SHARED_FROM if shared else i < OWNED_BELOW)]
    as_user = request.headers.get("As-User")
    if as_user:
        ids = [u["id"] for u in USERS]
        if as_user not in ids:
            return _error(403, "access_denied_insufficient_permissions", "Access denied")
        mine = ids.index(as_user)
        rows = [r for r in rows if int(r["short_id"][3:]) % len(ids) == mine]
    size = min(limit, SERVED_LIMIT)
    page = rows[offset : offset + size]
    more = offset + size < len(rows)
    return JsonResponse(
        {"limit": size, "next_marker": f"m{offset + size}" if more else None, "entries": page}
    )


@require_GET
def sign_request(request: HttpRequest, request_id: str) -> JsonResponse:
    if not _authorized(request):
        return HttpResponse(status=401)
    found = next((r for r in _all() if r["id"] == request_id), None)
    return JsonResponse(found) if found else _error(404, "not_found", "Not Found")


@require_GET
def file_content(request: HttpRequest, file_id: str) -> HttpResponse:
    if not _authorized(request):
        return HttpResponse(status=401)
    prefix = request.path[: request.path.index("/2.0/")]
    response = HttpResponse(status=302)
    response["Location"] = request.build_absolute_uri(
        f"{prefix}/dl/{file_id}/{secrets.token_hex(8)}"
    )
    return response


@require_GET
def download(request: HttpRequest, file_id: str, ticket: str) -> HttpResponse:
    """The short-lived download link: no Authorization needed (and none expected)."""
    if "Authorization" in request.headers:
        return _error(400, "bad_request", "Download links must not carry the Box token")
    response = HttpResponse(PDF, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_id}.pdf"'
    return response


@csrf_exempt
@require_POST
def webhooks(request: HttpRequest) -> JsonResponse:
    """POST /2.0/webhooks: recorded (for tests) and answered like Box."""
    import json

    if not _authorized(request):
        return HttpResponse(status=401)
    try:
        body = json.loads(request.body)
        target, address = body["target"], body["address"]
    except (ValueError, KeyError, TypeError):
        return _error(400, "bad_request", "target, address and triggers are required")
    if target.get("id") == "0":
        return _error(400, "bad_request", "Webhooks cannot be created on the root folder")
    hook = {"type": "webhook", "id": str(4000 + len(cache.get("sandbox:box:webhooks") or [])),
            "target": target, "address": address, "triggers": body.get("triggers", [])}  # fmt: skip
    cache.set("sandbox:box:webhooks", [*(cache.get("sandbox:box:webhooks") or []), hook], 3600)
    return JsonResponse(hook, status=201)


@require_GET
def users(request: HttpRequest) -> JsonResponse:
    if not _authorized(request):
        return HttpResponse(status=401)
    return JsonResponse({"limit": 1000, "entries": list(USERS), "next_marker": None})


urlpatterns = [
    path("oauth2/authorize", authorize, name="authorize"),
    path("oauth2/token", token, name="token"),
    path("2.0/users", users, name="users"),
    path("2.0/webhooks", webhooks, name="webhooks"),
    path("2.0/sign_requests", sign_requests, name="sign_requests"),
    path("2.0/sign_requests/<str:request_id>", sign_request, name="sign_request"),
    path("2.0/files/<str:file_id>/content", file_content, name="file_content"),
    path("dl/<str:file_id>/<str:ticket>", download, name="download"),
]


def demo_account() -> dict[str, dict[str, str]]:
    """A Client Credentials account against this fake (token URL relative to the base URL)."""
    return {
        "credentials": {
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            "subject_type": "enterprise",
            "subject_id": "424242",
        },
        "options": {"include_shared": "true", "token_url": "oauth2/token"},
    }
