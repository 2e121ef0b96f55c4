"""Production settings pass `check --deploy`; login throttling and session expiry work."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50)[:50] + "Aa1!",
        "ALLOWED_HOSTS": "example.com",
        "SIGNHUB_DATA_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright by the browser tests
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sessions_expire_after_inactivity():
    # Sliding expiry, saved at most once a refresh interval (tests/ops/test_sessions.py).
    assert "signhub.ops.sessions.SessionRefreshMiddleware" in settings.MIDDLEWARE
    assert 0 < settings.SIGNHUB_SESSION_REFRESH_SECONDS <= 300
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_logins_are_throttled(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "alice", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    assert client.post(url, {"username": "alice", "password": "wrong"}).status_code == 429
    # Locked out: even the right password is refused now.
    response = client.post(url, {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_still_works_below_the_limit(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 302
