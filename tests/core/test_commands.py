"""add_account, sync and export_documents: the contract other tools drive."""

import csv
import io
import json

import pytest
import responses
from django.core.management import call_command
from django.core.management.base import CommandError

from signhub.core.models import ProviderAccount, SyncRun
from tests.fakes import FakeConnector, make_record


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:  # what manage.py turns into a stderr line and exit code
        code = exc.returncode
        err.write(f"CommandError: {exc}\n")
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
class TestAddAccount:
    def test_it_prints_the_new_account_id(self):
        code, out, _ = run(
            "add_account",
            "fake",
            "--name",
            "acme",
            "--credential",
            "token=abc",
            "--option",
            "page_size=5",
        )
        account = ProviderAccount.objects.get(name="acme")
        assert code == 0
        assert out.strip() == str(account.pk)
        assert account.credentials == {"token": "abc"}
        assert account.options == {"page_size": 5}
        assert account.base_url == "https://fake.example.com"

    @pytest.mark.parametrize(
        "args, message",
        [
            (["nope", "--name", "x"], "Unknown provider 'nope'"),
            (
                ["fake", "--name", "x", "--credential", "colour=blue"],
                "Unknown credential key 'colour'",
            ),
            (["fake", "--name", "x", "--option", "page_size=-1"], "page_size"),
            (["fake", "--name", "x", "--credential", "token"], "KEY=VALUE"),
            (["fake", "--name", "x", "--base-url", "ftp://x"], "http"),
            (["fake", "--name", "x", "--base-url", "http://api.example.com"], "loopback"),
        ],
    )
    def test_bad_input_is_one_clear_line_and_exit_code_2(self, args, message):
        code, _, err = run("add_account", *args)
        assert code == 2
        assert message in err
        assert err.count("\n") == 1
        assert not ProviderAccount.objects.exists()

    def test_plain_http_is_fine_on_loopback(self):
        code, _, _ = run(
            "add_account", "fake", "--name", "local", "--base-url", "http://127.0.0.1:9999/api"
        )
        assert code == 0
        assert ProviderAccount.objects.get().base_url == "http://127.0.0.1:9999/api"

    def test_a_duplicate_name_is_refused(self, make_account):
        make_account(name="acme")
        code, _, err = run("add_account", "fake", "--name", "acme")
        assert code == 2
        assert "already exists" in err


@pytest.mark.django_db
class TestSyncCommand:
    def test_it_prints_a_summary_per_account_and_exits_1_on_failure(self, make_account):
        make_account(name="good")
        make_account(name="bad", credentials={"token": "x"})
        FakeConnector.data = {
            "good": [make_record(1), make_record(2)],
            "bad": [
                __import__("signhub.core.errors", fromlist=["x"]).ConnectorError(
                    "Fake is down", code="server_error"
                )
            ],
        }
        code, out, err = run("sync")
        assert code == 1
        assert err == "CommandError: sync failed for: bad\n"
        assert "good: ok (full) — 2 fetched, 2 created, 0 updated, 0 removed" in out
        assert "bad: FAILED [server_error] Fake is down" in out

    def test_it_syncs_only_named_accounts(self, make_account):
        make_account(name="one")
        make_account(name="two")
        code, out, _ = run("sync", "--account", "two")
        assert code == 0
        assert "two: ok" in out and "one" not in out
        assert SyncRun.objects.get().account.name == "two"

    def test_an_unknown_account_name_is_an_error(self, make_account):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="No account named: ghost"):
            call_command("sync", "--account", "ghost")


@pytest.mark.django_db
class TestExportDocuments:
    @pytest.fixture
    def indexed(self, make_account):
        account = make_account(name="acme")
        FakeConnector.data["acme"] = [
            make_record(1, title='=HYPERLINK("x")'),
            make_record(2, status="declined", labels=["a", "b"]),
        ]
        call_command("sync", stdout=io.StringIO())
        return account

    def test_jsonl_has_one_record_per_document(self, indexed):
        _, out, _ = run("export_documents")
        records = [json.loads(line) for line in out.splitlines()]
        assert [r["external_id"] for r in records] == ["doc-1", "doc-2"]
        first = records[0]
        assert first["provider"] == "fake" and first["account"] == "acme"
        assert first["signer_emails"] == ["emp1@example.com"]
        assert first["completed_at"] == "2026-03-01T12:00:00Z"
        assert first["removed_at"] is None
        for key in ["title", "status", "provider_status", "sender_email", "created_at", "labels"]:
            assert key in first

    def test_csv_and_filters(self, indexed):
        _, out, _ = run("export_documents", "--format", "csv", "--status", "declined")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 1
        assert rows[0]["labels"] == "a;b"

    def test_an_unknown_status_is_refused(self, indexed):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="Unknown status"):
            call_command("export_documents", "--status", "signed")


@pytest.mark.django_db
@responses.activate
def test_sync_over_real_http_walks_every_page(make_account):
    base = "https://fakehttp.example.com"
    make_account("fakehttp", name="remote", base_url=base)
    responses.get(
        f"{base}/docs",
        match=[responses.matchers.query_param_matcher({"page": "1"})],
        json={"items": [{"id": 1}, {"id": 2}], "next": 2},
    )
    responses.get(
        f"{base}/docs", match=[responses.matchers.query_param_matcher({"page": "2"})], status=503
    )
    responses.get(
        f"{base}/docs",
        match=[responses.matchers.query_param_matcher({"page": "2"})],
        json={"items": [{"id": 3, "title": "<script>alert(1)</script>"}], "next": None},
    )
    code, out, _ = run("sync")
    assert code == 0
    assert "3 fetched, 3 created" in out
    assert responses.calls[1].request.headers["Authorization"] == "Bearer t0k3n"
