"""Connecting a portal: the OAuth code flow and the application install (both styles).

Bitrix24 gives a local or market application its tokens in three ways, all supported here
(https://apidocs.bitrix24.com/settings/oauth/index.html, …/settings/oauth/simple-way.html,
…/settings/app-installation/installation-finish.html, …/api-reference/common/events/on-app-install.html):

- **OAuth code flow** ("Connect with Bitrix24"): `{portal}/oauth/authorize/?client_id=…&state=…`
  (no redirect_uri: the portal returns to the handler path registered in the application)
  with `code`, `state`, `domain`, `member_id`, `scope`, `server_domain`; the code (30 s) is
  exchanged at the OAuth server (`oauth_url`, GET with grant_type=authorization_code,
  client_id, client_secret, code).
- **Install page**: the portal opens the initial installation path in its iframe with POST
  `AUTH_ID`, `AUTH_EXPIRES`, `REFRESH_ID`, `SERVER_ENDPOINT`, `member_id`, `status`,
  `PLACEMENT` (and `APPLICATION_TOKEN` when sent), query `DOMAIN`, `PROTOCOL`, `LANG`,
  `APP_SID`; the install completes when the page calls `BX24.installFinish()`.
- **ONAPPINSTALL** (applications that only use the API): a server-to-server form POST with
  `event`, `data[…]`, `ts` and `auth[access_token|refresh_token|expires_in|scope|domain|
  server_endpoint|status|client_endpoint|member_id|application_token]`.

An install is accepted only from the account's own portal: its domain must be the account's
portal host, its `member_id` the one stored (once known), its REST endpoint on that host, and
the tokens must work there (`app.info` answers with them). `application_token` is kept
(encrypted) for verifying the portal's events.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from signhub.connect.flows import ConnectError, ConnectFlow, Grant, Installed, OAuthApp
from signhub.core.errors import ConnectorError

from . import events
from .forms import DEFAULT_OAUTH_URL, PLACEHOLDER_PORTAL
from .portal import portal_root, resolve

SDK_URL = "https://api.bitrix24.com/api/v1/"  # the BX24 library, loaded from Bitrix24 itself


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


class Bitrix24Connect(ConnectFlow):
    name = "Bitrix24"
    sends_redirect_uri = False  # the portal returns to the application's handler path
    sends_response_type = False  # {portal}/oauth/authorize/?client_id=…&state=… as documented
    token_method = "GET"  # the OAuth server reads the code exchange from the query string
    supports_install = True
    install_scripts = (SDK_URL,)

    # -- where the portal is ------------------------------------------------------------

    @property
    def portal(self) -> str:
        root = portal_root(self.account.base_url or "")
        if not root or _netloc(root) == _netloc(PLACEHOLDER_PORTAL):
            raise ConnectError(
                "Enter the portal's address (e.g. https://yourcompany.bitrix24.com) as the "
                "account's base URL first.",
                code="no_portal",
            )
        return root

    def _check_portal(self, domain: str, member_id: str) -> None:
        """Refuse anything that does not come from this account's portal."""
        mine = _netloc(self.portal)
        if (domain or "").strip().lower() != mine:
            raise ConnectError(
                f"This comes from the portal {domain or '(none)'!r}, but the account is for "
                f"{mine}: nothing was stored.",
                code="wrong_portal",
                status=403,
            )
        known = str(self.credentials.get("member_id") or "")
        if known and member_id and member_id != known:
            raise ConnectError(
                "This comes from another Bitrix24 portal (member_id differs from the one "
                "this account was connected to): nothing was stored.",
                code="wrong_portal",
                status=403,
            )

    # -- OAuth code flow ------------------------------------------------------------------

    def app(self) -> OAuthApp:
        creds = self.require("client_id", "client_secret")
        portal = self.portal
        return OAuthApp(
            authorize_url=f"{portal}/oauth/authorize/",
            token_url=resolve(portal, self.option("oauth_url") or DEFAULT_OAUTH_URL),
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
        )

    def check_callback(self, params: Mapping[str, str]) -> None:
        self._check_portal(params.get("domain", ""), params.get("member_id", ""))

    def grant(self, token: dict[str, Any], params: Mapping[str, str]) -> Grant:
        endpoint = str(token.get("client_endpoint") or "")
        if endpoint and _netloc(endpoint) != _netloc(self.portal):
            raise ConnectError(
                f"The OAuth server says the application is installed on {_netloc(endpoint)}, "
                f"not on {_netloc(self.portal)}: nothing was stored.",
                code="wrong_portal",
            )
        member_id = str(token.get("member_id") or params.get("member_id") or "")
        return self._grant(
            access=token.get("access_token"),
            refresh=token.get("refresh_token"),
            expires_in=token.get("expires_in"),
            member_id=member_id,
            endpoint=endpoint,
            scope=token.get("scope"),
            extra={"user_id": token.get("user_id")} if token.get("user_id") else {},
        )

    # -- application install ----------------------------------------------------------------

    def install(self, request) -> Installed:
        post, query = request.POST, request.GET
        if post.get("event", "").upper() == "ONAPPINSTALL":
            auth = {
                k[5:-1]: v for k, v in post.items() if k.startswith("auth[") and k.endswith("]")
            }
            domain = auth.get("domain", "")
            self._check_portal(domain, auth.get("member_id", ""))
            endpoint = auth.get("client_endpoint") or f"https://{domain}/rest/"
            page, fields = False, auth
            access, refresh = auth.get("access_token"), auth.get("refresh_token")
            expires_in, app_token = auth.get("expires_in"), auth.get("application_token")
            scope = auth.get("scope")
        else:
            domain = query.get("DOMAIN") or post.get("DOMAIN", "")
            self._check_portal(domain, post.get("member_id", ""))
            protocol = query.get("PROTOCOL") or post.get("PROTOCOL") or "1"
            endpoint = f"{'http' if protocol == '0' else 'https'}://{domain}/rest/"
            page, fields = True, post
            access, refresh = post.get("AUTH_ID"), post.get("REFRESH_ID")
            expires_in, app_token = post.get("AUTH_EXPIRES"), post.get("APPLICATION_TOKEN")
            scope = post.get("APPLICATION_SCOPE")
        if _netloc(endpoint) != _netloc(self.portal):
            raise ConnectError(
                "The install names a REST endpoint outside the account's portal: nothing was "
                "stored.",
                code="wrong_portal",
                status=403,
            )
        if not access or not refresh:
            raise ConnectError(
                "The install carries no access and refresh token (for an install page, set "
                "this URL as the application's initial installation path).",
                code="no_tokens",
            )
        self._prove(access)
        grant = self._grant(
            access=access,
            refresh=refresh,
            expires_in=expires_in,
            member_id=str(fields.get("member_id") or ""),
            endpoint=endpoint,
            scope=scope,
            extra={"application_token": app_token} if app_token else {},
        )
        origin = f"{urlsplit(endpoint).scheme}://{_netloc(endpoint)}"
        return Installed(grant, page=page, frame_origin=origin if page else "")

    def after_connect(self, webhook_url: str | None) -> str:
        """Bind the e-signature events (again, on a reconnect); see events.py."""
        connector = self.account.connector()
        try:
            bound = events.bind(connector, webhook_url)
        except ConnectorError as exc:
            return (
                f"The e-signature events could not be bound ({exc.message}); scheduled syncs "
                "keep the documents up to date."
            )
        finally:
            connector.http.close()
        if not bound:
            return ""
        how = "kept for polling" if events.mode(self.account.options) == events.OFFLINE else "sent"
        return f"Events {', '.join(bound)} are {how} to signhub."

    def _prove(self, access_token: str) -> None:
        """The tokens must work on the account's portal: `app.info` answers with them."""
        probe = copy.copy(self.account)  # the account's own portal, hooks and throttle
        probe.credentials = {**self.credentials, "access_token": access_token}
        connector = probe.connector()
        try:
            connector.client.call("app.info", {})
        except ConnectorError as exc:
            status = 502 if exc.retryable else 403
            raise ConnectError(
                f"The portal did not accept the install's tokens ({exc.message}): nothing "
                "was stored.",
                code="tokens_refused",
                status=status,
            ) from None
        finally:
            connector.http.close()

    def _grant(
        self,
        *,
        access: Any,
        refresh: Any,
        expires_in: Any,
        member_id: str,
        endpoint: str,
        scope: Any,
        extra: dict[str, Any],
    ) -> Grant:
        if not isinstance(access, str) or not access or not isinstance(refresh, str) or not refresh:
            raise ConnectError("Bitrix24 sent no access and refresh token.", code="no_tokens")
        now = int(time.time())
        credentials: dict[str, Any] = {
            "access_token": access,
            "refresh_token": refresh,
            "refresh_token_issued_at": now,
            **extra,
        }
        with contextlib.suppress(TypeError, ValueError):
            credentials["access_token_expires_at"] = now + int(float(expires_in))
        if member_id:
            credentials["member_id"] = member_id
        if endpoint:
            credentials["client_endpoint"] = endpoint
        if scope:
            credentials["scope"] = scope
        base = portal_root(endpoint) if endpoint else None
        return Grant(credentials, base_url=base)
