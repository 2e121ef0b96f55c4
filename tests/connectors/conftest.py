"""Fixtures for the checks every connector app passes: the shape test and the contract tests.

`connector_class` is parametrized over every registered connector app under
signhub/connectors/ plus `template`: the `_template` folder copied to a fresh package
outside the repository and installed as is — what the README's "Adding a provider" asks.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.urls import include, path

import signhub.connectors
from signhub.core.accounts import AccountInput, create_account
from signhub.core.http import throttle
from signhub.core.models import ProviderAccount
from signhub.core.registry import registry

TEMPLATE = Path(signhub.connectors.__file__).parent / "_template"
COPY = "acme_copy"  # the package the template is copied to
BUILT_IN = sorted(
    c.provider for c in registry.all() if c.__module__.startswith("signhub.connectors.")
)
APPS = [*BUILT_IN, "template"]


@pytest.fixture(scope="session", autouse=True)
def _live_server_without_nagle():
    """Django's live server writes a response's headers and body in two sends; with Nagle's
    algorithm on, a keep-alive client waits out its delayed ACK (40 ms) on every request.
    Hundreds of sandbox requests per sync made that most of the connector tests' time."""
    from django.core.servers.basehttp import WSGIRequestHandler

    original = WSGIRequestHandler.setup

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        original(self)

    WSGIRequestHandler.setup = setup
    yield
    WSGIRequestHandler.setup = original


@pytest.fixture(autouse=True)
def _fresh_throttles():
    throttle.reset()
    yield
    throttle.reset()


@pytest.fixture(scope="session")
def template_copy(tmp_path_factory) -> Iterator[str]:
    """`signhub/connectors/_template/` copied, untouched, to a package of its own."""
    root = tmp_path_factory.mktemp("new-provider")
    shutil.copytree(TEMPLATE, root / COPY, ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(root))
    yield COPY
    sys.path.remove(str(root))


@pytest.fixture
def copied_template(template_copy, settings) -> Iterator[type]:
    """The copy added to INSTALLED_APPS (nothing else): its app registers its connector."""
    before = dict(registry._connectors)
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, template_copy]
    connector = next(c for c in registry.all() if c.__module__ == f"{template_copy}.connector")
    yield connector
    registry._connectors.clear()
    registry._connectors.update(before)
    for name in [m for m in sys.modules if m == template_copy or m.startswith(f"{COPY}.")]:
        del sys.modules[name]  # the next install imports (and registers) it afresh


@pytest.fixture(params=APPS)
def connector_class(request) -> type:
    if request.param == "template":
        return request.getfixturevalue("copied_template")
    return registry.get(request.param)


def package_of(connector_class: type) -> str:
    return connector_class.__module__.rpartition(".")[0]


def sandbox_of(connector_class: type) -> ModuleType:
    return import_module(f"{package_of(connector_class)}.sandbox")


@pytest.fixture
def sandbox_url(connector_class, live_server, settings) -> str:
    """The connector's own sandbox served by the live server, whatever ROOT_URLCONF has."""
    provider = connector_class.provider
    urls = ModuleType(f"contract_urls_{provider}")
    module = sandbox_of(connector_class)
    urls.urlpatterns = [
        path(f"sandbox/{provider}/", include((module.urlpatterns, provider), namespace=provider))
    ]
    settings.ROOT_URLCONF = urls
    # 127.0.0.1, not "localhost": no resolver round trip (IPv6 first) on every request.
    return f"{live_server.url.replace('//localhost:', '//127.0.0.1:')}/sandbox/{provider}"


def account_for(connector_class: type, base_url: str, name: str = "") -> ProviderAccount:
    demo = sandbox_of(connector_class).demo_account()
    return create_account(
        AccountInput(
            provider=connector_class.provider,
            name=name or f"{connector_class.provider} contract",
            base_url=base_url,
            credentials=dict(demo["credentials"]),
            options=dict(demo.get("options") or {}),
        )
    )


@pytest.fixture
def sandbox_account(db, connector_class, sandbox_url) -> ProviderAccount:
    return account_for(connector_class, sandbox_url)


class HostileProvider:
    """A loopback server answering every request with one status and one body: a provider
    that is down, refuses everything, or echoes secrets in its error words."""

    def __init__(self) -> None:
        self.status = 500
        self.body: bytes = b"{}"
        self.content_type = "application/json"
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                owner.paths.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                self.send_response(owner.status)
                self.send_header("Content-Type", owner.content_type)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            do_GET = do_POST = do_PUT = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def answer(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile() -> Iterator[HostileProvider]:
    server = HostileProvider()
    yield server
    server.close()
