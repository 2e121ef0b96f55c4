"""What a connector tells the connect flow, and what the flow hands back.

A connector that connects through its provider's consent screen (or app install) sets
`connect_flow = SomeFlow` on its Connector class; `SomeFlow(account)` then says where to
send the administrator (`app()`), how to turn the provider's token answer into stored
credentials (`grant()`), and, for Bitrix24, how to read an application install.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings

from signhub.core.errors import ConnectorError
from signhub.core.http import HttpClient
from signhub.core.redact import redact

if TYPE_CHECKING:
    from django.http import HttpRequest

    from signhub.core.models import ProviderAccount


class ConnectError(Exception):
    """A connect step refused, in words an administrator can act on (never a secret)."""

    def __init__(self, message: str, *, code: str = "refused", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


@dataclass(frozen=True)
class OAuthApp:
    """The provider's OAuth application as this account knows it."""

    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str
    scope: str = ""
    extra_params: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Grant:
    """Credentials to merge into the account (and a new base URL when the provider says)."""

    credentials: dict[str, Any]
    base_url: str | None = None


@dataclass
class Installed:
    """An application install that was accepted. `page`: Bitrix24 opened its install page in
    an iframe of `frame_origin` (answer with a page that finishes the install); otherwise it
    was a server-to-server event (answer with JSON)."""

    grant: Grant
    page: bool
    frame_origin: str = ""


class ConnectFlow:
    name: ClassVar[str] = ""  # the provider's name, as in "Connect with Box"
    pkce: ClassVar[bool] = False  # send an S256 code challenge, the verifier on the exchange
    sends_redirect_uri: ClassVar[bool] = True  # Bitrix24 uses the app's registered handler
    sends_response_type: ClassVar[bool] = True  # Bitrix24's authorize takes client_id, state
    token_method: ClassVar[str] = "POST"  # Bitrix24's token endpoint is read with GET
    supports_install: ClassVar[bool] = False  # has an application install endpoint
    # Page scripts the install page needs from the provider (Bitrix24's BX24 library).
    install_scripts: ClassVar[tuple[str, ...]] = ()

    def __init__(self, account: ProviderAccount) -> None:
        self.account = account

    @property
    def credentials(self) -> dict[str, Any]:
        return self.account.credentials

    def option(self, key: str, default: Any = None) -> Any:
        return (self.account.options or {}).get(key, default)

    # -- to implement ---------------------------------------------------------------------

    def app(self) -> OAuthApp:
        """The app to authorize with; raise ConnectError when credentials are missing."""
        raise NotImplementedError

    def grant(self, token: dict[str, Any], params: Mapping[str, str]) -> Grant:
        """The provider's token answer (and the callback's query) as credentials."""
        raise NotImplementedError

    def check_callback(self, params: Mapping[str, str]) -> None:
        """Refuse a callback that cannot be for this account (raise ConnectError)."""

    def install(self, request: HttpRequest) -> Installed:
        raise ConnectError("This provider has no application install.", status=404)

    def after_connect(self, webhook_url: str | None) -> str:
        """Provider-side setup once credentials are stored (install, callback, reconnect),
        such as binding events to `webhook_url`; words for the administrator, "" for none.
        Never raises: the connection itself already worked."""
        return ""

    # -- shared ---------------------------------------------------------------------------

    def make_http(self) -> HttpClient:
        """One attempt only: an authorization code is single use, so a retried exchange
        after a timeout could spend it twice and fail with a misleading invalid_grant."""
        return HttpClient(
            name=self.name or self.account.connector_class.label,
            describe=describe_oauth_error,
            max_attempts=1,
            timeout=settings.SIGNHUB_CONNECT_TIMEOUT,
        )

    def require(self, *keys: str) -> dict[str, str]:
        """The named credentials, or a ConnectError that names the missing ones."""
        values = {k: str(self.credentials.get(k) or "").strip() for k in keys}
        missing = [k for k, v in values.items() if not v]
        if missing:
            raise ConnectError(
                f"Enter {' and '.join(missing)} on the account page before connecting.",
                code="missing_credentials",
            )
        return values


def describe_oauth_error(response) -> tuple[str, str]:
    """RFC 6749 §5.2 error bodies: (`error`, " — error_description")."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    code = redact(str(body.get("error") or ""), limit=64)
    detail = redact(str(body.get("error_description") or ""), limit=300)
    return code, f" — {detail}" if detail else ""


def refresh_token_of(token: Mapping[str, Any], provider: str, hint: str) -> str:
    """The token answer's refresh token; a ConnectorError saying what to check without one."""
    refresh = token.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        raise ConnectorError(
            f"{provider} answered without a refresh token: {hint}", code="token_malformed"
        )
    return refresh


def expires_at(token: Mapping[str, Any]) -> int | None:
    """Unix time the access token lapses, from `expires_in` (seconds from now)."""
    value = token.get("expires_in")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return int(time.time() + float(value))
    except ValueError:
        return None


def flow_class(account: ProviderAccount) -> type[ConnectFlow] | None:
    try:
        connector = account.connector_class
    except KeyError:
        return None
    return connector.connect_flow


def flow_for(account: ProviderAccount) -> ConnectFlow | None:
    cls = flow_class(account)
    return cls(account) if cls is not None else None
