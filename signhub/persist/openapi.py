"""OpenAPI 3.1 description of the Persist API, written by hand to match api.py exactly.

Checked by schemathesis against the running API (tests/persist/test_openapi.py): every
request the description allows is accepted, every one it forbids is refused with a 4xx.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from .params import DEFAULT_MAX_BODY, MAX_DEPTH

MAX_VERSION = 2**31 - 1
MAX_OFFSET = 10**9
# Text the server stores: no NUL (lone surrogates cannot be written in UTF-8 at all).
NO_NUL = "^[^\\u0000]*$"
_TS = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "description": "UTC"}
_NULLABLE_STR = {"type": ["string", "null"]}
_TAG = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": NO_NUL}
_TAGS = {"type": "array", "items": _TAG, "maxItems": 100}
_KEY = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": NO_NUL}
_FILTER = {"type": "string", "maxLength": 255, "pattern": NO_NUL}


def _or_null(schema: dict) -> dict:
    """JSON null means "not sent" for optional body fields."""
    if "oneOf" in schema:
        return {**schema, "oneOf": [*schema["oneOf"], {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


_TEXT = {
    "oneOf": [
        {"type": "string", "maxLength": 10_000, "pattern": NO_NUL},
        {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1},
    ],
    "description": "typed as int by the original service, text in practice: stored as text",
}
_VERSION = {"type": "integer", "minimum": 1, "maximum": MAX_VERSION}
_SIGNATURE_VALUE = {
    "type": "string",
    "format": "signature",
    "description": "base64 of a DER CMS SignedData, or of an XML document holding a "
    "ds:Signature (raw XML text starting with '<' is accepted too). Anything else is 400 "
    "invalid_signature (unless SIGNHUB_PERSIST_ALLOW_OPAQUE is set).",
}

_TIMES = {
    "version_created_at": {**_TS, "description": "when this version was saved (UTC)"},
    "created_at": {**_TS, "description": "when the chain was created: its first save (UTC)"},
    "updated_at": {**_TS, "description": "the chain's last change: its latest save (UTC)"},
}
SIGNATURE = {
    "type": "object",
    "required": [
        "id",
        "version",
        "document",
        "thread",
        "signature",
        "cms",
        "version_created_by",
        "version_comment",
        "tags",
        "stage",
        "parent",
        *_TIMES,
    ],  # fmt: skip
    "properties": {
        "id": {"type": "integer"},
        "version": {"type": "integer", "minimum": 1},
        "document": {"type": "string"},
        "thread": {"type": "string"},
        "signature": {"type": "string", "contentEncoding": "base64"},
        "cms": {"type": "string", "contentEncoding": "base64", "description": "same as signature"},
        "version_created_by": _NULLABLE_STR,
        "version_comment": _NULLABLE_STR,
        "tags": {"type": "array", "items": {"type": "string"}},
        "stage": _NULLABLE_STR,
        "parent": {"type": ["integer", "null"], "description": "id of the previous version"},
        **_TIMES,
    },
}
LIST_ITEM = {
    "type": "object",
    "required": [
        "id",
        "document",
        "chain",
        "thread",
        "version",
        "stage",
        "signature",
        "parent",
        "tags",
        *_TIMES,
    ],  # fmt: skip
    "properties": {
        "id": {"type": "integer"},
        "document": {"type": "string"},
        "chain": {"type": "string", "description": "the thread"},
        "thread": {"type": "string"},
        "version": {"type": "integer"},
        "stage": _NULLABLE_STR,
        "signature": {"type": "string", "contentEncoding": "base64"},
        "parent": {"type": ["integer", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        **_TIMES,
    },
}
ERROR = {
    "type": "object",
    "required": ["status", "message", "content", "code"],
    "properties": {
        "status": {"const": False},
        "message": {"type": "string"},
        "content": {"type": "null"},
        "code": {"type": "string"},
        "field": {"type": "string", "description": "the parameter at fault (400, 409)"},
        "current_version": {"type": "integer", "description": "on 409 version_conflict"},
    },
}


def _ok(content_schema: dict | None) -> dict:
    return {
        "type": "object",
        "required": ["status", "message", "content"],
        "properties": {
            "status": {"const": True},
            "message": {"type": "null"},
            "content": content_schema or {"type": "null"},
        },
    }


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    words = {
        400: "Invalid input; `code` says what (invalid_parameter, missing_parameter, "
        "invalid_json, invalid_signature, bad_request) and `field` names the parameter",
        401: "No, unknown or revoked token",
        403: "Read-only token or session, or CSRF failure",
        404: "Not found (also after DELETE)",
        405: "Method not allowed",
        409: "Version conflict; `current_version` is the latest stored version",
        413: "Body larger than SIGNHUB_PERSIST_MAX_BODY",
        415: "Unsupported content type",
    }
    return {str(s): _response(words[s], {"$ref": "#/components/schemas/Error"}) for s in statuses}


def _query(name: str, schema: dict, description: str, required: bool = False, **extra) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
        **extra,
    }


PRECEDENCE = (
    "Each parameter may be sent in the query string or in the body (a JSON object, also on "
    "GET and DELETE, or form fields). When both carry the same parameter the body value "
    "wins; a query value is still checked and refused if invalid."
)
JSON_TYPES = (
    "JSON bodies are typed strictly (`tags` must be an array, `version`, `limit` and "
    "`offset` integers, `count` a boolean); query and form values are text and are parsed."
)


def _key_params(required: bool) -> list[dict]:
    return [
        _query("document", _KEY, "your document code", required),
        _query("thread", _KEY, "the story the document is signed in", required),
    ]


KEY_BODY = {
    "type": "object",
    "description": "The same parameters as the query; these win. null means not sent.",
    "properties": {
        "document": _or_null(_KEY),
        "thread": _or_null(_KEY),
        "version": _or_null(_VERSION),
    },
}
SAVE_BODY = {
    "type": "object",
    "required": ["document", "thread"],
    "anyOf": [
        {"required": ["cms"], "properties": {"cms": {"type": "string"}}},
        {"required": ["signature"], "properties": {"signature": {"type": "string"}}},
    ],
    "description": "`cms` (or its alias `signature`) is required.",
    "properties": {
        "document": _KEY,
        "thread": _KEY,
        "version": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": MAX_VERSION,
            "description": "Optimistic lock: the current latest version (0 or absent for the "
            "first save). Stored as latest+1; anything else is 409.",
        },
        "cms": _or_null(_SIGNATURE_VALUE),
        "signature": _or_null({**_SIGNATURE_VALUE, "description": "alias of cms"}),
        "version_created_by": _or_null(_TEXT),
        "version_comment": _or_null(_TEXT),
        "tags": _or_null(_TAGS),
        "stage": _or_null(_FILTER),
    },
}
LIST_BODY = {
    "type": "object",
    "description": "The same filters as the query; these win. null means not sent.",
    "properties": {
        "document": _or_null(_FILTER),
        "chain": _or_null(_FILTER),
        "thread": _or_null(_FILTER),
        "stage": _or_null(_FILTER),
        "tags": _or_null(_TAGS),
        "limit": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
        "offset": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_OFFSET},
        "count": {"type": ["boolean", "null"]},
    },
}


def _body(schema: dict, required: bool) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _signature_answer(description: str) -> dict:
    return _response(
        description,
        _ok(
            {
                "type": "object",
                "required": ["signature"],
                "properties": {"signature": {"$ref": "#/components/schemas/Signature"}},
            }
        ),
    )


def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "signhub Signatures Persist API",
            "version": "1.1.0",
            "description": f"{PRECEDENCE} {JSON_TYPES} Request bodies are limited to "
            f"{DEFAULT_MAX_BODY} bytes by default and JSON nesting to {MAX_DEPTH} levels. "
            "Text must be valid Unicode without NUL. Timestamps are 'YYYY-MM-DD HH:MM:SS' "
            "in UTC.",
        },
        "servers": [{"url": "/persist"}],
        "security": [{"bearer": []}],
        "paths": {
            "/signature": {
                "get": {
                    "summary": "Latest version (or the given version) of a signature",
                    "description": PRECEDENCE,
                    "parameters": [
                        *_key_params(True),
                        _query("version", _VERSION, "a given version (default: the latest)"),
                    ],
                    "requestBody": _body(KEY_BODY, False),
                    "responses": {
                        "200": _signature_answer("The version"),
                        **_errors(400, 401, 404, 413, 415),
                    },
                },
                "post": {
                    "summary": "Save a new version (optimistic lock on `version`)",
                    "description": PRECEDENCE,
                    "requestBody": _body(SAVE_BODY, True),
                    "responses": {
                        "201": _signature_answer("Saved"),
                        **_errors(400, 401, 403, 409, 413, 415),
                    },
                },
                "delete": {
                    "summary": "Delete a signature and its chain (moved to the trash, audited)",
                    "description": PRECEDENCE + " Afterwards GET answers 404.",
                    "parameters": _key_params(True),
                    "requestBody": _body(KEY_BODY, False),
                    "responses": {
                        "200": _response("Deleted", _ok(None)),
                        **_errors(400, 401, 403, 404, 413, 415),
                    },
                },
            },
            "/signatures": {
                "get": {
                    "summary": "List versions, newest first",
                    "description": PRECEDENCE,
                    "parameters": [
                        _query("document", _FILTER, "document code"),
                        _query("chain", _FILTER, "thread (the list's name for it)"),
                        _query("thread", _FILTER, "thread (used when chain is absent)"),
                        _query("stage", _FILTER, "stage"),
                        _query(
                            "tags",
                            _TAGS,
                            "all given tags must match (repeat the parameter)",
                            style="form",
                            explode=True,
                        ),
                        _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, ""),
                        _query(
                            "offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}, ""
                        ),
                        _query("count", {"type": "boolean"}, "also return nb_results"),
                    ],
                    "requestBody": _body(LIST_BODY, False),
                    "responses": {
                        "200": _response(
                            "Versions",
                            _ok(
                                {
                                    "type": "object",
                                    "required": ["signatures"],
                                    "properties": {
                                        "signatures": {
                                            "type": "array",
                                            "items": {"$ref": "#/components/schemas/ListItem"},
                                        },
                                        "nb_results": {"type": "integer"},
                                    },
                                }
                            ),
                        ),
                        **_errors(400, 401, 413, 415),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Signature": SIGNATURE, "ListItem": LIST_ITEM, "Error": ERROR},
        },
    }


def openapi_view(request: HttpRequest) -> JsonResponse:
    """Public, like most API descriptions: it holds no data."""
    return JsonResponse(spec(), json_dumps_params={"indent": 1})
