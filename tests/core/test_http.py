"""The shared HTTP helper: retries, Retry-After, backoff bounds, error words."""

import pytest
import requests
import responses

from signhub.core.errors import ConnectorError
from signhub.core.http import (
    HttpClient,
    Throttle,
    ensure_allowed_url,
    parse_retry_after,
)

URL = "https://api.example.com/items"


@pytest.fixture
def client(settings):
    settings.SIGNHUB_HTTP_MAX_ATTEMPTS = 4
    return HttpClient(name="Example")


@responses.activate
def test_429_waits_for_retry_after_then_succeeds(client, no_sleep):
    responses.get(URL, status=429, headers={"Retry-After": "7"})
    responses.get(URL, json={"ok": True})

    assert client.request_json("GET", URL) == {"ok": True}
    assert no_sleep == [7.0]
    assert len(responses.calls) == 2


@responses.activate
def test_5xx_is_retried_with_bounded_exponential_backoff(client, no_sleep):
    for _ in range(3):
        responses.get(URL, status=503)
    responses.get(URL, json=[1])

    assert client.request_json("GET", URL) == [1]
    assert len(no_sleep) == 3
    for attempt, wait in enumerate(no_sleep, start=1):
        assert 0.5 * 2 ** (attempt - 1) <= wait <= 1.5 * 2 ** (attempt - 1)


@responses.activate
def test_it_gives_up_after_max_attempts_with_a_clear_message(client):
    responses.get(URL, status=502)
    with pytest.raises(ConnectorError) as exc:
        client.request_json("GET", URL)
    assert exc.value.code == "server_error"
    assert "gave up after 4 attempts" in exc.value.message
    assert len(responses.calls) == 4


@responses.activate
def test_malformed_json_is_retried(client):
    responses.get(URL, body='{"items": [1, 2', content_type="application/json")
    responses.get(URL, json={"items": [1, 2]})
    assert client.request_json("GET", URL) == {"items": [1, 2]}


@responses.activate
def test_timeouts_and_resets_are_retried(client):
    responses.get(URL, body=requests.Timeout())
    responses.get(URL, body=requests.ConnectionError("reset by peer"))
    responses.get(URL, json={"ok": 1})
    assert client.request_json("GET", URL) == {"ok": 1}


@responses.activate
def test_401_is_not_retried_and_asks_for_a_refresh(client):
    responses.get(URL, status=401)
    with pytest.raises(ConnectorError) as exc:
        client.request_json("GET", URL)
    assert exc.value.refresh is True
    assert exc.value.retryable is False
    assert len(responses.calls) == 1


@responses.activate
def test_an_overlong_retry_after_fails_instead_of_hanging(settings):
    settings.SIGNHUB_HTTP_MAX_WAIT = 60
    responses.get(URL, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(ConnectorError) as exc:
        HttpClient(name="Example").request_json("GET", URL)
    assert "3600 s" in exc.value.message


@responses.activate
def test_messages_never_contain_the_query_string(client):
    secret_url = URL + "?auth=SECRET-TOKEN"
    responses.get(secret_url, body=requests.ConnectionError("boom"))
    with pytest.raises(ConnectorError) as exc:
        client.request_json("GET", secret_url)
    assert "SECRET-TOKEN" not in str(exc.value)


@responses.activate
def test_every_request_has_a_timeout_and_user_agent(client):
    responses.get(URL, json={})
    client.request_json("GET", URL)
    request = responses.calls[0].request
    assert request.headers["User-Agent"].startswith("signhub/")
    assert request.req_kwargs["timeout"] == client.timeout


def test_error_hook_overrides_status_defaults():
    def hook(response):
        if response.status_code == 200 and response.json().get("error") == "QUERY_LIMIT":
            return ConnectorError("slow down", code="rate_limited", retryable=True, retry_after=1)
        return None

    client = HttpClient(name="X", error_hook=hook)
    with responses.RequestsMock() as mock:
        mock.get(URL, json={"error": "QUERY_LIMIT"})
        mock.get(URL, json={"ok": True})
        assert client.request_json("GET", URL) == {"ok": True}


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("12") == 12
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_throttle_spaces_requests_beyond_the_burst(no_sleep, monkeypatch):
    from signhub.core.http import clock

    monkeypatch.setattr(clock, "monotonic", lambda: 100.0)
    throttle = Throttle(rate=2, burst=2)
    for _ in range(4):
        throttle.acquire()
    assert no_sleep == [0.5, 1.0]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.net/file",
        "http://portal.example.com/file",
        "file:///etc/passwd",
        "gopher://portal.example.com/",
        "https://169.254.169.254/latest/meta-data",
    ],
)
def test_foreign_or_unsafe_download_links_are_refused(url):
    with pytest.raises(ConnectorError) as exc:
        ensure_allowed_url(url, allowed_hosts={"portal.example.com"}, require_https=True)
    assert exc.value.code == "unsafe_url"


def test_the_accounts_own_host_is_allowed():
    url = "https://Portal.example.com/rest/download.json"
    assert ensure_allowed_url(url, allowed_hosts={"portal.example.com"}, require_https=True)


def test_shared_window_caps_requests_across_processes(no_sleep, monkeypatch):
    from django.core.cache import cache

    from signhub.core.http import SharedWindow

    cache.clear()
    window = SharedWindow("acct-1", limit=3, window=3600)
    for _ in range(3):
        window.acquire()
    assert no_sleep == []
    # A 4th request in the same window waits for the next one. The recorded "sleep" does
    # not advance time, so the fake clock jumps to the next window after the first look.
    from signhub.core.http import clock as http_clock

    start = http_clock.wallclock()
    clock = iter([start, start + 3600])
    monkeypatch.setattr(http_clock, "wallclock", lambda: next(clock))
    window.acquire()
    assert len(no_sleep) == 1 and 0 < no_sleep[0] <= 3600


def test_shared_throttle_uses_the_cache_only_when_it_is_shared(settings):
    from signhub.core.http import shared_throttle

    settings.SIGNHUB_SHARED_THROTTLE = None  # decide from the cache backend
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert shared_throttle("k1", rate=2, burst=10).window is None
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    throttle = shared_throttle("k2", rate=2, burst=10)
    assert throttle.window is not None and throttle.window.limit == 10


@responses.activate
def test_describe_gives_default_errors_the_providers_code_and_detail():
    def describe(response):
        body = response.json()
        return body.get("code", ""), f": {body.get('message')}"

    client = HttpClient(name="Example", describe=describe)
    responses.get(URL, status=400, json={"code": "invalid_limit", "message": "limit too big"})
    with pytest.raises(ConnectorError) as exc:
        client.request_json("GET", URL)
    assert exc.value.code == "invalid_limit"
    assert exc.value.message == "Example refused the request (400 invalid_limit): limit too big"
