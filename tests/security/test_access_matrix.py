"""Access matrix: every URL that lists, counts, exports, downloads or shows a document or a
signature, tried by two reviewers of different groups against two accounts — zero leaks.

URLs are discovered from the URLconf at test time, so views added later are covered too.
Documents of each account carry a marker (ALPHALEAK / BRAVOLEAK) in their title and id;
a response for a user must never contain the other account's marker, and a view keyed by
another account's document must answer 404.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

SKIP_PREFIXES = ("admin/", "sandbox/", "login/", "logout/", "static/", "healthz", "readyz")
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass
class Route:
    route: str
    params: list[tuple[str, str]]  # (converter, name)


def walk(patterns, prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if route.startswith("^") or "(?P" in route:
                continue  # regex routes (none of ours)
            yield Route(route, [(c or "str", n) for c, n in PARAM.findall(route)])


def routes() -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if not r.route.startswith(SKIP_PREFIXES)]


DOC_KEYS = ("pk", "id", "document_id", "doc_id", "document")


def fill(route: Route, doc) -> str | None:
    """The URL of `route` aimed at `doc` (or its account), or None if keyed by neither."""
    on_documents = route.route.startswith("documents/")
    on_accounts = route.route.startswith("accounts/")
    if not (on_documents or on_accounts):
        return None  # e.g. signatures/<pk>: keyed by something else (see the test below)
    values = {}
    for converter, name in route.params:
        if converter == "int" and name in DOC_KEYS:
            values[name] = str(doc.pk if on_documents else doc.account_id)
        elif name in ("file_key", "key", "file"):
            values[name] = doc.files[0]["key"]
        elif name == "external_id":
            values[name] = doc.external_id
        elif converter == "int" and name == "account_id":
            values[name] = str(doc.account_id)
        else:
            return None
    return "/" + PARAM.sub(lambda m: values[m.group(2)], route.route)


def read(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    if data[:2] == b"PK":  # a ZIP: look at its names and manifest
        import io
        import zipfile

        archive = zipfile.ZipFile(io.BytesIO(data))
        text = " ".join(archive.namelist())
        return text + " ".join(
            archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
        )
    return data.decode("utf-8", "replace")


def request(client: Client, url: str, htmx: bool = False, **params):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(url, params, headers=headers)
    if response.status_code == 405:
        response = client.post(url, params, headers=headers)
    return response


@pytest.fixture
def clients(world):
    made = {}
    for user in (world.alice, world.bob):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        made[user.username] = client
    return made


def _check(body: str, other_marks: tuple[str, ...], where: str, leaks: list[str]) -> None:
    for mark in other_marks:
        if mark.lower() in body.lower():
            leaks.append(f"{where}: shows {mark}")


def test_discovery_finds_the_core_urls():
    found = {r.route for r in routes()}
    assert "documents/<int:pk>/download/<str:file_key>" in found
    assert "documents/evidence-pack/" in found
    assert "documents/" in found


def test_no_url_leaks_documents_of_an_account_the_user_cannot_see(world, clients):
    # Markers that a request never echoes back (ids are searched for, titles are not).
    accounts = {
        "alice": (
            world.docs_a,
            world.docs_b,
            ("Bravoleak title", "ann.bravoleak", "Account Bravo"),
        ),
        "bob": (world.docs_b, world.docs_a, ("Alphaleak title", "ann.alphaleak", "Account Alpha")),
    }
    leaks: list[str] = []
    errors: list[str] = []
    tried = 0
    for username, (own, others, marks) in accounts.items():
        client = clients[username]
        for route in routes():
            if route.params:
                for doc in [*own, *others]:
                    url = fill(route, doc)
                    if url is None:
                        continue
                    tried += 1
                    response = request(client, url)
                    where = f"{username} GET {url}"
                    if response.status_code >= 500:
                        errors.append(f"{where}: {response.status_code}")
                        continue
                    if doc in others and response.status_code != 404:
                        leaks.append(f"{where}: {response.status_code} instead of 404")
                    _check(read(response), marks, where, leaks)
                continue
            # Lists, counts, exports, APIs: plain, then with every document-ish parameter
            # pointing at the other account.
            url = "/" + route.route
            variants = [{}]
            for doc in others[:1]:
                variants += [
                    {"account": doc.account_id},
                    {"q": doc.external_id},
                    {"document": doc.external_id},
                    {"document": doc.pk},
                    {"ids": doc.pk, "scope": "selected"},
                    {"scope": "filter", "confirm": "1", "account": doc.account_id},
                ]
            # Each also as an HTMX partial request (the fragments must filter too).
            for params, htmx in [(p, h) for p in variants for h in (False, True)]:
                tried += 1
                response = request(client, url, htmx=htmx, **params)
                where = f"{username} {url} {params}{' (htmx)' if htmx else ''}"
                if response.status_code >= 500:
                    errors.append(f"{where}: {response.status_code}")
                    continue
                _check(read(response), marks, where, leaks)
    assert tried > 20
    if errors:
        warnings.warn("Server errors (not leaks): " + "; ".join(errors[:10]), stacklevel=1)
    assert leaks == []


def test_own_documents_are_reachable(world, clients):
    """The matrix is only meaningful if a reviewer does see their own account."""
    client = clients["alice"]
    body = read(client.get("/documents/"))
    assert "Alphaleak" in body or "ALPHALEAK" in body
    for route in routes():
        url = fill(route, world.docs_a[0]) if route.params else None
        if url is not None:
            response = request(client, url)
            assert response.status_code != 404, url
            read(response)


def test_the_signature_viewer_is_scoped_to_visible_accounts(world, clients):
    from signhub.persist.models import Signature, SignatureChain

    other = world.docs_b[0]
    sig = Signature.objects.create(
        chain=SignatureChain.objects.create(document=other.external_id, thread="t"),
        version=1,
        blob=b"x",
        kind="p7s",
        sha256="0" * 64,
        size=1,
    )
    client = clients["alice"]
    leaks = []
    for route in routes():
        if not route.route.startswith(("signatures", "persist/signature")):
            continue
        url = "/" + PARAM.sub(str(sig.pk), route.route)
        for params in ({}, {"document": other.external_id}):
            response = request(client, url, **params)
            body = read(response) if response.status_code < 400 else ""
            # A filter box echoes what the user typed; a leak is the signature itself.
            shown = f"/signatures/{sig.pk}/" in body or (
                str(sig.pk) in url and response.status_code < 400
            )
            if shown:
                leaks.append(f"{url} {params}")
    assert leaks == []
