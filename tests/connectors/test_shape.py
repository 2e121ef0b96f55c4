"""One shape for every connector app: the same modules, the same entry points.

A newcomer who opens any folder under signhub/connectors/ (or copies `_template`) finds
client.py with `<X>Client(http, base_url, auth)`, auth.py with `<X>Auth.call`, errors.py with
the two HttpClient hooks, mapping.py with `to_record`, statuses.py with the one table,
forms.py, sandbox.py and a thin connector.py that wires them. Provider-specific modules
(BoldSign's rate budget, Bitrix24's portal rules…) may sit beside them.
"""

from __future__ import annotations

import ast
import inspect
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

from signhub.core.forms import ProviderForm
from signhub.core.models import ProviderAccount
from signhub.core.registry import ConnectorAppConfig
from signhub.core.status import DocumentStatus, StatusTable

from .conftest import BUILT_IN, package_of, sandbox_of

REQUIRED = (
    "apps",
    "auth",
    "client",
    "connector",
    "errors",
    "forms",
    "mapping",
    "sandbox",
    "statuses",
)


def defined_in(module, suffix: str) -> list[type]:
    return [
        obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and obj.__module__ == module.__name__ and name.endswith(suffix)
    ]


def instance(connector_class):
    demo = sandbox_of(connector_class).demo_account()
    account = ProviderAccount(
        pk=1,
        name="shape",
        provider=connector_class.provider,
        base_url=connector_class.default_base_url,
        credentials=dict(demo["credentials"]),
        options=dict(demo.get("options") or {}),
    )
    return connector_class(account)


def test_the_four_providers_are_built_in():
    assert BUILT_IN == ["bitrix24", "boldsign", "box", "jsign"]


def test_every_connector_app_has_the_same_modules_and_entry_points(connector_class):
    package = package_of(connector_class)
    modules = {name: import_module(f"{package}.{name}") for name in REQUIRED}

    (client_class,) = defined_in(modules["client"], "Client")
    assert list(inspect.signature(client_class).parameters) == ["http", "base_url", "auth"]
    (auth_class,) = defined_in(modules["auth"], "Auth")
    assert callable(auth_class.call)

    errors = modules["errors"]
    assert callable(errors.error_hook) and callable(errors.describe)
    assert callable(modules["mapping"].to_record)

    table = modules["statuses"].STATUSES
    assert isinstance(table, StatusTable) and table.provider == connector_class.provider
    assert connector_class.statuses is table
    assert len(table) and all(v in DocumentStatus.values for v in table.values())

    form = connector_class.credential_form
    assert issubclass(form, ProviderForm) and form.__module__ == modules["forms"].__name__
    sandbox = modules["sandbox"]
    assert sandbox.urlpatterns
    assert set(sandbox.demo_account()) >= {"credentials", "options"}

    assert connector_class.__module__ == modules["connector"].__name__
    assert "make_http" in vars(connector_class)
    config = apps.get_containing_app_config(modules["connector"].__name__)
    assert isinstance(config, ConnectorAppConfig) and config.name == package


def test_a_connector_that_receives_webhooks_verifies_them_in_its_own_module(connector_class):
    """webhooks.py is optional; when present, it is where the connector verifies events."""
    package = package_of(connector_class)
    try:
        module = import_module(f"{package}.webhooks")
    except ModuleNotFoundError:
        assert connector_class.verify_webhook is None
        return
    assert connector_class.receives_webhooks
    assert connector_class.verify_webhook is module.verify
    assert list(inspect.signature(module.verify).parameters) == ["inbound", "credentials", "now"]


def test_the_connector_wires_client_auth_and_hooks_in_one_place(connector_class):
    package = package_of(connector_class)
    errors = import_module(f"{package}.errors")
    connector = instance(connector_class)

    hook = connector.http.error_hook
    assert getattr(hook, "func", hook) is errors.error_hook  # a partial may bind options
    assert connector.http.describe is errors.describe
    assert connector.client.http is connector.http
    assert connector.client.auth.__class__.__module__ == f"{package}.auth"
    assert connector.client.__class__.__module__ == f"{package}.client"


def _module_files(connector_class) -> list[Path]:
    return sorted(Path(import_module(package_of(connector_class)).__file__).parent.glob("*.py"))


def _runtime_imports(tree: ast.AST) -> set[str]:
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for stmt in block.body
        for node in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_connectors_reach_the_index_only_through_the_sync_context(connector_class):
    """No models, no index writer, no ORM: a connector gets documents handed to it
    (open_file) and reads or writes sync data through `ctx` alone."""
    for path in _module_files(connector_class):
        tree = ast.parse(path.read_text())
        imported = _runtime_imports(tree)
        assert not imported & {"signhub.core.models", "signhub.core.index", "django.db"}, path
        assert "objects" not in {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}, (
            f"{path} queries a model"
        )


def test_no_connector_keeps_the_sync_context_on_itself(connector_class):
    for path in _module_files(connector_class):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Assign | ast.AnnAssign):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            on_self = any(
                isinstance(t, ast.Attribute) and ast.unparse(t.value) == "self" for t in targets
            )
            uses_ctx = any(
                isinstance(n, ast.Name) and n.id == "ctx" for n in ast.walk(node.value or node)
            )
            assert not (on_self and uses_ctx), f"{path}:{node.lineno} keeps ctx on self"


@pytest.mark.parametrize("provider", BUILT_IN)
def test_the_entry_points_have_one_name_each(provider):
    """No second spelling left behind (`build_record`, `normalize`, `…Api`)."""
    package = f"signhub.connectors.{provider}"
    for name in ("mapping", "statuses", "client"):
        module = import_module(f"{package}.{name}")
        assert not hasattr(module, "build_record")
        assert not hasattr(module, "normalize") and not hasattr(module, "normalize_status")
        assert not defined_in(module, "Api")
