"""No import cycles in signhub/: modules form layers, whichever way an import is written.

Every `import` and `from … import` in every module under signhub/ counts — at module level,
inside functions (a "lazy" import still ties two modules together) and under
`if TYPE_CHECKING:` (a type-only import is still a dependency a reader must follow).
`from package import name` counts as an import of the submodule when `name` is one.
The only imports this cannot see are the two `import_module` calls that load connector
apps by name (the registry's app loading, the sandbox finder): they are listed below.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import signhub

ROOT = Path(signhub.__file__).parent
# Modules that import by computed name, and why that cannot form a cycle with them.
DYNAMIC_IMPORTS = {
    # ConnectorAppConfig.ready imports `<connector app>.connector` when Django loads apps.
    "signhub.core.registry",
    # Finds `<connector app>.sandbox` for the demo and /sandbox/ URLs.
    "signhub.sandbox.registry",
}


def module_names() -> dict[str, Path]:
    names = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(name: str, source: str, known: dict[str, Path], *, package: bool) -> set[str]:
    """The signhub modules `name` (whose code is `source`) imports, in any way."""
    package_name = name if package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package_name.split(".")
                anchor = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in known]
            targets = subs if len(subs) == len(node.names) else [*subs, base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]  # `signhub.core.http.clock.sleep` → module
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    known = module_names()
    return {
        name: imports_of(name, path.read_text(), known, package=path.name == "__init__.py")
        for name, path in known.items()
    }


def test_signhub_has_no_import_cycles():
    graph = import_graph()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
    assert len(order) == len(graph)


def test_the_checker_sees_lazy_type_only_and_relative_imports():
    """The checker itself: it must see the kinds of import a cycle used to hide behind."""
    known = module_names()
    source = """
from typing import TYPE_CHECKING
from . import clock
from ..errors import ConnectorError
if TYPE_CHECKING:
    from signhub.core.models import ProviderAccount
def later():
    from signhub.core.registry import registry
    import signhub.core.status
"""
    found = imports_of("signhub.core.http.client", source, known, package=False)
    assert found == {
        "signhub.core.http.clock",
        "signhub.core.errors",
        "signhub.core.models",
        "signhub.core.registry",
        "signhub.core.status",
    }
    cycle = {"signhub.core.models": {"signhub.core.registry"}, "signhub.core.registry": found}
    try:
        list(TopologicalSorter(cycle).static_order())
    except CycleError:
        pass
    else:  # pragma: no cover - the sorter must see this cycle
        raise AssertionError("a cycle went unnoticed")


def test_only_the_known_modules_import_by_computed_name():
    users = {
        name
        for name, path in module_names().items()
        if "import_module(" in path.read_text() or "__import__(" in path.read_text()
    }
    assert users <= DYNAMIC_IMPORTS
