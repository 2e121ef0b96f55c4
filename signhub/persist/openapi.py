"""OpenAPI 3.1 description of the Persist API, written by hand to match api.py."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from .params import DEFAULT_MAX_BODY

_TS = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", "description": "UTC"}
_NULLABLE_STR = {"type": ["string", "null"]}
_TAGS = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 255}}

SIGNATURE = {
    "type": "object",
    "required": ["id", "version", "document", "thread", "signature", "cms", "tags", "parent"],
    "properties": {
        "id": {"type": "integer"},
        "version": {"type": "integer", "minimum": 1},
        "document": {"type": "string"},
        "thread": {"type": "string"},
        "signature": {"type": "string", "contentEncoding": "base64"},
        "cms": {"type": "string", "contentEncoding": "base64", "description": "same as signature"},
        "version_created_by": _NULLABLE_STR,
        "version_created_at": _TS,
        "version_comment": _NULLABLE_STR,
        "tags": _TAGS,
        "stage": _NULLABLE_STR,
        "parent": {"type": ["integer", "null"], "description": "id of the previous version"},
        "created_at": _TS,
        "updated_at": _TS,
    },
}
LIST_ITEM = {
    "type": "object",
    "required": ["id", "document", "chain", "signature", "parent", "tags"],
    "properties": {
        "id": {"type": "integer"},
        "document": {"type": "string"},
        "chain": {"type": "string", "description": "the thread"},
        "thread": {"type": "string"},
        "version": {"type": "integer"},
        "stage": _NULLABLE_STR,
        "signature": {"type": "string", "contentEncoding": "base64"},
        "parent": {"type": ["integer", "null"]},
        "tags": _TAGS,
        "created_at": _TS,
        "updated_at": _TS,
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
        400: "Invalid input; `field` names the parameter",
        401: "No, unknown or revoked token",
        403: "Read-only token or session, or CSRF failure",
        404: "Not found",
        405: "Method not allowed",
        409: "Version conflict; `current_version` is the latest stored version",
        413: "Body larger than SIGNHUB_PERSIST_MAX_BODY",
        415: "Unsupported content type",
    }
    return {str(s): _response(words[s], {"$ref": "#/components/schemas/Error"}) for s in statuses}


def _query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


DOC = _query("document", {"type": "string", "minLength": 1, "maxLength": 255}, "document code")
THREAD = _query("thread", {"type": "string", "minLength": 1, "maxLength": 255}, "story/thread")

SAVE_BODY = {
    "type": "object",
    "required": ["document", "thread"],
    "description": "`cms` (or `signature`) is required: base64 DER CMS/PKCS#7, or base64 "
    "of an XML signature (raw XML text starting with '<' is accepted too).",
    "properties": {
        "document": {"type": "string", "minLength": 1, "maxLength": 255},
        "thread": {"type": "string", "minLength": 1, "maxLength": 255},
        "version": {
            "type": "integer",
            "minimum": 0,
            "description": "Optimistic lock: the current latest version (0 or absent for the "
            "first save). Stored as latest+1.",
        },
        "cms": {"type": "string"},
        "signature": {"type": "string", "description": "alias of cms"},
        "version_created_by": {"type": ["string", "integer"]},
        "version_comment": {"type": ["string", "integer"]},
        "tags": _TAGS,
        "stage": {"type": "string", "maxLength": 255},
    },
}
KEY_BODY = {
    "type": "object",
    "required": ["document", "thread"],
    "properties": {
        "document": {"type": "string"},
        "thread": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
    },
}
JSON_OR_FORM_NOTE = (
    "Parameters may be sent as a JSON body (also on GET and DELETE), as query-string "
    "parameters, or as form fields; body values win over the query string."
)


def spec() -> dict:
    body_types = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")

    def body(schema: dict, required: bool) -> dict:
        return {"required": required, "content": {t: {"schema": schema} for t in body_types}}

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "signhub Signatures Persist API",
            "version": "1.0.0",
            "description": JSON_OR_FORM_NOTE
            + f" Request bodies are limited to {DEFAULT_MAX_BODY} bytes by default."
            " Timestamps are 'YYYY-MM-DD HH:MM:SS' in UTC.",
        },
        "servers": [{"url": "/persist"}],
        "security": [{"bearer": []}],
        "paths": {
            "/signature": {
                "get": {
                    "summary": "Latest version (or the given version) of a signature",
                    "parameters": [
                        {**DOC, "required": True},
                        {**THREAD, "required": True},
                        _query("version", {"type": "integer", "minimum": 1}, "a given version"),
                    ],
                    "requestBody": body(KEY_BODY, False),
                    "responses": {
                        "200": _response(
                            "The version",
                            _ok(
                                {
                                    "type": "object",
                                    "properties": {
                                        "signature": {"$ref": "#/components/schemas/Signature"}
                                    },
                                }
                            ),
                        ),
                        **_errors(400, 401, 404, 413, 415),
                    },
                },
                "post": {
                    "summary": "Save a new version (optimistic lock on `version`)",
                    "requestBody": body(SAVE_BODY, True),
                    "responses": {
                        "201": _response(
                            "Saved",
                            _ok(
                                {
                                    "type": "object",
                                    "properties": {
                                        "signature": {"$ref": "#/components/schemas/Signature"}
                                    },
                                }
                            ),
                        ),
                        **_errors(400, 401, 403, 409, 413, 415),
                    },
                },
                "delete": {
                    "summary": "Delete a signature and its whole chain of versions (audited)",
                    "parameters": [DOC, THREAD],
                    "requestBody": body(KEY_BODY, False),
                    "responses": {
                        "200": _response("Deleted", _ok(None)),
                        **_errors(400, 401, 403, 404, 413, 415),
                    },
                },
            },
            "/signatures": {
                "get": {
                    "summary": "List versions, newest first",
                    "parameters": [
                        DOC,
                        _query("chain", {"type": "string"}, "thread (the list's name)"),
                        THREAD,
                        _query("stage", {"type": "string"}, "stage"),
                        _query(
                            "tags",
                            {"type": "array", "items": {"type": "string"}},
                            "all given tags must match (repeat the parameter)",
                        ),
                        _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, ""),
                        _query("offset", {"type": "integer", "minimum": 0}, ""),
                        _query("count", {"type": "boolean"}, "also return nb_results"),
                    ],
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
