"""Sliding session expiry (signhub.ops.sessions): the timeout counts from the last request,
to within SIGNHUB_SESSION_REFRESH_SECONDS, and a session is not written on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.ops.sessions import SAVED_AT

pytestmark = pytest.mark.django_db


def _session_writes(client, url: str = "/documents/") -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    writes = [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    return len(writes), response


def _row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _age_last_save(client, seconds: int) -> None:
    """The session as if last saved `seconds` ago (its row's expiry moved back too)."""
    session = client.session
    session[SAVED_AT] -= seconds
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds)
    )


def test_pages_within_the_interval_do_not_write_the_session(staff_client):
    # The login stamped the session: its first page and the next ones only read it.
    for _ in range(3):
        writes, response = _session_writes(staff_client)
        assert writes == 0
        assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_page_after_the_interval_renews_the_expiry_and_the_cookie(staff_client):
    _age_last_save(staff_client, settings.SIGNHUB_SESSION_REFRESH_SECONDS + 5)
    before = _row(staff_client).expire_date
    writes, response = _session_writes(staff_client)
    assert writes == 1
    renewed = _row(staff_client).expire_date
    assert renewed - before >= timedelta(seconds=settings.SIGNHUB_SESSION_REFRESH_SECONDS)
    assert abs(renewed - (timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))) < (
        timedelta(seconds=5)
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    # Saved just now: the next page writes nothing again.
    assert _session_writes(staff_client)[0] == 0


def test_an_inactive_session_expires(staff_client):
    Session.objects.filter(session_key=staff_client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = staff_client.get("/documents/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_session_changed_by_the_request_is_saved_at_once(staff_client, settings):
    settings.SIGNHUB_SESSION_REFRESH_SECONDS = 3600
    _age_last_save(staff_client, 10)
    response = staff_client.post("/logout/")
    assert response.status_code in (200, 302)
    assert not Session.objects.exists()  # logout flushed it, nothing re-created


def test_anonymous_visitors_get_no_session_row(client):
    assert client.get("/login/").status_code == 200
    assert client.get("/documents/").status_code == 302
    assert not Session.objects.exists()


def test_signing_in_stamps_the_session(client, django_user_model):
    django_user_model.objects.create_user("ann", password="pw-ann-12345")
    response = client.post("/login/", {"username": "ann", "password": "pw-ann-12345"})
    assert response.status_code == 302
    assert isinstance(client.session[SAVED_AT], int)
    assert _session_writes(client)[0] == 0
