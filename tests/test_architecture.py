"""The shape of the code (DESIGN.md): imports run one way — adapters → commands and queries →
domain and models — and adapters never import each other. Read from the source with `ast`, so a
new module is checked the day it is added."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ledger"

# Each layer and the ledger modules it may import (its own layer included). Adapters are listed
# one by one: they may not import each other, only the shared Flask glue in ledger.current.
ADAPTERS = ("ledger.api", "ledger.web", "ledger.cli", "ledger.documents")
BASE = ("ledger.domain",)
INFRA = ("ledger.db", "ledger.migrate", "ledger.passwords", "ledger.config", "ledger.data",
         "ledger.doctor", "ledger.signing", "ledger.fonts")
CORE = BASE + INFRA + ("ledger.models", "ledger.postings", "ledger.policy", "ledger.context")
LAYERS: dict[str, tuple[str, ...]] = {
    "ledger.domain": BASE,
    "ledger.db": BASE,
    "ledger.migrate": ("ledger.db",),
    "ledger.passwords": (),
    "ledger.signing": (),
    "ledger.config": (),
    "ledger.data": (),
    "ledger.doctor": ("ledger.fonts",),
    "ledger.fonts": (),
    "ledger.models": BASE + ("ledger.db",),
    "ledger.postings": BASE + ("ledger.db", "ledger.models", "ledger.signing"),
    "ledger.policy": BASE + ("ledger.models",),
    "ledger.context": BASE + ("ledger.db", "ledger.policy", "ledger.config"),
    "ledger.queries": CORE,
    "ledger.commands": CORE + ("ledger.queries",),
    # ledger.fonts: a kept text must be printable by the documents' fonts (their coverage).
    "ledger.schemas": BASE + ("ledger.commands.inputs", "ledger.fonts"),
    # ... and the one PDF download of a document (counted, issued, rendered) they all serve.
    "ledger.current": BASE + ("ledger.context", "ledger.db", "ledger.policy", "ledger.documents",
                              "ledger.throttle"),
    # Request throttles: logins (one rule for the API and the web pages), the public pages.
    "ledger.throttle": BASE,
    # Files in and out (CSV, XLSX): read models → file bytes, file bytes → typed input. Shared
    # by the delivery adapters below, so it knows neither Flask nor the database.
    "ledger.io": BASE + ("ledger.schemas", "ledger.queries", "ledger.commands.inputs"),
}
# Adapters never reach the models or the ledger engine directly.
ADAPTER_MAY_IMPORT = tuple(m for m in CORE if m not in ("ledger.models", "ledger.postings")) + (
    "ledger.queries", "ledger.commands", "ledger.schemas", "ledger.current", "ledger.io",
    "ledger.throttle")
for _adapter in ADAPTERS:
    LAYERS[_adapter] = ADAPTER_MAY_IMPORT
# The documents package renders for the adapters that serve its PDFs (API, command line, web
# pages): they may call it; it calls none of them and needs no web framework (worker processes
# render without an app).
for _adapter in ("ledger.api", "ledger.web", "ledger.cli"):
    LAYERS[_adapter] = ADAPTER_MAY_IMPORT + ("ledger.documents",)
# Third-party packages that only some layers may use.
FRAMEWORKS = {"flask", "flask_smorest", "flask_limiter", "limits", "flask_babel", "werkzeug", "click"}
NO_FRAMEWORK = ("ledger.domain", "ledger.models", "ledger.postings", "ledger.policy",
                "ledger.context", "ledger.queries", "ledger.commands", "ledger.schemas", "ledger.db",
                "ledger.io", "ledger.documents", "ledger.fonts")
NO_DATABASE = ("ledger.domain", "ledger.schemas", "ledger.io")


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.append((name, path))
    return out


def imports(path: Path) -> list[str]:
    """Every module an import statement names (functions' own imports included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def layer_of(module: str) -> str | None:
    return next((layer for layer in sorted(LAYERS, key=len, reverse=True)
                 if module == layer or module.startswith(layer + ".")), None)


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


CASES = [(name, path) for name, path in modules() if name != "ledger"]


@pytest.mark.parametrize("name,path", CASES, ids=[n for n, _ in CASES])
def test_imports_run_one_way(name, path):
    layer = layer_of(name)
    assert layer is not None, f"{name} belongs to no layer: add it to LAYERS"
    allowed = LAYERS[layer] + (layer,)
    wrong = []
    for target in imports(path):
        if target.startswith("ledger."):
            # `from ledger.x import y` names ledger.x.y: y may be a module or a name in ledger.x.
            if not (within(target, allowed) or within(target.rsplit(".", 1)[0], allowed)):
                wrong.append(target)
        elif target == "ledger" or target.startswith("ledger") and "." not in target:
            wrong.append(target)
        top = target.split(".")[0]
        if top in FRAMEWORKS and within(name, NO_FRAMEWORK):
            wrong.append(target)
        if top in ("sqlalchemy", "alembic") and within(name, NO_DATABASE):
            wrong.append(target)
    assert not wrong, f"{name} ({layer}) may not import {sorted(set(wrong))}"


def test_nothing_imports_the_package_root_for_a_name():
    """The package root only makes the app (and the `ledger` command on it): no module of the
    package reaches back up to it for a session, a helper or the app."""
    offenders = []
    for name, path in CASES:
        for target in imports(path):
            head, _, rest = target.partition(".")
            is_module = (PACKAGE / rest).exists() or (PACKAGE / f"{rest}.py").exists()
            if head == "ledger" and rest and "." not in rest and not is_module:
                offenders.append(f"{name} → {target}")
    assert offenders == []


def test_the_layer_table_is_checked():
    """The check itself can fail: a domain module importing Flask is caught."""
    assert within("ledger.domain.money", NO_FRAMEWORK)
    assert not within("ledger.api.support", LAYERS["ledger.commands"])
    assert layer_of("ledger.commands.agreements") == "ledger.commands"
    assert layer_of("ledger.commands.inputs") == "ledger.commands"
