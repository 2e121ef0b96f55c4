"""A fake Acme Sign API for the demo and the contract tests: deterministic envelopes.

Served under /sandbox/<provider>/ when the sandbox is enabled; `make demo` adds an account
with `demo_account()` pointing at it and syncs it through the real connector over HTTP.
Mimic the quirks the connector must handle (here: the page size is clamped to 25, so even
the demo pages; a wrong key gets a 401 with the provider's error body).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET

from .statuses import STATUSES

DEMO_KEY = "acme-demo-key"
TOTAL = 60
SERVED_LIMIT = 25
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n% acme sandbox\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def demo_account() -> dict[str, dict[str, str]]:
    return {"credentials": {"api_key": DEMO_KEY}, "options": {}}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@cache
def envelopes() -> tuple[dict[str, Any], ...]:
    states = list(STATUSES)
    rows = []
    for i in range(TOTAL):
        state = states[i % len(states)]
        created = START + timedelta(hours=5 * i)
        done = created + timedelta(days=1)
        rows.append(
            {
                "id": f"env-{i:04d}",
                "name": f"Employment contract #{i}" if i % 3 else f"NDA <b>{i}</b> ✍️",
                "state": state,
                "sender": {"name": "HR Team", "email": "hr@example.com"},
                "recipients": [
                    {
                        "email": f"employee{i}@example.com",
                        "name": f"Employee {i}",
                        "state": "signed" if state == "completed" else "pending",
                        "order": 1,
                        "signed_at": _iso(done) if state == "completed" else None,
                    }
                ],
                "created_at": _iso(created),
                "completed_at": _iso(done) if state == "completed" else None,
                "tags": ["HR", "2025"][: i % 3],
                "documents": [] if state == "draft" else [{"id": f"d{i}", "filename": f"{i}.pdf"}],
            }
        )
    return tuple(rows)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _authorized(request: HttpRequest) -> bool:
    return request.headers.get("Authorization") == f"Bearer {DEMO_KEY}"


@require_GET
def listing(request: HttpRequest) -> JsonResponse:
    if not _authorized(request):
        return _error(401, "invalid_key", "The API key is not valid")
    try:
        limit = min(SERVED_LIMIT, max(1, int(request.GET.get("limit", 10))))
        start = int(request.GET.get("cursor") or 0)
    except ValueError:
        return _error(400, "bad_request", "limit and cursor must be numbers")
    rows = envelopes()[start : start + limit]
    more = start + limit < TOTAL
    return JsonResponse({"data": list(rows), "next_cursor": str(start + limit) if more else None})


@require_GET
def download(request: HttpRequest, envelope_id: str, document_id: str) -> HttpResponse:
    if not _authorized(request):
        return _error(401, "invalid_key", "The API key is not valid")
    row = next((r for r in envelopes() if r["id"] == envelope_id), None)
    if row is None or not any(d["id"] == document_id for d in row["documents"]):
        return _error(404, "not_found", "No such document")
    response = HttpResponse(PDF, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document_id}.pdf"'
    return response


urlpatterns = [
    path("v1/envelopes", listing, name="envelopes"),
    path(
        "v1/envelopes/<str:envelope_id>/documents/<str:document_id>/download",
        download,
        name="download",
    ),
]
