"""The demo fake over real HTTP: a demo account syncs every list and downloads a file."""

import pytest

from signhub.connectors.boldsign import sandbox
from signhub.core.models import ProviderAccount, SignedDocument
from signhub.core.status import DocumentStatus
from signhub.core.sync import sync_account


@pytest.mark.django_db(transaction=True)
def test_a_demo_account_syncs_against_the_sandbox(live_server):
    demo = sandbox.demo_account()
    account = ProviderAccount.objects.create(
        name="demo-boldsign", provider="boldsign",
        base_url=live_server.url + "/sandbox/boldsign", **demo,
    )  # fmt: skip
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    total = sum(sandbox.SIZES.values())
    assert run.fetched == total == SignedDocument.objects.filter(account=account).count()
    assert set(SignedDocument.objects.values_list("status", flat=True)) == {
        DocumentStatus.DRAFT, DocumentStatus.IN_PROGRESS, DocumentStatus.COMPLETED,
        DocumentStatus.DECLINED, DocumentStatus.EXPIRED, DocumentStatus.CANCELLED,
    }  # fmt: skip
    account.refresh_from_db()
    assert account.credentials["access_token"].startswith("sbx-")
    assert set(account.sync_state["marks"]) == {"list", "behalf_others", "behalf_me", "team"}

    behalf = SignedDocument.objects.filter(external_id__startswith="bs-behalf_me",
                                           status="completed").first()  # fmt: skip
    stream = account.connector().open_file(behalf, "signed")
    assert b"".join(stream.chunks).startswith(b"%PDF")
    stream.close()

    again = sync_account(account)
    assert again.state == "succeeded" and not again.full
    assert again.created == 0 and again.updated == 0
