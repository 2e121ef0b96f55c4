"""Request parameters from a JSON body (even on GET/DELETE, like the seed) or query/form.

The body is read here, bounded by SIGNHUB_PERSIST_MAX_BODY, instead of through
`request.body` (whose own DATA_UPLOAD_MAX_MEMORY_SIZE check answers 400, not 413).
Precedence: body parameters win over query-string parameters of the same name.
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError

from .envelope import ApiError, invalid, missing

DEFAULT_MAX_BODY = 5 * 1024 * 1024
LIST_KEYS = ("tags",)


def max_body() -> int:
    return int(getattr(settings, "SIGNHUB_PERSIST_MAX_BODY", DEFAULT_MAX_BODY))


def too_large() -> ApiError:
    return ApiError(413, "too_large", f"request body is larger than {max_body()} bytes")


def read_body(request: HttpRequest) -> bytes:
    limit = max_body()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise ApiError(400, "bad_request", "Content-Length is not a number") from None
    if declared > limit:
        raise too_large()
    data = request.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    return data


def _querydict_to_params(qd: QueryDict) -> dict[str, Any]:
    """Flatten a QueryDict; list keys may repeat (`tags=a&tags=b` or `tags[]=a`)."""
    params: dict[str, Any] = {}
    for key in qd:
        name = key[:-2] if key.endswith("[]") else key
        values = qd.getlist(key)
        if name in LIST_KEYS:
            params.setdefault(name, []).extend(values)
        else:
            params[name] = values[-1]
    return params


def _json(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "invalid_json", "body is not valid JSON", field="body") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "body must be a JSON object", field="body")
    return value


def collect(request: HttpRequest) -> dict[str, Any]:
    """All parameters of the request as one dict (values not yet validated)."""
    params = _querydict_to_params(request.GET)
    data = read_body(request)
    if not data.strip():
        return params
    content_type = request.content_type or ""
    looks_like_json = data.lstrip()[:1] in (b"{", b"[")
    if content_type == "application/json" or content_type.endswith("+json"):
        params.update(_json(data))
    elif content_type in ("", "application/x-www-form-urlencoded") and looks_like_json:
        # `curl -d '{...}'` sends JSON labelled as a form; the seed's clients do exactly that.
        params.update(_json(data))
    elif content_type == "application/x-www-form-urlencoded":
        try:
            params.update(_querydict_to_params(QueryDict(data, encoding=request.encoding)))
        except TooManyFieldsSent:
            raise ApiError(400, "bad_request", "too many form fields") from None
    elif content_type == "multipart/form-data":
        try:
            parser = MultiPartParser(
                request.META, io.BytesIO(data), request.upload_handlers, request.encoding
            )
            post, _files = parser.parse()
        except RequestDataTooBig:
            raise too_large() from None
        except (MultiPartParserError, TooManyFieldsSent):
            raise ApiError(400, "bad_request", "malformed multipart body", field="body") from None
        params.update(_querydict_to_params(post))
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send application/json, application/x-www-form-urlencoded or multipart/form-data",
        )
    return params


# --- typed readers: each names the field in its 400 ----------------------------------------


def string(params: dict, name: str, required: bool = False, max_length: int = 255) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    if len(value) > max_length:
        raise invalid(name, f"must be at most {max_length} characters")
    if "\x00" in value:
        raise invalid(name, "must not contain NUL characters")
    return value


def text(params: dict, name: str) -> str | None:
    """Free text that the seed types as int but real clients send as string: store text."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(name, "must be a string or a number")
    value = str(value)
    if "\x00" in value:
        raise invalid(name, "must not contain NUL characters")
    if len(value) > 10_000:
        raise invalid(name, "must be at most 10000 characters")
    return value


def integer(params: dict, name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise invalid(name, "must be an integer")
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped.lstrip("-").isdigit() or len(stripped) > 18:
            raise invalid(name, "must be an integer")
        value = int(stripped)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise invalid(name, "must be an integer")
    if not minimum <= value <= maximum:
        raise invalid(name, f"must be between {minimum} and {maximum}")
    return value


def boolean(params: dict, name: str) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "false", "0", "no"):
        return value.lower() in ("true", "1", "yes")
    raise invalid(name, "must be true or false")


def string_list(params: dict, name: str) -> list[str]:
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        # A form field may carry the whole array as JSON text.
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise invalid(name, "must be an array of strings") from None
        else:
            value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "must be an array of strings")
    if len(value) > 100:
        raise invalid(name, "must have at most 100 items")
    for item in value:
        if not item or len(item) > 255 or "\x00" in item:
            raise invalid(name, "items must be non-empty strings of at most 255 characters")
    return list(dict.fromkeys(value))
