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
         "ledger.doctor", "ledger.signing", "ledger.fonts", "ledger.mail", "ledger.collector")
CORE = BASE + INFRA + ("ledger.models", "ledger.postings", "ledger.policy", "ledger.context")
LAYERS: dict[str, tuple[str, ...]] = {
    "ledger.domain": BASE,
    "ledger.db": BASE,
    "ledger.migrate": ("ledger.db",),
    "ledger.passwords": (),
    "ledger.signing": (),
    "ledger.mail": (),  # smtplib: the messages' e-mails (ledger.commands.notify sends them)
    "ledger.config": (),
    "ledger.data": (),
    "ledger.doctor": ("ledger.fonts", "ledger.config"),
    "ledger.fonts": (),
    "ledger.collector": (),
    "ledger.models": BASE + ("ledger.db",),
    "ledger.postings": BASE + ("ledger.db", "ledger.models", "ledger.signing", "ledger.collector"),
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
    "ledger.io": BASE + ("ledger.schemas", "ledger.queries", "ledger.commands.inputs",
                         "ledger.collector"),
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
DATABASE = {"sqlalchemy", "alembic"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[tuple[str, Path]]:
    return [(module_name(path), path) for path in sorted(PACKAGE.rglob("*.py"))]


def imports_in(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every module an import statement of `module` names (functions' own imports included),
    relative imports resolved: in ledger.web.login `from . import auth` names ledger.web.auth,
    `from .x import y` ledger.web.x.y."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def imports(path: Path) -> list[str]:
    name = module_name(path)
    return imports_in(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")


def layer_of(module: str) -> str | None:
    return next((layer for layer in sorted(LAYERS, key=len, reverse=True)
                 if module == layer or module.startswith(layer + ".")), None)


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


CASES = [(name, path) for name, path in modules() if name != "ledger"]


def wrong_imports(name: str, targets: list[str]) -> list[str]:
    """The imports of module `name` that break the layer table."""
    layer = layer_of(name)
    assert layer is not None, f"{name} belongs to no layer: add it to LAYERS"
    allowed = LAYERS[layer] + (layer,)
    wrong = []
    for target in targets:
        if target.startswith("ledger."):
            # `from ledger.x import y` names ledger.x.y: y may be a module or a name in ledger.x.
            if not (within(target, allowed) or within(target.rsplit(".", 1)[0], allowed)):
                wrong.append(target)
        elif target == "ledger" or target.startswith("ledger") and "." not in target:
            wrong.append(target)
        top = target.split(".")[0]
        if top in FRAMEWORKS and within(name, NO_FRAMEWORK):
            wrong.append(target)
        if top in DATABASE and within(name, NO_DATABASE):
            wrong.append(target)
    return sorted(set(wrong))


@pytest.mark.parametrize("name,path", CASES, ids=[n for n, _ in CASES])
def test_imports_run_one_way(name, path):
    wrong = wrong_imports(name, imports(path))
    assert not wrong, f"{name} ({layer_of(name)}) may not import {wrong}"


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
    """The check itself can fail: a synthetic domain module that imports upward, absolutely and
    relatively, and a framework and a database is reported for each of them."""
    source = ("import flask\n"
              "from sqlalchemy import select\n"
              "from ledger.commands import agreements\n"
              "from ..policy import Actor\n"
              "from . import money\n"
              "def late():\n"
              "    from ..web import login\n")
    targets = imports_in(source, "ledger.domain.fake")
    assert targets == ["flask", "sqlalchemy.select", "ledger.commands.agreements",
                       "ledger.policy.Actor", "ledger.domain.money", "ledger.web.login"]
    assert wrong_imports("ledger.domain.fake", targets) == [
        "flask", "ledger.commands.agreements", "ledger.policy.Actor", "ledger.web.login",
        "sqlalchemy.select"]
    # An adapter may not import another adapter, even relatively from inside a package.
    assert imports_in("from ..api import support", "ledger.web", is_package=True) == [
        "ledger.api.support"]
    assert wrong_imports("ledger.web", ["ledger.api.support"]) == ["ledger.api.support"]
    assert layer_of("ledger.commands.agreements") == "ledger.commands"
    assert layer_of("ledger.commands.inputs") == "ledger.commands"


# ------------------------------------------------------------------ transitively

NAMES = {name for name, _ in modules()}
PATHS = dict(modules())
# The package root makes the Flask app; importing any module runs it, but no module reaches it
# for a name (test_nothing_imports_the_package_root_for_a_name), so the walk leaves it out.
ROOT_PACKAGE = "ledger"


def module_of(target: str, names=NAMES) -> str | None:
    """The ledger module an import names: `ledger.x.y` is the module ledger.x.y, or the name y
    in ledger.x."""
    for candidate in (target, target.rpartition(".")[0]):
        if candidate in names and candidate != ROOT_PACKAGE:
            return candidate
    return None


def reached_third_party(start: str, graph, names=NAMES) -> dict[str, set[str]]:
    """{ledger module reached from `start`: the third-party top-level packages it imports}."""
    seen, todo, found = set(), [start], {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        targets = graph(name)
        found[name] = {t.split(".")[0] for t in targets if not t.startswith("ledger")}
        todo += [m for m in (module_of(t, names) for t in targets) if m]
    return found


def forbidden_reached(start: str, graph, names=NAMES) -> dict[str, list[str]]:
    """The framework and database packages `start` imports, itself or through ledger modules."""
    bad = FRAMEWORKS | DATABASE
    return {name: sorted(tops & bad)
            for name, tops in reached_third_party(start, graph, names).items() if tops & bad}


def real_graph(name: str) -> list[str]:
    return imports(PATHS[name])


PURE_LAYERS = ("ledger.domain", "ledger.io")
PURE = [name for name in sorted(NAMES) if within(name, PURE_LAYERS)]


@pytest.mark.parametrize("name", PURE)
def test_domain_and_io_reach_no_framework(name):
    """No Flask or click in what domain/ and io/ import, however deep: they run in worker
    processes and tests without an app."""
    reached = forbidden_reached(name, real_graph)
    framework = {m: tops for m, tops in reached.items() if set(tops) & FRAMEWORKS}
    assert framework == {}


def database_doors(name: str, graph=real_graph, names=NAMES) -> set[str]:
    """The modules outside domain/ and io/ through which `name` reaches SQLAlchemy: those that
    a domain or io module it reaches imports directly."""
    doors = set()
    for module in reached_third_party(name, graph, names):
        if not within(module, PURE_LAYERS):
            continue
        for target in graph(module):
            door = module_of(target, names)
            if door and not within(door, PURE_LAYERS) and any(
                    set(tops) & DATABASE for tops in forbidden_reached(door, graph, names).values()):
                doors.add(door)
    return doors


# ledger.io formats the read models of ledger.queries, whose dataclasses live beside the SQL that
# fills them (the statement's body is built from the attribution's): through those it reaches
# SQLAlchemy. Known, and no further: a new door fails, and so does this entry once the read
# models move out.
KNOWN_DATABASE_DOORS = {
    "ledger.io.exports": {"ledger.queries.attribution", "ledger.queries.project_lines",
                          "ledger.queries.statement"},
}


def test_domain_and_io_reach_no_database():
    doors = {name: found for name in PURE if (found := database_doors(name))}
    assert doors == KNOWN_DATABASE_DOORS


def test_the_transitive_check_follows_imports():
    """A domain module importing a harmless one that imports Flask is caught through it."""
    fake = {"ledger.domain.a": ["ledger.domain.b.helper", "re"],
            "ledger.domain.b": ["ledger.domain.c", "json"],
            "ledger.domain.c": ["flask.Flask", "sqlalchemy"]}
    assert module_of("ledger.domain.split.split") == "ledger.domain.split"
    fake["ledger.io.d"] = ["ledger.domain.a", "ledger.queries.e.Row"]
    fake["ledger.queries.e"] = ["ledger.models.f"]
    fake["ledger.models.f"] = ["sqlalchemy.orm"]

    def graph(name):
        return fake.get(name, [])

    names = set(fake)
    reached = reached_third_party("ledger.domain.a", graph, names)
    assert reached == {"ledger.domain.a": {"re"}, "ledger.domain.b": {"json"},
                       "ledger.domain.c": {"flask", "sqlalchemy"}}
    assert forbidden_reached("ledger.domain.a", graph, names) == {
        "ledger.domain.c": ["flask", "sqlalchemy"]}
    assert database_doors("ledger.io.d", graph, names) == {"ledger.queries.e"}
