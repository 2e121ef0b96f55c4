"""The OAuth 2.0 client side: authorization URL (PKCE S256) and the code exchange.

Request building comes from authlib (RFC 6749 parameters, RFC 7636 challenge); the exchange
is sent through the project's HttpClient, so it has our timeouts and error words.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from signhub.core.errors import ConnectorError

from .flows import ConnectFlow, OAuthApp

# RFC 7636 §4.1: 43-128 characters from the unreserved set; generate_token uses letters
# and digits only.
CODE_VERIFIER_LENGTH = 64


def new_code_verifier() -> str:
    return generate_token(CODE_VERIFIER_LENGTH)


def authorization_url(
    flow: ConnectFlow,
    app: OAuthApp,
    *,
    state: str,
    redirect_uri: str,
    code_verifier: str | None,
) -> str:
    params: dict[str, Any] = dict(app.extra_params)
    if code_verifier:
        params["code_challenge"] = create_s256_code_challenge(code_verifier)
        params["code_challenge_method"] = "S256"
    url = prepare_grant_uri(
        app.authorize_url,
        client_id=app.client_id,
        response_type="code",
        redirect_uri=redirect_uri if flow.sends_redirect_uri else None,
        scope=app.scope or None,
        state=state,
        **params,
    )
    if flow.sends_response_type:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "response_type"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def exchange_code(
    flow: ConnectFlow,
    app: OAuthApp,
    code: str,
    *,
    redirect_uri: str,
    code_verifier: str | None,
) -> dict[str, Any]:
    """`grant_type=authorization_code` at the token endpoint; the token answer as a dict.

    Raises ConnectorError with the provider's `error` and `error_description` in words.
    """
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri if flow.sends_redirect_uri else None,
        client_id=app.client_id,
        client_secret=app.client_secret,
        code_verifier=code_verifier,
    )
    fields = dict(parse_qsl(body))
    http = flow.make_http()
    try:
        if flow.token_method == "GET":
            token = http.request_json("GET", app.token_url, params=fields)
        else:
            token = http.request_json(
                "POST", app.token_url, data=fields, headers={"Accept": "application/json"}
            )
    finally:
        http.close()
    if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
        error = token.get("error") if isinstance(token, dict) else None
        words = f" ({error})" if error else ""
        raise ConnectorError(
            f"{http.name} answered the code exchange without an access token{words}",
            code="token_malformed",
        )
    return token
