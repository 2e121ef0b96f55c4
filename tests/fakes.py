"""Fake connectors for testing the engine: one in memory, one over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django import forms

from signhub.connect.flows import ConnectError, ConnectFlow, Grant, Installed, OAuthApp
from signhub.core.connector import Connector, DocumentRecord, FileStream, Page, SignerRecord
from signhub.core.errors import ConnectorError
from signhub.core.forms import ProviderForm
from signhub.core.registry import registry
from signhub.core.status import DocumentStatus


class FakeForm(ProviderForm):
    token = forms.CharField(required=False)
    page_size = forms.IntegerField(required=False, min_value=1)
    credential_fields = ("token",)
    option_fields = ("page_size",)
    secret_fields = ("token",)


def make_record(i: int, **overrides) -> DocumentRecord:
    base = {
        "external_id": f"doc-{i}",
        "title": f"Contract {i}",
        "status": DocumentStatus.COMPLETED,
        "provider_status": "done",
        "sender_name": "HR Team",
        "sender_email": "hr@example.com",
        "signers": [
            SignerRecord(
                email=f"emp{i}@example.com",
                name=f"Employee {i}",
                status="signed",
                order=1,
                decided_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
            ),
        ],
        "labels": ["contracts"],
        "created_at": datetime(2026, 2, 1, 9, tzinfo=UTC),
        "completed_at": datetime(2026, 3, 1, 12, tzinfo=UTC),
        "raw": {"id": i},
    }
    base.update(overrides)
    return DocumentRecord(**base)


@registry.register
class FakeConnector(Connector):
    """Serves `FakeConnector.data[account name]` (a list of records) in pages.

    A record may be an Exception instance: the connector raises it at that point.
    """

    provider = "fake"
    label = "Fake"
    default_base_url = "https://fake.example.com"
    credential_form = FakeForm
    data: dict[str, list] = {}

    def iter_pages(self, ctx) -> Iterator[Page]:
        items = self.data.get(self.account.name, [])
        size = int(self.option("page_size", 10))
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            for item in chunk:
                if isinstance(item, Exception):
                    raise item
            yield Page(chunk, expected_total=len(items))

    def open_file(self, document, file_key) -> FileStream:
        return FileStream(iter([b"%PDF-1.4 fake"]), "application/pdf", "fake.pdf", 13)

    def check_connection(self) -> str:
        if self.credentials.get("token") == "bad":
            raise ConnectorError("Fake rejected the token", code="unauthorized")
        return "fake is fine"


@registry.register
class HttpFakeConnector(Connector):
    """Pages from `GET {base}/docs?page=N` → {"items": [...], "next": N|null}."""

    provider = "fakehttp"
    label = "Fake HTTP"
    default_base_url = "https://fakehttp.example.com"
    credential_form = FakeForm

    def iter_pages(self, ctx) -> Iterator[Page]:
        page = 1
        while page:
            data = self.http.request_json(
                "GET",
                f"{self.base_url}/docs",
                params={"page": page},
                headers={"Authorization": f"Bearer {self.credentials.get('token', '')}"},
            )
            records = [
                make_record(int(item["id"]), title=item.get("title", f"Doc {item['id']}"))
                for item in data["items"]
            ]
            yield Page(records)
            page = data.get("next")

    def check_connection(self) -> str:
        self.http.request_json("GET", f"{self.base_url}/docs", params={"page": 1})
        return "ok"


class FakeOAuthForm(ProviderForm):
    client_id = forms.CharField(required=False)
    client_secret = forms.CharField(required=False, widget=forms.PasswordInput)
    access_token = forms.CharField(required=False, widget=forms.PasswordInput)
    refresh_token = forms.CharField(required=False, widget=forms.PasswordInput)
    authorize_url = forms.CharField(required=False)
    token_url = forms.CharField(required=False)
    credential_fields = ("client_id", "client_secret", "access_token", "refresh_token")
    option_fields = ("authorize_url", "token_url")
    secret_fields = ("client_secret", "access_token", "refresh_token")
    console_url = "https://fake.example.com/console"
    console_label = "the fake provider's console"

    def clean(self):
        data = super().clean()
        if not data.get("access_token") and not (
            data.get("client_id") and data.get("client_secret")
        ):
            raise forms.ValidationError("Give client_id and client_secret, or an access_token.")
        return data

    @classmethod
    def awaits_connect(cls, credentials, options) -> bool:
        return not credentials.get("access_token")


class FakeOAuthFlow(ConnectFlow):
    """Points at a tests.oauth_provider.FakeOAuthProvider through the options."""

    name = "Fake OAuth"
    pkce = True

    def app(self) -> OAuthApp:
        creds = self.require("client_id", "client_secret")
        base = self.account.base_url.rstrip("/")
        return OAuthApp(
            authorize_url=self.option("authorize_url") or f"{base}/authorize",
            token_url=self.option("token_url") or f"{base}/token",
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            scope="documents.read offline_access",
        )

    def grant(self, token, params) -> Grant:
        return Grant(
            {"access_token": token["access_token"], "refresh_token": token.get("refresh_token")}
        )


@registry.register
class FakeOAuthConnector(Connector):
    """Lists `GET {base}/api/documents` with the Bearer token the connect flow stored."""

    provider = "fakeoauth"
    label = "Fake OAuth"
    default_base_url = "http://127.0.0.1:9"
    credential_form = FakeOAuthForm
    connect_flow = FakeOAuthFlow
    receives_webhooks = True

    def _get(self):
        return self.http.request_json(
            "GET",
            f"{self.base_url}/api/documents",
            headers={"Authorization": f"Bearer {self.credentials.get('access_token', '')}"},
        )

    def iter_pages(self, ctx) -> Iterator[Page]:
        data = self._get()
        yield Page([make_record(int(d["id"]), title=d["title"]) for d in data["documents"]])

    def check_connection(self) -> str:
        data = self._get()
        return f"signed in as {data['user']}"


class FakePortalFlow(FakeOAuthFlow):
    """An app install in the style of Bitrix24: POST `portal` + `token` (page if PLACEMENT)."""

    name = "Fake Portal"
    supports_install = True
    install_scripts = ("https://sdk.fake.example/api/v1/",)

    def install(self, request) -> Installed:
        portal = request.POST.get("portal", "")
        mine = urlsplit(self.account.base_url).hostname
        if portal != mine:
            raise ConnectError(f"This install is for {portal!r}, not {mine}.", status=403)
        grant = Grant({"access_token": request.POST.get("token", "")})
        page = "PLACEMENT" in request.POST
        return Installed(grant, page=page, frame_origin=f"https://{portal}" if page else "")


@registry.register
class FakePortalConnector(FakeOAuthConnector):
    provider = "fakeportal"
    label = "Fake Portal"
    connect_flow = FakePortalFlow
