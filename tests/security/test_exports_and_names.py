"""Exports and download names (issue 15, finding 7).

The CSV guard looked only at a cell's first character, so `" =1+1"` and a formula inside a
joined list (`a; =SUM(A1); b`) reached spreadsheets; zero-width characters survived in
download names; the provider's file-name extension won over its content type (a PDF named
`….exe`); and a provider's `text/html` was passed through as the response's type.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from signhub.core.models import AuditEvent
from signhub.core.spreadsheet import safe_cell
from signhub.downloads.content_types import served_type
from signhub.downloads.filenames import content_disposition, safe_filename

from .conftest import make_document
from .connectors import ScriptedConnector

FORMULAS = [
    "=1+1",
    " =1+1",
    "\u00a0\u2003=1+1",  # no-break and em spaces
    "  +SUM(A1)",
    "\t-2",
    "\n@cmd",
    "\r=x",
    "＝HYPERLINK()",  # full-width equals sign
]


@pytest.mark.parametrize("value", FORMULAS)
def test_every_cell_that_could_start_a_formula_after_trimming_is_guarded(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "a=b", "x -1", "", "1+1", "mail@example.com"])
def test_other_cells_are_kept(value):
    assert safe_cell(value) == value


def test_every_element_of_a_joined_list_is_guarded():
    assert safe_cell(["hr", " =SUM(A1)", "+x", "ok"]) == "hr; ' =SUM(A1); '+x; ok"
    assert safe_cell(["a", None, "@b"], joiner=";") == "a;'@b"


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture
def hostile(world):
    return make_document(
        world.account_a,
        "HOSTILE",
        title=" =1+1",
        labels=["hr", "=SUM(A1)", " -2"],
        signers=[
            {"name": "Ann", "email": "ann@example.com", "status": "signed"},
            {"name": '=HYPERLINK("http://x")', "email": "evil@example.com"},
        ],
        sender_name="\t=cmd",
    )


def test_the_list_export_guards_trimmed_cells_and_joined_labels(client, world, hostile):
    client.force_login(world.admin)
    response = client.get(reverse("dashboard:export"), {"q": "hostile"})
    (row,) = rows_of(b"".join(response.streaming_content).decode())
    assert row["title"] == "' =1+1"
    assert row["labels"] == "hr; '=SUM(A1); ' -2"
    assert row["sender_name"] == "'\t=cmd"


def test_the_evidence_manifest_guards_every_signer(client, world, hostile):
    client.force_login(world.admin)
    response = client.post(reverse("downloads:evidence_pack"), {"ids": [hostile.pk]})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = rows_of(archive.read("manifest.csv").decode("utf-8"))
    assert rows[0]["title"] == "' =1+1"
    assert rows[0]["signers"] == (
        'Ann <ann@example.com> (signed); \'=HYPERLINK("http://x") <evil@example.com>'
    )


def test_the_command_line_export_guards_too(world, hostile):
    out = io.StringIO()
    call_command("export_documents", "--format", "csv", stdout=out)
    row = next(r for r in rows_of(out.getvalue()) if r["external_id"] == "HOSTILE")
    assert row["title"] == "' =1+1"
    assert row["labels"] == "hr;'=SUM(A1);' -2"


def test_the_audit_export_guards_trimmed_cells(admin_client, world):
    AuditEvent.objects.create(action="download", target=" =1+1", actor_label="\t@x")
    response = admin_client.post(
        reverse("admin:core_auditevent_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(AuditEvent.objects.values_list("pk", flat=True)),
        },
    )
    text = b"".join(response.streaming_content).decode()
    row = next(r for r in rows_of(text) if "1+1" in r["target"])
    assert (row["target"], row["actor_label"]) == ("' =1+1", "'\t@x")


@pytest.mark.parametrize(
    "name",
    [
        "con\u200btract.pdf",  # zero-width space
        "con\u200c\u200dtract.pdf",  # zero-width non-joiner and joiner
        "\ufeffcontract.pdf",  # byte-order mark
        "con\u00adtract.pdf",  # soft hyphen
        "con\u2060tract.pdf",  # word joiner
        "contract\u202e.pdf",  # right-to-left override
        "contract\U000e0041.pdf",  # a tag character
    ],
)
def test_format_characters_are_removed_from_names(name):
    assert safe_filename(name) == "contract.pdf"
    assert content_disposition(name) == 'attachment; filename="contract.pdf"'


def download(client, document, key="signed"):
    response = client.get(reverse("downloads:file", args=[document.pk, key]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    return response


@pytest.fixture
def exe(world):
    return make_document(
        world.account_a,
        "EXE",
        title="Invoice",
        files=[{"key": "signed", "name": "invoice.exe", "kind": "signed", "handle": {}}],
    )


def test_a_pdf_named_exe_downloads_as_pdf(client, world, exe):
    client.force_login(world.admin)
    disposition = download(client, exe)["Content-Disposition"]
    assert disposition.endswith('Invoice (Scripted Sign).pdf"')
    assert ".exe" not in disposition


def test_the_extension_follows_the_content_type_also_without_ext_in_the_template(
    client, world, exe, settings
):
    settings.SIGNHUB_DOWNLOAD_FILENAME = "{title} {name}"
    client.force_login(world.admin)
    disposition = download(client, exe)["Content-Disposition"]
    assert disposition == 'attachment; filename="Invoice invoice.pdf"'


def test_a_matching_or_unknown_type_keeps_the_providers_extension(client, world, exe):
    client.force_login(world.admin)
    ScriptedConnector.content_type = "application/octet-stream"
    assert download(client, exe)["Content-Disposition"].endswith('.exe"')
    ScriptedConnector.content_type = "image/jpeg"
    jpeg = make_document(
        world.account_a,
        "JPEG",
        title="Scan",
        files=[{"key": "signed", "name": "scan.JPEG", "kind": "signed", "handle": {}}],
    )
    assert download(client, jpeg)["Content-Disposition"].endswith('Scan (Scripted Sign).jpeg"')


def test_evidence_pack_entries_take_the_extension_from_the_content_type(client, world, exe):
    client.force_login(world.admin)
    response = client.post(reverse("downloads:evidence_pack"), {"ids": [exe.pk]})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert [n.rsplit("/", 1)[-1] for n in archive.namelist()] == ["invoice.pdf", "manifest.csv"]


ACTIVE = [
    "text/html",
    "text/html; charset=utf-8",
    "TEXT/HTML",
    "application/xhtml+xml",
    "image/svg+xml",
    "text/xml",
    "application/xml",
    "application/rss+xml",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/ecmascript",
    "text/css",
    "application/wasm",
    "multipart/x-mixed-replace; boundary=x",
]


@pytest.mark.parametrize("content_type", ACTIVE)
def test_active_content_types_are_served_as_octet_stream(client, world, content_type):
    assert served_type(content_type) == "application/octet-stream"
    ScriptedConnector.content_type = content_type
    client.force_login(world.admin)
    response = download(client, world.docs_a[0])
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "content_type", ["application/pdf", "image/png", "text/plain; charset=utf-8"]
)
def test_passive_types_are_passed_through(content_type):
    assert served_type(content_type) == content_type
