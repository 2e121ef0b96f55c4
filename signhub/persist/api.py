"""The Signatures Persist API (compatible with the seed document; see docs/persist.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import params as p
from .auth import Caller, authenticate, client_ip
from .blobs import BlobError, NotASignature, parse_blob
from .envelope import ApiError, fail, invalid, missing, ok
from .models import Signature
from .serialize import list_item_dict, signature_dict
from .services import NewVersion, chain, latest, live_versions, save_version, search, trash_chain
from .visibility import visible_signatures

log = logging.getLogger(__name__)

MAX_VERSION = 2**31 - 1
MAX_OFFSET = 10**9
WRITE_METHODS = {"POST", "DELETE"}


def _dispatch(request: HttpRequest, handlers: dict[str, Callable]) -> JsonResponse:
    handler = handlers.get(request.method or "")
    if handler is None:
        response = fail(ApiError(405, "method_not_allowed", f"{request.method} is not allowed"))
        response["Allow"] = ", ".join(sorted(handlers))
        return response
    try:
        caller = authenticate(request, write=request.method in WRITE_METHODS)
        params = p.collect(request)
        p.check_overridden(params, _READERS)
        return handler(request, caller, params)
    except ApiError as error:
        return fail(error)


# The API authenticates with bearer tokens, which a forged cross-site request cannot carry;
# cookie-authenticated (session) writes still run Django's CSRF check inside `authenticate`.
@csrf_exempt
def signature(request: HttpRequest) -> JsonResponse:
    return _dispatch(request, {"GET": _get, "POST": _post, "DELETE": _delete})


@csrf_exempt
def signatures(request: HttpRequest) -> JsonResponse:
    return _dispatch(request, {"GET": _list})


def _readable(caller: Caller) -> QuerySet[Signature]:
    """Tokens and open networks read everything; a staff session what its user may see."""
    if caller.kind == "session":
        return visible_signatures(caller.user)
    return live_versions()


def _document_thread(params: dict) -> tuple[str, str]:
    return p.string(params, "document", required=True), p.string(params, "thread", required=True)


def _get(request: HttpRequest, caller: Caller, params: dict) -> JsonResponse:
    document, thread = _document_thread(params)
    version = p.integer(params, "version", None, 1, MAX_VERSION)
    readable = _readable(caller)
    if version is None:
        sig = latest(document, thread, readable)
    else:
        sig = chain(document, thread, readable).filter(version=version).first()
    if sig is None:
        what = f"version {version}" if version else "signature"
        raise ApiError(404, "not_found", f"no {what} for this document and thread")
    return ok({"signature": signature_dict(sig)})


def _post(request: HttpRequest, caller: Caller, params: dict) -> JsonResponse:
    document, thread = _document_thread(params)
    for name in ("cms", "signature"):
        if params.get(name) is not None and not isinstance(params[name], str):
            raise invalid(name, "must be a base64 string")
    # `cms` is the seed's name, `signature` the one its answers use; accept either.
    field = "cms" if params.get("cms") not in (None, "") else "signature"
    raw = params.get(field)
    if raw is None or raw == "":
        raise missing("cms")
    new = NewVersion(
        document=document,
        thread=thread,
        base_version=p.integer(params, "version", 0, 0, MAX_VERSION),
        blob=None,  # type: ignore[arg-type]  # set below, after the cheap checks
        version_created_by=p.text(params, "version_created_by"),
        version_comment=p.text(params, "version_comment"),
        tags=p.string_list(params, "tags"),
        stage=p.string(params, "stage"),
    )
    try:
        new.blob = parse_blob(raw)
    except NotASignature as error:
        raise ApiError(400, "invalid_signature", f"{field} {error}", field=field) from None
    except BlobError as error:
        raise invalid(field, str(error)) from None
    sig = save_version(new)
    log.info("persist: saved %s/%s v%s by %s", document, thread, sig.version, caller.label)
    return ok({"signature": signature_dict(sig)}, status=201)


def _delete(request: HttpRequest, caller: Caller, params: dict) -> JsonResponse:
    document, thread = _document_thread(params)
    count = trash_chain(
        document,
        thread,
        actor=caller.user,
        actor_label=caller.label,
        ip=client_ip(request),
    )
    log.info("persist: trashed %s/%s (%s versions) by %s", document, thread, count, caller.label)
    return JsonResponse({"status": True, "message": None, "content": None})


def _list(request: HttpRequest, caller: Caller, params: dict) -> JsonResponse:
    thread = p.string(params, "chain") or p.string(params, "thread")
    qs = search(
        _readable(caller),
        document=p.string(params, "document"),
        thread=thread,
        stage=p.string(params, "stage"),
        tags=p.string_list(params, "tags"),
    )
    limit = p.integer(params, "limit", 20, 1, 100)
    offset = p.integer(params, "offset", 0, 0, MAX_OFFSET)
    content: dict = {"signatures": [list_item_dict(s) for s in qs[offset : offset + limit]]}
    if p.boolean(params, "count"):
        content["nb_results"] = qs.count()
    return ok(content)


# How each parameter is checked; also applied to query values a body value replaced.
_READERS: dict[str, Callable] = {
    "document": lambda params, name: p.string(params, name),
    "thread": lambda params, name: p.string(params, name),
    "chain": lambda params, name: p.string(params, name),
    "stage": lambda params, name: p.string(params, name),
    "version": lambda params, name: p.integer(params, name, None, 0, MAX_VERSION),
    "limit": lambda params, name: p.integer(params, name, None, 1, 100),
    "offset": lambda params, name: p.integer(params, name, None, 0, MAX_OFFSET),
    "count": lambda params, name: p.boolean(params, name),
    "tags": lambda params, name: p.string_list(params, name),
    "version_created_by": lambda params, name: p.text(params, name),
    "version_comment": lambda params, name: p.text(params, name),
}
