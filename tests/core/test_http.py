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


# -- redirects by hand: HttpClient.stream and follow= ---------------------------------------

API = "https://api.example.com/files/1"
CDN = "https://dl.example-cdn.net/blob/1"


@responses.activate
def test_stream_drops_credentials_on_another_host_and_keeps_them_on_the_same_one(client):
    responses.get(API, status=302, headers={"Location": "/files/1/v2"})
    responses.get(f"{API}/v2", status=307, headers={"Location": CDN})
    responses.get(CDN, body=b"%PDF")
    headers = {"Authorization": "Bearer T", "X-API-KEY": "K", "Accept": "*/*"}

    allowed = {"api.example.com", ".example-cdn.net"}
    response = client.stream(API, allowed_hosts=allowed, headers=headers)

    assert response.content == b"%PDF"
    first, same_host, other_host = (c.request.headers for c in responses.calls)
    assert first["Authorization"] == same_host["Authorization"] == "Bearer T"
    assert "Authorization" not in other_host and "X-API-KEY" not in other_host
    assert other_host["Accept"] == "*/*"


@responses.activate
def test_stream_checks_the_first_url_and_every_hop_before_requesting_it(client):
    with pytest.raises(ConnectorError) as first:
        client.stream("https://evil.example/x", allowed_hosts={"api.example.com"})
    assert first.value.code == "unsafe_url"
    responses.get(API, status=302, headers={"Location": "http://api.example.com/plain"})
    with pytest.raises(ConnectorError) as hop:
        client.stream(API, allowed_hosts={"api.example.com"})
    assert hop.value.code == "unsafe_url" and "plain-http" in hop.value.message
    assert len(responses.calls) == 1  # neither refused URL was requested


@responses.activate
def test_stream_stops_after_max_redirects(client):
    responses.get(API, status=302, headers={"Location": API})
    with pytest.raises(ConnectorError) as info:
        client.stream(API, allowed_hosts={"api.example.com"}, max_redirects=2)
    assert info.value.code == "redirect_loop"
    assert len(responses.calls) == 3


@responses.activate
def test_follow_resends_the_method_and_body_and_reports_each_hop(client):
    from signhub.core.http import UrlPolicy

    moved = "https://new.example.com/rest/list"
    responses.post("https://old.example.com/rest/list", status=302, headers={"Location": moved})
    responses.post(moved, json={"ok": True})
    hops = []

    data = client.request_json(
        "POST",
        "https://old.example.com/rest/list",
        json={"auth": "T", "offset": 0},
        follow=UrlPolicy.of({"old.example.com", "new.example.com"}, require_https=True),
        on_redirect=hops.append,
    )

    assert data == {"ok": True}
    assert hops == [moved]
    assert [c.request.method for c in responses.calls] == ["POST", "POST"]
    assert responses.calls[1].request.body == responses.calls[0].request.body


@responses.activate
def test_a_303_turns_into_a_get_without_the_body(client):
    from signhub.core.http import UrlPolicy

    responses.post(API, status=303, headers={"Location": f"{API}/result"})
    responses.get(f"{API}/result", json={"done": 1})
    policy = UrlPolicy.of({"api.example.com"}, require_https=True)
    assert client.request_json("POST", API, json={"x": 1}, follow=policy) == {"done": 1}
    assert responses.calls[1].request.method == "GET" and not responses.calls[1].request.body


def test_content_disposition_names_prefer_the_extended_form():
    from signhub.core.http import disposition_filename

    assert (
        disposition_filename("attachment; filename*=UTF-8''Vertrag%20%C3%84.pdf") == "Vertrag Ä.pdf"
    )
    both = "attachment; filename=\"plain.pdf\"; filename*=UTF-8''%E2%82%AC.pdf"
    assert disposition_filename(both) == "€.pdf"
    assert disposition_filename('attachment; filename="a \\"b\\".pdf"') == 'a "b".pdf'
    assert disposition_filename("inline") == disposition_filename(None) == ""


@responses.activate
def test_file_stream_from_a_response_reads_type_name_size_and_closes():
    from signhub.core.connector import FileStream

    body = b"x" * 200_000
    headers = {
        "Content-Type": "Application/PDF; charset=binary",
        "Content-Disposition": 'attachment; filename="signed.pdf"',
        "Content-Length": str(len(body)),
    }
    responses.get(API, body=body, headers=headers)
    response = HttpClient(name="X").request("GET", API, stream=True)
    stream = FileStream.from_response(response, name="fallback.pdf")

    assert (stream.content_type, stream.filename, stream.size) == (
        "application/pdf",
        "signed.pdf",
        len(body),
    )
    chunks = list(stream.chunks)
    assert b"".join(chunks) == body and len(chunks) == 4  # 64 KiB pieces
    assert response.raw.closed


@responses.activate
def test_file_stream_defaults_when_the_provider_says_nothing():
    from signhub.core.connector import FileStream

    responses.get(API, body=b"%PDF", headers={"Content-Length": "n/a"})
    response = HttpClient(name="X").request("GET", API, stream=True)
    stream = FileStream.from_response(response, name="doc.pdf", default_type="application/pdf")
    assert (stream.filename, stream.size) == ("doc.pdf", None)
    # responses sets text/plain unless told otherwise; an explicit type wins over it
    forced = FileStream.from_response(response, content_type="application/json")
    assert forced.content_type == "application/json"
