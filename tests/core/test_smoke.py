from signhub.core.sync import sync_account
from tests.fakes import make_record


def test_sync_indexes_fake_documents(make_account):
    from tests.fakes import FakeConnector

    account = make_account("fake", name="acme")
    FakeConnector.data["acme"] = [make_record(i) for i in range(25)]
    run = sync_account(account)
    assert run.state == "succeeded", run.error_message
    assert account.documents.count() == 25
