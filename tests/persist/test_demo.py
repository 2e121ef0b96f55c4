"""The demo's signature chains: CMS and XML versions that the viewer verifies for real."""

from __future__ import annotations

import pytest

from signhub.persist.demo import seed_chains
from signhub.persist.models import Signature, SignatureChain

pytestmark = pytest.mark.django_db


def test_seed_chains_makes_cms_and_xml_versions_once(admin_client):
    assert seed_chains() == 6
    assert seed_chains() == 0  # idempotent
    assert SignatureChain.objects.count() == 3
    assert set(Signature.objects.values_list("kind", flat=True)) == {"cms", "xml"}
    verdicts = {}
    for sig in Signature.objects.select_related("chain"):
        html = admin_client.get(f"/signatures/{sig.pk}/").content.decode()
        assert html.count('data-verdict-scope="overall"') == 1
        verdicts[sig.version_comment] = html
    # No demo trust anchor is configured: intact ones are indeterminate, the expired is failed.
    assert (
        'data-verdict="failed" data-verdict-scope="overall"'
        in verdicts["signed with an expired certificate"]
    )
    assert (
        'data-verdict="indeterminate" data-verdict-scope="overall"'
        in verdicts["countersigned by HR"]
    )
    assert "not available to check" in verdicts["detached signature"]


def test_chains_attach_to_indexed_documents_when_there_are_some(make_account):
    from django.utils import timezone

    from signhub.core.index import IndexWriter
    from tests.fakes import make_record

    account = make_account(name="demo")
    IndexWriter(account, timezone.now()).write([make_record(1, external_id="real-doc")])
    seed_chains()
    assert SignatureChain.objects.filter(document="real-doc").exists()
