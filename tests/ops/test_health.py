"""/healthz answers without the database; /readyz says what is not ready, and recovers."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.test import override_settings

from signhub.ops import health

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_migration_check():
    health._migrations_ok = False
    yield
    health._migrations_ok = False


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ok_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
    }


def test_readyz_fails_while_the_database_is_unreachable_and_recovers(client, monkeypatch):
    wrapper = connections[DEFAULT_DB_ALIAS]

    def unreachable(*args, **kwargs):
        # Real drivers put hosts and users in the message: it must not reach the response.
        raise OperationalError('connection to "db.internal" failed: password=hunter2')

    monkeypatch.setattr(wrapper, "cursor", unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["database"]
    assert body["checks"]["database"] == "unreachable (OperationalError)"
    assert body["checks"]["migrations"].startswith("skipped")
    assert "hunter2" not in response.content.decode()
    assert "db.internal" not in response.content.decode()

    monkeypatch.undo()  # the database is back
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_fails_when_the_cache_loses_values(client, monkeypatch):
    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_readyz_fails_when_the_cache_is_down(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis://:s3cret@cache.internal:6379/0 refused")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unreachable (ConnectionError)"
    assert "s3cret" not in response.content.decode()


def test_readyz_fails_while_migrations_are_pending(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 unapplied migration(s)"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_probes_are_not_redirected_to_https(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/documents/").status_code == 301


def test_probes_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
