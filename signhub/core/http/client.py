"""The one HTTP choke point every connector uses: retries, error words, redirects by hand.

Always a timeout and a User-Agent; bounded retries with exponential backoff and jitter for
429, 5xx, timeouts, connection resets and malformed JSON; Retry-After honoured; a
client-side throttle; `requests` exceptions turned into ConnectorError with plain words.
The retry loop lives here (not in urllib3) so tests can count attempts. Nothing here puts a
URL's query string or a header in a message: tokens often travel there.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any, Protocol
from urllib.parse import urljoin

import requests
from django.conf import settings

from signhub.core.errors import ConnectorError, NotFound
from signhub.core.redact import redact

from . import clock
from .headers import parse_retry_after
from .urlpolicy import UrlPolicy, host_of

USER_AGENT = "signhub/0.1 (+https://github.com/signhub)"

# Headers that carry a credential: never sent on to another host by a redirect.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})

ErrorHook = Callable[[requests.Response], ConnectorError | None]
ResponseHook = Callable[[requests.Response], None]
# (provider error code, " — detail" text) read from an error body; both may be empty.
DescribeHook = Callable[[requests.Response], tuple[str, str]]


class RateLimiter(Protocol):
    def acquire(self) -> None: ...


class HttpClient:
    """A requests.Session with our retry, throttle, error and redirect policy.

    `error_hook(response)` lets a connector handle its provider's special cases: return a
    ConnectorError to use it, or None to fall back to the status-code defaults.
    `describe(response)` gives those defaults the provider's own error code and detail, so a
    connector need not restate them just to word its messages. `on_response(response)` sees
    every answer first (e.g. to read rate-limit headers).
    """

    def __init__(
        self,
        *,
        name: str,
        error_hook: ErrorHook | None = None,
        describe: DescribeHook | None = None,
        on_response: ResponseHook | None = None,
        throttle: RateLimiter | None = None,
        timeout: float | None = None,
        max_attempts: int | None = None,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        max_wait: float | None = None,
    ) -> None:
        self.name = name
        self.error_hook = error_hook
        self.describe = describe
        self.on_response = on_response
        self.throttle = throttle
        self.timeout = timeout or settings.SIGNHUB_HTTP_TIMEOUT
        self.max_attempts = max_attempts or settings.SIGNHUB_HTTP_MAX_ATTEMPTS
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait if max_wait is not None else settings.SIGNHUB_HTTP_MAX_WAIT
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.attempts = 0  # total requests sent, for request-count checks

    def close(self) -> None:
        self.session.close()

    # -- public API -----------------------------------------------------------------

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send with retries; return the (successful) response. Raises ConnectorError.

        With `follow=<UrlPolicy>`, redirects are followed here rather than by requests
        (also `max_redirects`, `on_redirect`, `resend_credentials`: see `_follow`).
        """
        response, _ = self._dispatch(method, url, want_json=False, **kwargs)
        return response

    def request_json(self, method: str, url: str, **kwargs: Any) -> Any:
        """Like request(), and the body must be JSON: a malformed body is retried."""
        _, data = self._dispatch(method, url, want_json=True, **kwargs)
        return data

    def stream(
        self,
        url: str,
        *,
        allowed_hosts: UrlPolicy | Iterable[str],
        max_redirects: int = 3,
        resend_credentials: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        """GET a file as a stream (caller closes it), following redirects by hand.

        Every hop, the first URL included, is checked against `allowed_hosts` (a UrlPolicy,
        or host names: then https is required when `url` is https) before it is requested.
        Credential headers never go to another host; with `resend_credentials=False` not
        even to the same one (for providers whose redirect target is a signed link).
        """
        policy = allowed_hosts
        if not isinstance(policy, UrlPolicy):
            policy = UrlPolicy.of(policy, require_https=url.lower().startswith("https:"))
        return self.request(
            "GET",
            url,
            follow=policy,
            max_redirects=max_redirects,
            resend_credentials=resend_credentials,
            stream=True,
            **kwargs,
        )

    # -- policy -----------------------------------------------------------------------

    def backoff(self, attempt: int) -> float:
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return delay * random.uniform(0.5, 1.5)

    def classify(self, response: requests.Response) -> ConnectorError | None:
        """None when the response is a success; otherwise the error it means."""
        if self.error_hook is not None:
            error = self.error_hook(response)
            if error is not None:
                return error
        status = response.status_code
        if status < 400:
            return None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        code, detail = self.describe(response) if self.describe is not None else ("", "")
        detail = redact(detail)  # the provider's words: no URL, query string or token
        label = f"{status} {code}".strip()
        if status == 401:
            return ConnectorError(
                f"{self.name} rejected the credentials ({label}){detail}",
                code="unauthorized",
                status=status,
                refresh=True,
            )
        if status == 403:
            return ConnectorError(
                f"{self.name} refused access ({label}){detail}: the account lacks a permission",
                code="forbidden",
                status=status,
            )
        if status == 404:
            return NotFound(f"{self.name} has no such item ({label}){detail}")
        if status == 429:
            return ConnectorError(
                f"{self.name} rate limit reached ({label})",
                code="rate_limited",
                status=status,
                retryable=True,
                retry_after=retry_after,
            )
        if status >= 500:
            return ConnectorError(
                f"{self.name} had a server error ({label}){detail}",
                code="server_error",
                status=status,
                retryable=True,
                retry_after=retry_after,
            )
        return ConnectorError(
            f"{self.name} refused the request ({label}){detail}",
            code=code or "bad_request",
            status=status,
        )

    # -- redirects ----------------------------------------------------------------------

    def _dispatch(
        self, method: str, url: str, *, want_json: bool, follow: UrlPolicy | None = None, **kwargs
    ) -> tuple[requests.Response, Any]:
        if follow is None:
            return self._send(method, url, want_json=want_json, **kwargs)
        return self._follow(method, url, follow, want_json=want_json, **kwargs)

    def _follow(
        self,
        method: str,
        url: str,
        policy: UrlPolicy,
        *,
        want_json: bool,
        max_redirects: int = 3,
        on_redirect: Callable[[str], None] | None = None,
        resend_credentials: bool = True,
        **kwargs: Any,
    ) -> tuple[requests.Response, Any]:
        """Send, and follow up to `max_redirects` redirects by hand.

        Each target is checked with `policy` before it is requested; a hop to another host
        (or any hop, without `resend_credentials`) loses the credential headers; the method
        and body are sent again (a 303 turns into a GET), so a provider that moved an API
        keeps receiving the same call.
        """
        kwargs["allow_redirects"] = False
        headers = dict(kwargs.pop("headers", None) or {})
        target = policy.check(url)
        for hop in range(max_redirects + 1):
            response, data = self._send(
                method, target, want_json=want_json, redirect_ok=True, headers=headers, **kwargs
            )
            if not response.is_redirect:
                return response, data
            location = urljoin(target, response.headers.get("Location", ""))
            response.close()
            if hop == max_redirects:
                break
            policy.check(location)
            if not resend_credentials or host_of(location).lower() != host_of(target).lower():
                headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
            if response.status_code == 303:
                method = "GET"
                kwargs.pop("json", None)
                kwargs.pop("data", None)
            kwargs.pop("params", None)  # the Location carries its own query
            target = location
            if on_redirect is not None:
                on_redirect(target)
        raise ConnectorError(
            f"{self.name} redirected the request too many times", code="redirect_loop"
        )

    # -- the loop -----------------------------------------------------------------------

    def _send(
        self, method: str, url: str, *, want_json: bool, redirect_ok: bool = False, **kwargs: Any
    ) -> tuple[requests.Response, Any]:
        kwargs.setdefault("timeout", self.timeout)
        host = host_of(url)
        for attempt in range(1, self.max_attempts + 1):
            if self.throttle is not None:
                self.throttle.acquire()
            self.attempts += 1
            data = None
            try:
                response = self.session.request(method, url, **kwargs)
            except requests.Timeout as exc:
                timeout = kwargs["timeout"]
                connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
                words = (
                    f"could not be reached within {connect:g} s"
                    if isinstance(exc, requests.ConnectTimeout)
                    else f"did not answer within {read:g} s"
                )
                error = ConnectorError(
                    f"{self.name} ({host}) {words}", code="timeout", retryable=True
                )
            except (
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ):
                error = ConnectorError(
                    f"Could not reach {self.name} ({host}): the connection failed or was reset",
                    code="connection_error",
                    retryable=True,
                )
            except requests.RequestException as exc:
                raise ConnectorError(
                    f"Request to {self.name} ({host}) failed: {type(exc).__name__}",
                    code="request_error",
                ) from None
            else:
                if self.on_response is not None:
                    self.on_response(response)
                if redirect_ok and response.is_redirect:
                    return response, None  # the caller checks the target and follows it
                error = self.classify(response)
                if error is None and want_json:
                    try:
                        data = response.json()
                    except ValueError:
                        error = ConnectorError(
                            f"{self.name} sent a malformed or truncated JSON body",
                            code="malformed_response",
                            retryable=True,
                        )
                if error is None:
                    return response, data
                response.close()
            if not error.retryable or attempt == self.max_attempts:
                if error.retryable:
                    error.message = f"{error.message} (gave up after {attempt} attempts)"
                    error.args = (error.message,)
                raise error
            delay = error.retry_after if error.retry_after is not None else self.backoff(attempt)
            if delay > self.max_wait:
                raise ConnectorError(
                    f"{error.message}; the provider asks to wait {int(delay)} s, longer than "
                    f"the {int(self.max_wait)} s we wait — try again later",
                    code=error.code,
                    status=error.status,
                    retryable=True,
                    retry_after=delay,
                )
            clock.pause(delay)
        raise AssertionError("unreachable")  # pragma: no cover
