"""Samples made once per session by the real tools, trust settings, a file-serving connector."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

import pytest
from django.utils import timezone

from signhub.core.connector import Connector, FileStream
from signhub.core.models import SignedDocument
from signhub.core.registry import registry
from tests.fakes import FakeForm

from . import samples as sample_tools


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    # In a thread of its own: pyHanko's signing helpers start an event loop, which they
    # cannot do where Playwright's sync API already runs one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sample_tools.build_all, tmp_path_factory.mktemp("samples")).result()


@pytest.fixture
def anchors(settings, samples):
    """Trust the test CA and use its CRL, as an installation would configure them."""
    root = next(iter(samples.values())).path.parent
    settings.SIGNHUB_TRUST_ROOTS = str(root / "anchors.pem")
    settings.SIGNHUB_TRUST_CRLS = str(root / "crl.pem")
    return root


@pytest.fixture
def no_anchors(settings):
    settings.SIGNHUB_TRUST_ROOTS = ""
    settings.SIGNHUB_TRUST_CRLS = ""


@registry.register
class PdfFilesConnector(Connector):
    """Serves per-test bytes for (external id, file key) in small chunks, like a provider."""

    provider = "pdffiles"
    label = "PDF Files"
    default_base_url = "https://pdf-files.example.com"
    credential_form = FakeForm
    files: ClassVar[dict[tuple[str, str], bytes | Exception]] = {}
    announce_size: ClassVar[bool] = True
    opened: ClassVar[int] = 0

    def iter_pages(self, ctx):
        return iter(())

    def check_connection(self) -> str:
        return "ok"

    def open_file(self, document, file_key) -> FileStream:
        type(self).opened += 1
        spec = self.files[(document.external_id, file_key)]
        if isinstance(spec, Exception):

            def failing():
                raise spec
                yield b""  # pragma: no cover

            return FileStream(failing(), "application/pdf", "x.pdf", None)
        chunks = iter([spec[i : i + 4096] for i in range(0, len(spec), 4096)])
        size = len(spec) if self.announce_size else None
        return FileStream(chunks, "application/pdf", "signed.pdf", size)


@pytest.fixture
def pdf_files():
    PdfFilesConnector.files = {}
    PdfFilesConnector.announce_size = True
    PdfFilesConnector.opened = 0
    yield PdfFilesConnector
    PdfFilesConnector.files = {}


def make_document(account, external_id: str, **kwargs) -> SignedDocument:
    now = timezone.now()
    values = {
        "provider": account.provider,
        "title": f"Contract {external_id}",
        "status": "completed",
        "provider_status": "done",
        "signers": [{"name": "Ann Employee", "email": "ann@example.com"}],
        "files": [
            {"key": "signed", "name": f"{external_id}.pdf", "kind": "signed", "handle": {}},
            {"key": "audit", "name": "audit.pdf", "kind": "audit", "handle": {}},
        ],
        "completed_at": now,
        "created_at": now,
        "content_hash": "x",
        "first_seen_at": now,
        "last_seen_at": now,
        "search_text": external_id,
    }
    values.update(kwargs)
    return SignedDocument.objects.create(account=account, external_id=external_id, **values)


@pytest.fixture
def reviewer_account(client, django_user_model, make_account, pdf_files, anchors):
    """A logged-in reviewer who sees the "pdf account" (returned), served by PdfFilesConnector."""
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="HR")
    user = django_user_model.objects.create_user("rev", password="pw-123456789")
    user.groups.add(group)
    account = make_account("pdffiles", name="pdf account")
    account.visible_to.add(group)
    client.force_login(user)
    return account
