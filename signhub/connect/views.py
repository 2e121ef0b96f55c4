"""Connect views: start (staff), the OAuth callback, and the application install endpoint."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from signhub.core import audit
from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount

from . import links, oauth, states
from .flows import ConnectError, flow_for
from .store import store_grant

logger = logging.getLogger("signhub.connect")

# An install POST is a handful of form fields; anything bigger is not Bitrix24's.
MAX_INSTALL_BODY = 64 * 1024
DENIED = {"access_denied", "consent_required", "login_required", "interaction_required"}


def _account(key: str) -> ProviderAccount:
    return get_object_or_404(ProviderAccount, endpoint_key=key)


def may_connect(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("core.change_provideraccount")


def _refused(request: HttpRequest, error: ConnectError, account=None) -> HttpResponse:
    audit.record(
        request,
        "account_connect",
        f"account:{account.pk} {account.name}" if account else "",
        result="refused",
        reason=error.code,
    )
    context = {"message": error.message, "account": account}
    if account is not None and may_connect(request.user):
        context["account_url"] = links.account_admin_url(account)
    return render(request, "connect/refused.html", context, status=error.status)


@never_cache
@require_GET
def start(request: HttpRequest, key: str) -> HttpResponse:
    """Send a staff user to the provider's consent screen with a fresh state."""
    account = _account(key)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not may_connect(request.user):
        return _refused(
            request,
            ConnectError("Only administrators may connect accounts.", code="forbidden", status=403),
        )
    flow = flow_for(account)
    if flow is None:
        return _refused(
            request,
            ConnectError(
                f"{account.connector_class.label} accounts connect with their credentials, "
                "not through a consent screen.",
                code="no_flow",
                status=404,
            ),
            account,
        )
    try:
        app = flow.app()
    except ConnectError as exc:
        messages.error(request, f"{account.name}: {exc.message}")
        return redirect(links.account_admin_url(account))
    redirect_uri = links.redirect_uri(account, request)
    issued = states.issue(
        request,
        account,
        redirect_uri=redirect_uri,
        code_verifier=oauth.new_code_verifier() if flow.pkce else None,
    )
    audit.record(request, "account_connect_start", f"account:{account.pk} {account.name}")
    return redirect(
        oauth.authorization_url(
            flow,
            app,
            state=issued.state,
            redirect_uri=redirect_uri,
            code_verifier=issued.code_verifier,
        )
    )


@csrf_exempt
@xframe_options_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, key: str) -> HttpResponse:
    """The provider sends the browser back here with `code` and `state` (or an `error`).

    For a provider with an application install (Bitrix24) this is also the application's
    handler path, which the portal POSTs (with fresh tokens) whenever someone opens the
    application: that POST is checked like an install and answered with a short page.
    """
    account = _account(key)
    flow = flow_for(account)
    if flow is None:
        return _refused(request, ConnectError("No connect flow here.", status=404), account)
    if request.method == "POST":
        if not flow.supports_install:
            return JsonResponse({"code": "method_not_allowed"}, status=405)
        return _install(request, account, flow, "connect/opened.html", scripts=())
    try:
        row = states.spend(request, account, request.GET.get("state", ""))
    except ConnectError as exc:
        return _refused(request, exc, account)
    target = f"account:{account.pk} {account.name}"
    back = redirect(links.account_admin_url(account))
    error = request.GET.get("error", "")
    if error:
        words = request.GET.get("error_description", "")[:300]
        reason = "access was not granted" if error in DENIED else "the provider reported an error"
        detail = f" ({error[:64]}{': ' + words if words else ''})"
        messages.warning(
            request,
            f"{account.name}: {reason} on {flow.name}'s page{detail}. Nothing was changed; "
            f"press Connect with {flow.name} to try again.",
        )
        audit.record(request, "account_connect", target, result="denied", error=error[:64])
        return back
    code = request.GET.get("code", "")
    if not code:
        return _refused(
            request,
            ConnectError("The provider came back without an authorization code.", code="no_code"),
            account,
        )
    try:
        flow.check_callback(request.GET)
        app = flow.app()
        token = oauth.exchange_code(
            flow,
            app,
            code,
            redirect_uri=row.redirect_uri,
            code_verifier=row.secrets.get("code_verifier"),
        )
        grant = flow.grant(token, request.GET)
    except (ConnectError, ConnectorError) as exc:
        message = exc.message
        messages.error(
            request,
            f"{account.name}: connecting failed — {message}. Nothing was stored; press "
            f"Connect with {flow.name} to try again.",
        )
        code_name = getattr(exc, "code", "error")
        audit.record(request, "account_connect", target, result="error", error=code_name)
        logger.warning("Connecting %s failed (%s)", account.name, code_name)
        return back
    store_grant(account, grant)
    note = flow.after_connect(links.webhook_url(account, request))
    audit.record(request, "account_connect", target, fields=sorted(grant.credentials))
    messages.success(request, f"{account.name}: connected with {flow.name}. {note}".strip())
    return back


@csrf_exempt
@xframe_options_exempt
@never_cache
@require_http_methods(["POST"])
def install(request: HttpRequest, key: str) -> HttpResponse:
    """The provider installs its application (Bitrix24: the install page or ONAPPINSTALL).

    Public and CSRF-exempt (the provider posts it); the flow refuses anything that does not
    come from the account's own portal. A page install is framed by the portal, so that one
    answer allows the portal as frame ancestor; the CSP stays script-src 'self' plus the
    provider's own library.
    """
    account = _account(key)
    flow = flow_for(account)
    if flow is None or not flow.supports_install:
        return JsonResponse({"code": "no_install", "message": "No install here."}, status=404)
    return _install(request, account, flow, "connect/installed.html", flow.install_scripts)


def _install(
    request: HttpRequest, account: ProviderAccount, flow, template: str, scripts: tuple[str, ...]
) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_INSTALL_BODY:
        return JsonResponse({"code": "too_large", "message": "Body too large."}, status=413)
    target = f"account:{account.pk} {account.name}"
    try:
        installed = flow.install(request)
    except ConnectError as exc:
        audit.record(request, "account_install", target, result="refused", reason=exc.code)
        return JsonResponse({"code": exc.code, "message": exc.message}, status=exc.status)
    store_grant(account, installed.grant)
    note = flow.after_connect(links.webhook_url(account, request))
    audit.record(
        request,
        "account_install",
        target,
        fields=sorted(installed.grant.credentials),
        events=note[:300],
    )
    if not installed.page:
        return JsonResponse({"ok": True})
    response = render(
        request,
        template,
        {
            "account": account,
            "flow": flow,
            "scripts": scripts,
            "signhub_url": links.absolute("/", request),
        },
    )
    origins = [o for o in (installed.frame_origin,) if o]
    response._csp_replace = {"frame-ancestors": origins or ["'none'"]}
    if scripts:
        response._csp_update = {"script-src": [_origin(s) for s in scripts]}
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
