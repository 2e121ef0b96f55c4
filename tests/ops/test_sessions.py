"""Sliding session expiry (signhub.ops.sessions): the timeout counts from the last request,
to within SIGNHUB_SESSION_REFRESH_SECONDS, and a session is not written on every page."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from signhub.ops import sessions
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


def test_activity_keeps_a_session_alive_and_inactivity_ends_it(client, django_user_model, settings):
    """Real time, a two-second session: requests every 0.7 s for 3 s (past its age) stay
    signed in, since it is renewed at most every second (half its age); then 2.3 s without
    a request and it is over."""
    settings.SESSION_COOKIE_AGE = 2
    client.force_login(django_user_model.objects.create_superuser("ann", "a@example.com", None))
    started = time.monotonic()
    while time.monotonic() - started < 3:
        assert client.get("/documents/").status_code == 200
        time.sleep(0.7)
    time.sleep(2.3)
    response = client.get("/documents/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_interval_never_outlasts_half_the_session(settings):
    settings.SIGNHUB_SESSION_REFRESH_SECONDS = 60
    settings.SESSION_COOKIE_AGE = 30
    assert sessions.refresh_interval() == 15
    settings.SESSION_COOKIE_AGE = 8 * 3600
    assert sessions.refresh_interval() == 60


@pytest.mark.parametrize("stamp", [None, "garbage", [1], True, 10**12, -5.5])
def test_a_missing_odd_or_future_stamp_means_a_save_is_due(stamp):
    session = {} if stamp is None else {SAVED_AT: stamp}
    assert sessions.save_due(session)
    assert not sessions.save_due({SAVED_AT: int(time.time()) - 1})


def _through_middleware(session, change=None):
    """The middleware around a view that may change the session (Django's SessionMiddleware,
    outside it, then saves when `session.modified`)."""
    request = RequestFactory().get("/")
    request.session = session

    def view(request):
        request.session.get("anything")  # the view uses the session
        if change:
            request.session[change] = "x"
        return HttpResponse()

    sessions.SessionRefreshMiddleware(view)(request)
    return session


def test_a_session_the_request_changed_is_stamped_anew(db):
    session = SessionStore()
    session["_auth_user_id"] = "1"
    session[SAVED_AT] = int(time.time()) - 5  # saved 5 s ago: not due
    session.save()
    session.modified = False
    untouched = _through_middleware(SessionStore(session.session_key))
    assert not untouched.modified
    changed = _through_middleware(SessionStore(session.session_key), change="cart")
    assert changed.modified and changed[SAVED_AT] >= int(time.time()) - 1


def test_logging_out_leaves_no_session_row(staff_client, settings):
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
