"""Every response carries a request id, and so does every log line of that request."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from signhub.ops.logs import JsonFormatter, RequestIdFilter, scrub
from signhub.ops.request_id import RequestIdMiddleware

pytestmark = pytest.mark.django_db


def test_each_response_gets_a_fresh_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_proxy_request_id_is_kept(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd-5678"})
    assert response["X-Request-ID"] == "lb-1234abcd-5678"


def test_a_malformed_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "x\r\nSet-Cookie: a=b"})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def _capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("tests.ops.json")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_json_log_lines_carry_the_request_id():
    logger, stream = _capture()

    def view(request):
        logger.info("inside the request")
        return HttpResponse("ok")

    response = RequestIdMiddleware(view)(RequestFactory().get("/"))
    logger.info("outside")
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["request_id"] == response["X-Request-ID"]
    assert inside["message"] == "inside the request"
    assert inside["level"] == "INFO"
    assert inside["logger"] == "tests.ops.json"
    assert outside["request_id"] == "-"


def test_json_log_lines_hold_no_secrets():
    logger, stream = _capture()
    logger.warning(
        "call to %s failed; Authorization: Bearer eyJhbGciOi.secret.part; "
        "password=hunter2 client_secret: cs-777 refresh_token=rt-42",
        "https://api.example.com/v1/docs?access_token=at-99&page=2",
    )
    try:
        raise ValueError("api_key=ak-555")
    except ValueError:
        logger.exception("boom")
    text = stream.getvalue()
    for secret in ("eyJhbGciOi", "hunter2", "cs-777", "rt-42", "at-99", "ak-555"):
        assert secret not in text
    first = json.loads(text.splitlines()[0])
    assert "https://api.example.com/v1/docs?[redacted]" in first["message"]
    assert json.loads(text.splitlines()[1])["exception"].startswith("Traceback")


def test_scrub_leaves_ordinary_words_alone():
    assert scrub("Synced acme: 5 fetched, 2 created") == "Synced acme: 5 fetched, 2 created"


def test_gunicorn_access_lines_carry_the_response_request_id():
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(U)s", None, None)
    record.args = {"U": "/documents/", "{x-request-id}o": "abc12345def"}
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "abc12345def"
    assert entry["message"] == "/documents/"
