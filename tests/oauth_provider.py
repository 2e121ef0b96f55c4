"""A loopback OAuth 2.0 authorization server for tests, built on authlib's server classes.

It behaves like the providers where it matters to signhub: `/authorize` shows a consent
page whose Approve/Deny buttons really redirect the browser back (302) with a code or
`error=access_denied`; codes are single use, bound to the client and the `redirect_uri`
(and to the PKCE challenge when one was sent) and expire after 30 s; refresh tokens rotate;
JWT bearer assertions (Box style) are verified against the app's registered public key by
authlib/joserfc (not by the PyJWT that signhub signs with). Styles:

- "standard": token endpoint takes POST form data (Box, BoldSign);
- "bitrix24": no `redirect_uri` on /authorize (the app's registered handler is used), the
  token endpoint is read with GET and the answer carries member_id, domain, client_endpoint.

`GET /api/documents` (Bearer) lists `documents` for the fake connector's syncs.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidGrantError,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerGrant
from authlib.oauth2.rfc7636 import CodeChallenge
from joserfc.jwk import RSAKey

# authlib refuses plain http unless told; this server only ever listens on 127.0.0.1.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

CODE_LIFETIME = 30  # seconds, as Box and Bitrix24 document
BOX_AUDIENCE = "https://api.box.com/oauth2/token"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)
    scope: str = ""
    # Box JWT apps: the public key registered in the developer console, and its id.
    jwt_public_key: str = ""
    jwt_key_id: str = ""

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        if not scope:
            return ""
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if not allowed or s in allowed)

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_post", "client_secret_basic")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return True


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str | None
    scope: str
    user: str
    issued_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def is_expired(self, now: float) -> bool:
        return now - self.issued_at > CODE_LIFETIME


@dataclass
class Token:
    access_token: str
    refresh_token: str | None
    client_id: str
    user: str
    scope: str
    revoked: bool = False

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope

    def get_user(self):
        return self.user

    def is_revoked(self):
        return self.revoked

    def is_expired(self):
        return False


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, query: dict, form: dict, headers: dict) -> None:
        super().__init__(method, uri, headers=headers)
        self._args, self._form = query, form
        self.payload = BasicOAuth2Payload({**query, **form})

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        provider: FakeOAuthProvider = self.server.provider
        provider.codes[code] = Code(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=data.get("redirect_uri"),
            scope=request.scope or "",
            user=request.user,
            issued_at=provider.clock(),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
        )

    def query_authorization_code(self, code, client):
        provider: FakeOAuthProvider = self.server.provider
        item = provider.codes.get(code)
        if item is None:
            if code in provider.spent_codes:
                provider.events.append(("code_reused", code))
            return None
        if item.client_id != client.client_id or item.is_expired(provider.clock()):
            return None
        return item

    def delete_authorization_code(self, authorization_code):
        provider: FakeOAuthProvider = self.server.provider
        provider.codes.pop(authorization_code.code, None)
        provider.spent_codes.add(authorization_code.code)

    def authenticate_user(self, authorization_code):
        return authorization_code.user


class _RefreshGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # single-use refresh tokens, as Box and Bitrix24

    def authenticate_refresh_token(self, refresh_token):
        provider: FakeOAuthProvider = self.server.provider
        token = provider.by_refresh.get(refresh_token)
        return token if token is not None and not token.revoked else None

    def authenticate_user(self, refresh_token):
        return refresh_token.user

    def revoke_old_credential(self, refresh_token):
        refresh_token.revoked = True


class _BoxJWTGrant(JWTBearerGrant):
    """Box's JWT grant: the assertion names the app (`iss`), the subject (`sub` with
    `box_sub_type`), a random `jti`, and expires at most 60 s ahead; the app also sends its
    client_id and client_secret."""

    def process_assertion_claims(self, assertion):
        headers, claims = self.extract_assertion(assertion)
        client = self.resolve_issuer_client(claims.get("iss"))
        if client is None or headers.get("kid") != client.jwt_key_id:
            raise InvalidGrantError(description="Unknown public key id (kid)")
        if headers.get("alg") not in ("RS256", "RS384", "RS512"):
            raise InvalidGrantError(description="Box accepts RS256, RS384 or RS512")
        return super().process_assertion_claims(assertion)

    def verify_claims(self, claims):
        super().verify_claims(claims)
        provider: FakeOAuthProvider = self.server.provider
        now = provider.clock()
        if claims.get("exp", 0) - now > 60:
            raise InvalidGrantError(description="exp is more than 60 seconds ahead")
        if claims.get("box_sub_type") not in ("enterprise", "user"):
            raise InvalidGrantError(description="box_sub_type must be enterprise or user")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not 16 <= len(jti) <= 128:
            raise InvalidGrantError(description="jti must be 16-128 characters")
        if jti in provider.seen_jti:
            raise InvalidGrantError(description="jti was already used")
        provider.seen_jti.add(jti)
        provider.assertions.append({**claims})

    def validate_token_request(self):
        form = self.request.form
        client = self.server.query_client(form.get("client_id", ""))
        if client is None or not client.check_client_secret(form.get("client_secret", "")):
            raise InvalidGrantError(description="client_id/client_secret do not match")
        super().validate_token_request()

    def resolve_issuer_client(self, issuer):
        return self.server.query_client(issuer) if isinstance(issuer, str) else None

    def resolve_client_public_key(self, client):
        return RSAKey.import_key(client.jwt_public_key)

    def authenticate_user(self, subject):
        return f"{subject}"

    def has_granted_permission(self, client, user):
        return True

    def get_audiences(self):
        return [BOX_AUDIENCE]


class _Server(AuthorizationServer):
    def __init__(self, provider: FakeOAuthProvider) -> None:
        super().__init__()
        self.provider = provider
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                access_token_generator=lambda **kw: (
                    provider.token_prefix + secrets.token_urlsafe(16)
                ),
                refresh_token_generator=lambda **kw: "rt-" + secrets.token_urlsafe(16),
                expires_generator=lambda client, grant_type: 3600,
            ),
        )
        self.register_grant(_CodeGrant, [CodeChallenge(required=provider.require_pkce)])
        self.register_grant(_RefreshGrant)
        self.register_grant(_BoxJWTGrant)

    def query_client(self, client_id):
        return self.provider.clients.get(client_id)

    def save_token(self, token, request):
        client = request.client
        user = request.user or ""
        item = Token(
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token"),
            client_id=client.client_id if client else "",
            user=str(user),
            scope=token.get("scope", ""),
        )
        self.provider.by_access[item.access_token] = item
        if item.refresh_token:
            self.provider.by_refresh[item.refresh_token] = item
        token.update(self.provider.token_extras)

    def create_oauth2_request(self, request):
        return request  # already a _Request built from the WSGI environ

    def handle_response(self, status, body, headers):
        return status, body, headers

    def send_signal(self, name, *args, **kwargs):
        pass


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class FakeOAuthProvider:
    """Start with `with FakeOAuthProvider(...) as provider:`; `provider.url` is its root."""

    def __init__(
        self,
        *,
        style: str = "standard",
        require_pkce: bool = False,
        user: str = "user-1",
        clock: Callable[[], float] = time.time,
        token_prefix: str = "at-",
    ) -> None:
        self.style = style
        self.token_prefix = token_prefix
        self.require_pkce = require_pkce
        self.user = user
        self.clock = clock
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.spent_codes: set[str] = set()
        self.by_access: dict[str, Token] = {}
        self.by_refresh: dict[str, Token] = {}
        self.seen_jti: set[str] = set()
        self.assertions: list[dict] = []
        self.events: list[tuple[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.authorize_requests: list[dict[str, str]] = []
        self.token_extras: dict[str, Any] = {}
        self.token_gets = 0
        self.redirect_extras: dict[str, str] = {}
        self.token_failure: tuple[int, dict] | None = None  # answer the next exchange with it
        self.documents: list[dict] = []
        self.rest_lists: dict[str, list[dict]] = {}  # Bitrix24 style: method -> rows
        self.rest_calls: list[str] = []
        # Bitrix24 events: event.bind keeps (event, handler or "offline"); event.offline.get
        # hands out (and clears) `offline_events`.
        self.bound: list[tuple[str, str]] = []
        self.offline_events: list[dict] = []
        self.server = _Server(self)
        self._httpd: WSGIServer | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> FakeOAuthProvider:
        self._httpd = make_server("127.0.0.1", 0, self.wsgi, handler_class=_QuietHandler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def add_client(self, client_id: str, client_secret: str, **kwargs) -> Client:
        client = Client(client_id, client_secret, **kwargs)
        self.clients[client_id] = client
        return client

    # -- the WSGI app -----------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        form = dict(parse_qsl(body, keep_blank_values=True))
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        uri = f"{self.url}{path}" + (f"?{environ['QUERY_STRING']}" if query else "")
        path = {"/oauth/authorize/": "/authorize", "/oauth/token/": "/token"}.get(path, path)
        if path == "/authorize" and self.style == "bitrix24":
            # The portal's authorize takes client_id and state only: it always means a code.
            query.setdefault("response_type", "code")
        if path == "/token" and method == "GET" and self.style == "bitrix24":
            # Bitrix24 reads the token request from a GET's query string; authlib's token
            # endpoint reads a POST form: the same fields, handed over as one.
            form, query, method = query, {}, "POST"
            self.token_gets += 1
        request = _Request(method, uri, query, form, headers)
        if path == "/authorize":
            status, payload, extra = self._authorize(request, method, query, form)
        elif path == "/token":
            status, payload, extra = self._token(request, form)
        elif path == "/api/documents":
            status, payload, extra = self._documents(headers)
        elif path.startswith("/rest/"):
            status, payload, extra = self._rest(path[6:].removesuffix(".json"), body, query)
        else:
            status, payload, extra = 404, {"error": "not_found"}, []
        if isinstance(payload, dict):
            payload = json.dumps(payload)
            extra = [*extra, ("Content-Type", "application/json")]
        start_response(f"{status} X", list(extra))
        return [payload.encode() if isinstance(payload, str) else payload]

    def _authorize(self, request, method, query, form):
        if method == "GET":
            self.authorize_requests.append(dict(query))
            try:
                grant = self.server.get_consent_grant(request)
            except Exception as exc:  # invalid client or redirect_uri: no redirect, a page
                words = html.escape(f"{type(exc).__name__}: {getattr(exc, 'description', exc)}")
                return (
                    400,
                    f"<h1>Invalid request</h1><p>{words}</p>",
                    [("Content-Type", "text/html")],
                )
            client = grant.request.client
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in query.items()
            )
            page = (
                "<!doctype html><title>Fake provider</title>"
                f"<h1>Allow signhub to read your signature requests?</h1>"
                f"<p>App <code>{html.escape(client.client_id)}</code> asks for "
                f"<code>{html.escape(query.get('scope', ''))}</code>.</p>"
                f'<form method="post" action="/authorize?{html.escape(urlencode(query))}">'
                f'{hidden}<button name="decision" value="approve">Grant access</button>'
                '<button name="decision" value="deny">Deny</button></form>'
            )
            return 200, page, [("Content-Type", "text/html")]
        approve = form.get("decision") == "approve"
        grant = self.server.get_consent_grant(request)
        status, body, headers = self.server.create_authorization_response(
            request, grant_user=self.user if approve else None, grant=grant
        )
        if approve and self.redirect_extras:  # Bitrix24 adds domain, member_id, scope…
            headers = [
                (k, f"{v}&{urlencode(self.redirect_extras)}" if k == "Location" else v)
                for k, v in headers
            ]
        return status, body, headers

    def _token(self, request, form):
        self.token_requests.append(dict(form))
        if self.token_failure is not None:
            status, body = self.token_failure
            self.token_failure = None
            return status, body, []
        status, body, headers = self.server.create_token_response(request)
        return status, body, headers

    def _documents(self, headers):
        auth = headers.get("Authorization", "")
        token = self.by_access.get(auth.removeprefix("Bearer ").strip())
        if token is None or token.revoked:
            return 401, {"error": "invalid_token"}, []
        return 200, {"documents": self.documents, "user": token.user}, []

    def _rest(self, method: str, body: str, query: dict):
        """Bitrix24-style REST: the token in `auth` (JSON body, form or query)."""
        try:
            params = json.loads(body) if body.startswith("{") else dict(parse_qsl(body))
        except ValueError:
            params = {}
        params = {**query, **params}
        token = self.by_access.get(str(params.get("auth", "")))
        if token is None or token.revoked:
            return (
                401,
                {
                    "error": "invalid_token",
                    "error_description": "Unable to get application by token",
                },
                [],
            )
        self.rest_calls.append(method)
        if method == "app.info":
            return (
                200,
                {"result": {"ID": 7, "CODE": "local.signhub", "STATUS": "L", "INSTALLED": True}},
                [],
            )
        if method == "event.bind":
            target = params.get("handler") or params.get("event_type") or ""
            if (params.get("event"), target) in self.bound:
                return 400, {"error": "ERROR_EVENT_ALREADY_BOUND", "error_description": "Handler already binded"}, []  # fmt: skip
            self.bound.append((params.get("event"), target))
            return 200, {"result": True}, []
        if method == "event.offline.get":
            events, self.offline_events = self.offline_events, []
            return 200, {"result": {"process_id": None, "events": events, "error": 0}}, []
        if method in self.rest_lists:
            rows = self.rest_lists[method]
            offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 20)
            return 200, {"result": rows[offset : offset + min(limit, 50)]}, []
        return (
            404,
            {"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"},
            [],
        )

    # -- helpers for tests ------------------------------------------------------------------

    def issue(self, client_id: str) -> Token:
        """Tokens as the provider would hand them out by other means (an app install)."""
        token = Token(
            access_token="at-" + secrets.token_urlsafe(16),
            refresh_token="rt-" + secrets.token_urlsafe(16),
            client_id=client_id,
            user=self.user,
            scope="",
        )
        self.by_access[token.access_token] = token
        self.by_refresh[token.refresh_token] = token
        return token

    def decide(self, authorize_url: str, *, approve: bool = True) -> str:
        """What a user's browser does on the consent page: returns the redirect Location."""
        import requests

        query = authorize_url.split("?", 1)[1]
        page = requests.get(authorize_url, timeout=5)
        assert page.status_code == 200, page.text
        answer = requests.post(
            f"{self.url}/authorize?{query}",
            data={**dict(parse_qsl(query)), "decision": "approve" if approve else "deny"},
            allow_redirects=False,
            timeout=5,
        )
        assert answer.status_code == 302, answer.text
        return answer.headers["Location"]
