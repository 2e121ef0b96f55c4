"""A fake Bitrix24 portal for the demo: the two sign.b2e tails, the token server, downloads.

Deterministic data: 300 documents in the company safe (every role, some editor/reviewer rows
without signed_date → in progress), and the demo user's personal rows with the same ids. It
behaves like the real API where the connector cares: POST JSON with `auth`, limit clamped to
20 when out of range, an empty page at the end, `expired_token` for the demo's starting token,
rotating refresh tokens, `file_url` carrying the access token.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from signhub.sandbox.clock import sandbox_start
from signhub.sandbox.pdf import sample_pdf

CLIENT_ID = "demo-app"
CLIENT_SECRET = "demo-secret"
DEMO_USER = 1
TOTAL = 300
PDF = sample_pdf("Bitrix24 e-Signature sandbox document", pages=2)

_ROLES = ["signer", "assignee", "signer", "editor", "signer", "reviewer", "signer"]
_FOLDERS = ["Employment contracts", "Orders", "Vacations", None]
_TITLES = [
    "Employment contract #{i}",
    "Приказ о приёме на работу №{i}",
    "Vacation request {i} 🌴",
    "<b>Non-disclosure</b> agreement & annex {i}",
    "Arbeitsvertrag {i} – Änderung",
]
_OFFSETS = [timezone(timedelta(hours=2)), timezone(timedelta(hours=3)), UTC]


@cache
def documents() -> list[dict]:
    """Safe rows, newest (highest id) first, without file_url (added per request)."""
    # Signed up to 37 + TOTAL minutes after creation: the newest ends before now.
    span = timedelta(hours=7 * TOTAL, minutes=37 + TOTAL)
    start = sandbox_start(datetime(2024, 1, 8, 9, 0, tzinfo=UTC), span)
    rows = []
    for i in range(TOTAL, 0, -1):
        role = _ROLES[i % len(_ROLES)]
        tz = _OFFSETS[i % len(_OFFSETS)]
        created = (start + timedelta(hours=7 * i)).astimezone(tz)
        signed = None if role in ("editor", "reviewer") else created + timedelta(minutes=37 + i)
        title = _TITLES[i % len(_TITLES)].format(i=i)
        if i == 42:
            title = "Very long title " + "x" * 400
        row = {
            "id": i,
            "title": title,
            "create_date": created.isoformat(),
            "signed_date": signed.isoformat() if signed else None,
            "creator_id": 1 + i % 4,
            "member_id": DEMO_USER if i % 5 == 0 else 2 + i % 8,
            "role": role,
        }
        folder = _FOLDERS[i % len(_FOLDERS)]
        if folder:
            row["folderName"] = folder
        rows.append(row)
    return rows


def _personal() -> list[dict]:
    return [
        {k: row[k] for k in ("id", "title", "signed_date")}
        for row in documents()
        if row["member_id"] == DEMO_USER
    ]


def _params(request: HttpRequest) -> dict:
    if request.content_type == "application/json" and request.body:
        try:
            data = json.loads(request.body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {**request.GET.dict(), **request.POST.dict()}


def _error(code: str, description: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "error_description": description}, status=status)


def _auth_error(token: str) -> JsonResponse | None:
    if token.startswith("demo-access-") and not token.endswith("-expired"):
        return None
    if token.endswith("-expired"):
        return _error("expired_token", "The access token provided has expired.", 401)
    return _error("NO_AUTH_FOUND", "Wrong authorization data", 401)


def _int(value, default: int, low: int, high: int) -> int:
    # Like the real module: an out-of-range or non-integer limit silently becomes the default.
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _time_block() -> dict:
    now = datetime.now(UTC).timestamp()
    return {"start": now, "finish": now, "duration": 0.0, "operating_reset_at": int(now) + 600}


@csrf_exempt
def rest(request: HttpRequest, method: str) -> HttpResponse:
    method = method.removesuffix(".json")
    params = _params(request)
    if method == "download":
        return download(request)
    lists = {"sign.b2e.personal.tail": _personal, "sign.b2e.mysafe.tail": documents}
    if method not in lists and method != "user.get":
        return _error("ERROR_METHOD_NOT_FOUND", "Method not found!", 404)
    token = str(params.get("auth") or "")
    problem = _auth_error(token)
    if problem is not None:
        return problem
    if method == "user.get":
        return users(params)
    limit = _int(params.get("limit"), 20, 1, 50)
    offset = _int(params.get("offset"), 0, 0, 10**9)
    prefix = request.path.split("/rest/", 1)[0]
    rows = []
    for row in lists[method]()[offset : offset + limit]:
        query = urlencode({"auth": token, "token": f"sign.b2e|{row['id']}"})
        url = request.build_absolute_uri(f"{prefix}/rest/download.json") + "?" + query
        rows.append({**row, "file_url": url})
    return JsonResponse({"result": rows, "time": _time_block()})


_PEOPLE = [("Anna", "Schmidt"), ("Ivan", "Petrov"), ("Mei", "Chen"), ("Olu", "Adeyemi"),
           ("Sara", "Nilsson"), ("Jonas", "Berg"), ("Lea", "Roth"), ("Tom", "Hale"),
           ("Nina", "Kovač"), ("Ali", "Kaya")]  # fmt: skip


def users(params: dict) -> JsonResponse:
    """`user.get` with FILTER.ID (an id or a list): the portal's people, 50 per page."""
    wanted = (params.get("FILTER") or params.get("filter") or {}).get("ID") or []
    wanted = wanted if isinstance(wanted, list) else [wanted]
    rows = []
    for uid in wanted[:50]:
        n = int(uid) if str(uid).isdigit() else 0
        if 1 <= n <= len(_PEOPLE):
            first, last = _PEOPLE[n - 1]
            email = f"{first.lower()}.{last.lower()}@demo-portal.example"
            rows.append({"ID": str(n), "ACTIVE": True, "NAME": first, "LAST_NAME": last,
                         "EMAIL": email})  # fmt: skip
    return JsonResponse({"result": rows, "total": len(rows), "time": _time_block()})


def download(request: HttpRequest) -> HttpResponse:
    problem = _auth_error(request.GET.get("auth", ""))
    if problem is not None:
        return problem
    _, _, doc_id = request.GET.get("token", "").rpartition("|")
    if not doc_id.isdigit() or not 1 <= int(doc_id) <= TOTAL:
        return HttpResponse("Not found", status=404, content_type="text/plain")
    response = HttpResponse(PDF, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="signed-{doc_id}.pdf"'
    return response


@csrf_exempt
def token(request: HttpRequest) -> JsonResponse:
    params = _params(request)
    if params.get("client_id") != CLIENT_ID or params.get("client_secret") != CLIENT_SECRET:
        return _error("invalid_client", "Invalid client", 401)
    refresh = str(params.get("refresh_token") or "")
    if params.get("grant_type") != "refresh_token" or not refresh.startswith("demo-refresh-"):
        return _error("invalid_grant", "Invalid grant", 400)
    generation = refresh.rsplit("-", 1)[-1]
    nxt = int(generation) + 1 if generation.isdigit() else 1
    base = request.build_absolute_uri(request.path.split("/oauth/", 1)[0])
    return JsonResponse(
        {
            "access_token": f"demo-access-{nxt}",
            "refresh_token": f"demo-refresh-{nxt}",
            "expires": int(datetime.now(UTC).timestamp()) + 3600,
            "expires_in": 3600,
            "scope": "sign.b2e",
            "domain": "oauth.bitrix.info",
            "server_endpoint": "https://oauth.bitrix.info/rest/",
            "status": "L",
            "client_endpoint": f"{base}/rest/",
            "member_id": "demo0000member0000id",
            "user_id": DEMO_USER,
        }
    )


urlpatterns = [
    path("oauth/token/", token, name="token"),
    path("rest/<str:method>", rest, name="rest"),
]


def demo_account() -> dict:
    """The demo starts with an expired access token, so its first sync shows a refresh."""
    return {
        "credentials": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "access_token": "demo-access-expired",
            "refresh_token": "demo-refresh-0",
        },
        # Relative: resolved against the account's base URL (the sandbox root).
        "options": {"lists": "personal,mysafe", "oauth_url": "oauth/token/"},
    }
