"""The seed's response envelope: {"status", "message", "content"}, plus `code` on failures."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    """Raised anywhere in a request; the view turns it into an envelope with its HTTP status."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra


def ok(content: dict[str, Any] | None, status: int = 200) -> JsonResponse:
    return JsonResponse({"status": True, "message": None, "content": content}, status=status)


def fail(error: ApiError) -> JsonResponse:
    body: dict[str, Any] = {
        "status": False,
        "message": error.message,
        "content": None,
        "code": error.code,
    }
    if error.field:
        body["field"] = error.field
    body.update(error.extra)
    response = JsonResponse(body, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="signhub-persist"'
    return response


def invalid(field: str, problem: str) -> ApiError:
    return ApiError(400, "invalid_parameter", f"{field} {problem}", field=field)


def missing(field: str) -> ApiError:
    return ApiError(400, "missing_parameter", f"{field} is required", field=field)
