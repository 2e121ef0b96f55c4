"""Request parameters from a JSON body (even on GET/DELETE, like the seed) or query/form.

The body is read here, bounded by SIGNHUB_PERSIST_MAX_BODY, instead of through
`request.body` (whose own DATA_UPLOAD_MAX_MEMORY_SIZE check answers 400, not 413).
Precedence: body parameters win over query-string parameters of the same name, and a value
is checked wherever it was sent (an invalid query value is a 400 even when the body wins).

Types: a JSON body is typed strictly (`tags` must be an array, `version` an integer,
`count` a boolean); query and form values are text and are parsed. Every text value must
be valid Unicode without NUL; JSON nesting is bounded before the parser sees it.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError

from .envelope import ApiError, invalid, missing

DEFAULT_MAX_BODY = 5 * 1024 * 1024
LIST_KEYS = ("tags",)
MAX_DEPTH = 32
_JSON_SPECIAL = re.compile(rb'[\[\]{}"\\]')


class Params(dict):
    """The merged parameters; `typed` names those that came from a JSON body."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.typed: set[str] = set()
        self.overridden: dict[str, Any] = {}  # query values a body value replaced


def json_depth(data: bytes) -> int:
    """Deepest nesting of [ and { outside strings: a linear scan of the special bytes only."""
    depth = deepest = 0
    in_string = False
    skip_to = -1
    for match in _JSON_SPECIAL.finditer(data):
        at = match.start()
        if at <= skip_to:
            continue  # the character after a backslash
        char = data[at]
        if in_string:
            if char == 0x5C:  # backslash
                skip_to = at + 1
            elif char == 0x22:  # quote
                in_string = False
        elif char == 0x22:
            in_string = True
        elif char in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif char in b"]}":
            depth -= 1
    return deepest


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
    if json_depth(data) > MAX_DEPTH:
        raise ApiError(
            400, "invalid_json", f"body is nested deeper than {MAX_DEPTH} levels", field="body"
        )
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "invalid_json", "body is not valid JSON", field="body") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "body must be a JSON object", field="body")
    return value


def _merge(params: Params, body: dict[str, Any], *, typed: bool) -> None:
    for key, value in body.items():
        if value is None:
            continue  # JSON null means "not sent": the query value (if any) stands
        if key in params:
            params.overridden[key] = params[key]
        params[key] = value
        if typed:
            params.typed.add(key)


def collect(request: HttpRequest) -> Params:
    """All parameters of the request as one dict (values not yet validated)."""
    params = Params(_querydict_to_params(request.GET))
    data = read_body(request)
    if not data.strip():
        return params
    content_type = request.content_type or ""
    looks_like_json = data.lstrip()[:1] in (b"{", b"[")
    if content_type == "application/json" or content_type.endswith("+json"):
        _merge(params, _json(data), typed=True)
    elif content_type in ("", "application/x-www-form-urlencoded") and looks_like_json:
        # `curl -d '{...}'` sends JSON labelled as a form; the seed's clients do exactly that.
        _merge(params, _json(data), typed=True)
    elif content_type == "application/x-www-form-urlencoded":
        try:
            form = _querydict_to_params(QueryDict(data, encoding=request.encoding))
        except TooManyFieldsSent:
            raise ApiError(400, "bad_request", "too many form fields") from None
        _merge(params, form, typed=False)
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
        _merge(params, _querydict_to_params(post), typed=False)
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send application/json, application/x-www-form-urlencoded or multipart/form-data",
        )
    return params


# --- typed readers: each names the field in its 400 ----------------------------------------


def clean_text(name: str, value: str) -> str:
    """Text the databases can store: no NUL, no lone surrogates (UTF-16 halves)."""
    if "\x00" in value:
        raise invalid(name, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(name, "must be valid Unicode (no lone surrogates)") from None
    return value


def check_overridden(params: Params, readers: dict) -> None:
    """Query values that a body value replaced must still be valid (the spec says so)."""
    for name, value in params.overridden.items():
        reader = readers.get(name)
        if reader is not None:
            reader(Params({name: value}), name)


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
    return clean_text(name, value)


def text(params: dict, name: str) -> str | None:
    """Free text that the seed types as int but real clients send as string: store text."""
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise invalid(name, "must be a string or an integer")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        raise invalid(name, "must be a 64-bit integer when it is a number")
    value = str(value)
    if len(value) > 10_000:
        raise invalid(name, "must be at most 10000 characters")
    return clean_text(name, value)


def _typed(params: dict, name: str) -> bool:
    return name in getattr(params, "typed", ())


def integer(params: dict, name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        raise invalid(name, "must be an integer")
    if isinstance(value, str) and not _typed(params, name):
        stripped = value.strip()
        if not stripped.lstrip("-").isdigit() or len(stripped) > 18:
            raise invalid(name, "must be an integer")
        value = int(stripped)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        value = int(value)  # JSON Schema: 2.0 is an integer
    if not isinstance(value, int):
        raise invalid(name, "must be an integer")
    if not minimum <= value <= maximum:
        raise invalid(name, f"must be between {minimum} and {maximum}")
    return value


def boolean(params: dict, name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    words = ("true", "1", "yes", "false", "0", "no")
    if isinstance(value, str) and not _typed(params, name) and value.lower() in words:
        return value.lower() in ("true", "1", "yes")
    raise invalid(name, "must be true or false")


def string_list(params: dict, name: str) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    if _typed(params, name):
        if not isinstance(value, list):
            raise invalid(name, "must be an array of strings")
    elif isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(name, "must be an array of strings")
    if len(value) > 100:
        raise invalid(name, "must have at most 100 items")
    for item in value:
        if not item or len(item) > 255:
            raise invalid(name, "items must be non-empty strings of at most 255 characters")
        clean_text(name, item)
    return list(dict.fromkeys(value))
