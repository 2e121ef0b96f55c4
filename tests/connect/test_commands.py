"""add_account without tokens, connect_info's contract lines, and syncs skipping the account."""

from __future__ import annotations

import json
import socket
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from signhub.core.models import ProviderAccount, SyncRun
from signhub.ops.models import SyncSchedule
from signhub.ops.scheduler import tick

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **kwargs)
        code = 0
    except CommandError as exc:  # what manage.py turns into a stderr line and exit code
        code = exc.returncode
        err.write(f"CommandError: {exc}\n")
    return code, out.getvalue(), err.getvalue()


def add_waiting(name="acme") -> ProviderAccount:
    code, out, err = run(
        "add_account",
        "fakeoauth",
        "--name",
        name,
        "--base-url",
        "http://127.0.0.1:9",
        "--credential",
        "client_id=app",
        "--credential",
        "client_secret=s3cret",
    )
    assert code == 0, err
    account = ProviderAccount.objects.get(pk=int(out.strip()))
    assert "waiting to be connected" in err
    return account


def test_add_account_without_tokens_creates_a_waiting_account():
    account = add_waiting()
    assert account.connection_state == "waiting"
    assert account.credentials == {"client_id": "app", "client_secret": "s3cret"}


def test_credential_file_reads_the_value_from_a_file(tmp_path):
    path = tmp_path / "token.txt"
    path.write_text("file-token\n")
    code, out, err = run("add_account", "fake", "--name", "f", "--credential-file", f"token={path}")
    assert code == 0, err
    assert ProviderAccount.objects.get(name="f").credentials == {"token": "file-token"}
    code, out, err = run(
        "add_account", "fake", "--name", "g", "--credential-file", f"token={tmp_path}/none"
    )
    assert code == 2 and "cannot read" in err
    assert not ProviderAccount.objects.filter(name="g").exists()


def test_connect_info_prints_the_contract_lines(settings):
    settings.SIGNHUB_PUBLIC_URL = "https://signhub.example.com"
    account = add_waiting()
    code, out, err = run("connect_info", "acme")
    assert code == 0
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    key = account.endpoint_key
    assert lines == {
        "state": "waiting",
        "connect_url": f"https://signhub.example.com/connect/{key}/",
        "redirect_uri": f"https://signhub.example.com/connect/{key}/callback/",
        "webhook_url": f"https://signhub.example.com/webhooks/{key}/",
    }
    ProviderAccount.objects.filter(pk=account.pk).update(
        awaiting_connect=False, needs_reconnect=True
    )
    assert run("connect_info", "acme")[1].startswith("state: needs_reconnect\n")
    ProviderAccount.objects.filter(pk=account.pk).update(needs_reconnect=False)
    assert run("connect_info", "acme")[1].startswith("state: connected\n")


def test_connect_info_without_a_flow_prints_the_state_only(make_account):
    make_account("fake", name="plain")
    code, out, err = run("connect_info", "plain")
    assert out == "state: connected\n"
    assert "SIGNHUB_PUBLIC_URL is not set" in err
    with pytest.raises(Exception, match="No account named"):
        call_command("connect_info", "nobody")


def test_sync_skips_a_waiting_account_with_one_line_and_exit_zero(make_account):
    add_waiting()
    make_account("fake", name="works")
    code, out, err = run("sync")
    assert code == 0
    lines = out.splitlines()
    assert "acme: skipped — not connected yet: an administrator must connect it" in lines[0]
    assert lines[1].startswith("works: ok")
    assert len(lines) == 2
    skipped = SyncRun.objects.get(account__name="acme")
    assert skipped.state == "skipped" and skipped.error_code == "not_connected"
    assert ProviderAccount.objects.get(name="acme").failures_in_a_row == 0


def test_the_scheduler_does_not_enqueue_a_waiting_account():
    account = add_waiting()
    result = tick(timezone.now())
    assert result.enqueued == []
    assert SyncSchedule.objects.filter(account=account).exists()
    assert not SyncRun.objects.filter(account=account).exists()
    ProviderAccount.objects.filter(pk=account.pk).update(awaiting_connect=False)
    assert [name for name, _ in tick(timezone.now()).enqueued] == ["acme"]


def test_sync_now_refuses_a_waiting_account(client, django_user_model):
    account = add_waiting()
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.com", "pw"))
    response = client.post(f"/accounts/{account.pk}/sync/", follow=True)
    assert "not connected yet" in response.content.decode()
    assert not SyncRun.objects.filter(account=account).exists()
    page = client.get("/accounts/").content.decode()
    assert "waiting to be connected" in page


def test_a_provider_without_a_verifier_answers_webhooks_not_enabled(client):
    account = add_waiting()
    response = client.post(f"/webhooks/{account.endpoint_key}/", data="{}", content_type="x")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "webhooks_not_enabled"
    assert client.get(f"/webhooks/{account.endpoint_key}/").status_code == 405


@pytest.fixture
def black_hole():
    """A listening socket that never accepts or answers: connects, then silence."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_test_connection_default_timeouts_stay_under_ten_seconds(black_hole, settings):
    """The real defaults (3 s connect, 6 s read) against the black hole, once."""
    from signhub.connect.probe import test_connection

    account = ProviderAccount.objects.create(
        name="hole", provider="fakeoauth", base_url=black_hole, credentials={"access_token": "t"}
    )
    result = {}
    worker = threading.Thread(target=lambda: result.update(probe=test_connection(account)))
    started = time.monotonic()
    worker.start()
    worker.join(12)
    assert not worker.is_alive()
    assert time.monotonic() - started <= 10
    assert result["probe"].code == "timeout"
    assert "did not answer within 6 s" in result["probe"].message


def test_check_account_on_a_waiting_account_points_to_connect_info():
    add_waiting()
    code, out, err = run("check_account", "acme")
    assert code == 2
    assert "not connected yet" in err and "connect_info acme" in err
