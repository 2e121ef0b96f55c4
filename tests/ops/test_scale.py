"""Scale-out on PostgreSQL: gunicorn (2 workers) + two db_worker processes + racing schedulers.

Syncs are triggered for several accounts at once through the web endpoint, then through two
schedulers started at the same moment. Proven from the database and the fake provider's
counters: every account synced exactly once per trigger, no duplicate documents, no two
syncs of one account overlapping, and each account's token refreshed exactly once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from cryptography.fernet import Fernet
from django.db import connection
from django.test import Client
from django.utils import timezone

from signhub.core.models import ProviderAccount, SignedDocument, SyncRun
from signhub.ops.models import SyncSchedule
from signhub.ops.scheduler import ensure_schedules

from .fake_provider import PAGE_SIZE, PAGES, FakeProvider

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ACCOUNTS = 5
DEADLINE = 40  # seconds for each phase; the whole test stays well under a minute

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="scale-out needs DATABASE_URL on PostgreSQL (row locks across processes)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict  # the test database pytest-django created
    auth = quote(s["USER"] or "postgres")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def child_env(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_SETTINGS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="signhub.settings",
        DATABASE_URL=database_url(),
        CACHE_URL=os.environ.get("CACHE_URL", "locmemcache://scale"),
        SECRET_KEY=settings.SECRET_KEY,
        SIGNHUB_ENCRYPTION_KEYS=",".join(settings.SIGNHUB_ENCRYPTION_KEYS),
        SIGNHUB_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        SIGNHUB_EXTRA_APPS="tests.ops.scaleapp",
        SIGNHUB_HTTP_MAX_ATTEMPTS="2",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        AXES_ENABLED="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_for(predicate, what: str, timeout: float = DEADLINE) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def all_runs_finished() -> bool:
    return not SyncRun.objects.filter(state__in=["queued", "running"]).exists()


@pytest.fixture
def processes(settings, tmp_path):
    settings.SIGNHUB_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    env = child_env(settings)
    port = free_port()
    logs = []
    procs: list[subprocess.Popen] = []

    def start(name: str, *cmd: str) -> None:
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed below)
        logs.append(log)
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))

    start(
        "gunicorn",
        str(BIN / "gunicorn"),
        "-c",
        "deploy/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "signhub.wsgi",
    )
    for i in (1, 2):
        start(
            f"worker{i}",
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--worker-id",
            f"scale-worker-{i}",
        )
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return requests.get(f"{base}/readyz", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or workers still booting
            return False

    try:
        wait_for(ready, "gunicorn /readyz", timeout=30)
        yield {"base": base, "env": env, "logs": tmp_path}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for log in logs:
            log.close()
            # Shown by pytest only when the test fails.
            print(f"--- {Path(log.name).name} (tail)\n{Path(log.name).read_text()[-3000:]}")


def test_gunicorn_and_two_workers_sync_each_account_once_per_trigger(processes, django_user_model):
    admin = django_user_model.objects.create_superuser("ops-admin", "a@example.com", "pw")
    with FakeProvider() as fake:
        accounts = [
            ProviderAccount.objects.create(
                name=f"scale{i}",
                provider="scaletest",
                base_url=f"{fake.url}/scale{i}",
                credentials={"access_token": "expired-at-start", "refresh_token": "r0"},
            )
            for i in range(ACCOUNTS)
        ]
        ensure_schedules()
        # Far in the future: only the explicit triggers below may start a sync.
        SyncSchedule.objects.update(
            next_run_at=timezone.now() + timedelta(days=1),
            last_full_enqueued_at=timezone.now(),
        )

        # Trigger 1: the dashboard's "Sync now", for every account at once, via gunicorn.
        web = Client()
        web.force_login(admin)
        csrf = "s" * 32  # a valid CSRF secret format: cookie and header must match
        cookies = {"sessionid": web.cookies["sessionid"].value, "csrftoken": csrf}

        def sync_now(account):
            return requests.post(
                f"{processes['base']}/accounts/{account.pk}/sync/",
                cookies=cookies,
                headers={"X-CSRFToken": csrf},
                allow_redirects=False,
                timeout=15,
            )

        with ThreadPoolExecutor(ACCOUNTS) as pool:
            responses = list(pool.map(sync_now, accounts))
        assert [r.status_code for r in responses] == [302] * ACCOUNTS
        assert all(r.headers.get("X-Request-ID") for r in responses)
        wait_for(all_runs_finished, "web-triggered syncs")

        # Trigger 2: everything due, two schedulers started together (they race).
        SyncSchedule.objects.update(next_run_at=timezone.now() - timedelta(minutes=1))
        schedulers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "schedule_syncs"],
                cwd=ROOT,
                env=processes["env"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=DEADLINE)[0] for p in schedulers]
        assert all(p.returncode == 0 for p in schedulers), outputs
        wait_for(all_runs_finished, "scheduled syncs")

    for account in accounts:
        runs = list(SyncRun.objects.filter(account=account).order_by("started_at"))
        detail = [(r.trigger, r.state, r.error_message) for r in runs]
        assert sorted(r.trigger for r in runs) == ["schedule", "web"], detail
        assert all(r.state == "succeeded" for r in runs), detail
        assert all(r.fetched == PAGES * PAGE_SIZE for r in runs), detail
        first, second = runs
        assert first.finished_at <= second.started_at, "two syncs of one account overlapped"
        assert fake.max_in_flight[account.name] == 1
        assert fake.pages[account.name] == 2 * PAGES
        # The first request met the expired token; one refresh served both syncs.
        assert fake.refreshes[account.name] == 1
        assert fake.rejected[account.name] == 1
        account.refresh_from_db()
        assert account.credentials["refresh_token"] == "r1"
        assert account.documents.count() == PAGES * PAGE_SIZE
    assert SignedDocument.objects.count() == ACCOUNTS * PAGES * PAGE_SIZE

    from django_tasks_db.models import DBTaskResult

    results = DBTaskResult.objects.all()
    assert results.count() == 2 * ACCOUNTS
    assert {r.status for r in results} == {"SUCCESSFUL"}
