"""Bulk actions on the list: row checkboxes in one form, CSV of exactly the selection."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from signhub.core.index import IndexWriter
from signhub.core.models import AuditEvent, SignedDocument
from tests.fakes import make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(make_account):
    mine, other = make_account("fake", name="Mine"), make_account("fake", name="Other")
    IndexWriter(mine, seen_at=timezone.now()).write([make_record(i) for i in range(3)])
    IndexWriter(other, seen_at=timezone.now()).write([make_record(9, title="Secret")])
    return mine, other


def test_rows_carry_checkboxes_of_the_bulk_form(staff_client, docs):
    page = staff_client.get(reverse("dashboard:documents")).content.decode()
    assert '<form id="bulk"' in page and 'action="/documents/evidence-pack/"' in page
    ids = SignedDocument.objects.values_list("pk", flat=True)
    for pk in ids:
        assert f'name="ids" value="{pk}" form="bulk"' in page
    assert "data-select-page" in page
    assert "at most 500 documents" in page


def test_csv_of_the_selection_is_exactly_the_selected_visible_documents(
    client, docs, django_user_model
):
    from django.contrib.auth.models import Group

    mine, other = docs
    group = Group.objects.create(name="hr")
    mine.visible_to.add(group)
    user = django_user_model.objects.create_user("rita")
    user.groups.add(group)
    client.force_login(user)
    chosen = list(SignedDocument.objects.filter(account=mine).values_list("pk", flat=True)[:2])
    secret = SignedDocument.objects.get(account=other).pk
    response = client.post(reverse("dashboard:export"), {"ids": [*chosen, secret]})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2 and "Secret" not in body
    assert AuditEvent.objects.get(action="export_csv").details["selected"] == 3
    assert client.post(reverse("dashboard:export"), {}).status_code == 400
    assert client.post(reverse("dashboard:export"), {"ids": "x"}).status_code == 400
