"""Test connectors for the security suite.

`scripted`: serves per-test scripted files (bytes, an error before the first byte, or a
stream that breaks mid-way). `linkfetch`: fetches a document's `file_url` the way a
Bitrix24-style connector does — `HttpClient.stream`, redirects followed by hand, every hop
checked against the account's hosts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from signhub.core.connector import Connector, FileStream
from signhub.core.errors import ConnectorError
from signhub.core.http import UrlPolicy
from signhub.core.registry import registry
from tests.fakes import FakeForm


class Broken:
    """A file that sends `head` bytes and then fails with `error`."""

    def __init__(self, head: bytes, error: Exception, size: int | None = None) -> None:
        self.head, self.error, self.size = head, error, size


@registry.register
class ScriptedConnector(Connector):
    provider = "scripted"
    label = "Scripted Sign"
    default_base_url = "https://scripted.example.com"
    credential_form = FakeForm
    # (account name, external id, file key) -> bytes | ConnectorError | Broken | callable
    files: ClassVar[dict[tuple[str, str, str], Any]] = {}
    content_type: ClassVar[str] = "application/pdf"
    opened: ClassVar[list[str]] = []
    closed: ClassVar[list[str]] = []

    def iter_pages(self, ctx):
        return iter(())

    def check_connection(self) -> str:
        return "ok"

    def open_file(self, document, file_key) -> FileStream:
        spec = self.files.get((self.account.name, document.external_id, file_key))
        if spec is None:
            spec = f"%PDF-1.7 {document.external_id}/{file_key}".encode()
        key = f"{document.external_id}/{file_key}"
        self.opened.append(key)

        def close() -> None:
            self.closed.append(key)

        if isinstance(spec, ConnectorError):
            # Lazily, like real connectors: the error comes when the first chunk is pulled.
            def failing() -> Iterator[bytes]:
                raise spec
                yield b""  # pragma: no cover

            return FileStream(failing(), self.content_type, "x.pdf", None, close)
        if isinstance(spec, Broken):

            def breaking() -> Iterator[bytes]:
                yield spec.head
                raise spec.error

            return FileStream(breaking(), self.content_type, "x.pdf", spec.size, close)
        if callable(spec):
            return spec(document, file_key, close)
        chunks = [spec[i : i + 7] for i in range(0, len(spec), 7)] or [b""]
        return FileStream(iter(chunks), self.content_type, "x.pdf", len(spec), close)


@registry.register
class LinkFetchConnector(Connector):
    """Downloads `files[].handle.file_url`, following at most 5 redirects by hand."""

    provider = "linkfetch"
    label = "LinkFetch"
    default_base_url = "https://portal.example.com/rest"
    credential_form = FakeForm
    # Hosts the provider documents for redirected downloads (Box: dl.boxcloud.com).
    download_hosts: ClassVar[set[str]] = {"dl.example-cdn.com"}
    max_redirects = 5

    def iter_pages(self, ctx):
        return iter(())

    def check_connection(self) -> str:
        return "ok"

    def open_file(self, document, file_key) -> FileStream:
        file = document.file(file_key) or {}
        url = file.get("handle", {}).get("file_url", "")
        token = self.credentials.get("token", "")
        response = self.http.stream(
            url,
            allowed_hosts=UrlPolicy.for_base_url(self.base_url, *self.download_hosts),
            max_redirects=self.max_redirects,
            params={"auth": token},
            headers={"Authorization": f"Bearer {token}"},
        )
        return FileStream.from_response(response, name=file.get("name", ""))


def reset() -> None:
    ScriptedConnector.files = {}
    ScriptedConnector.content_type = "application/pdf"
    ScriptedConnector.opened = []
    ScriptedConnector.closed = []


OpenFile = Callable[..., FileStream]
