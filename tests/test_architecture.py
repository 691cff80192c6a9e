"""The direction of imports between kehu's apps (issue 12, items 4 and 7; docs/architecture.md).

Every module under ``src/kehu`` is parsed with ``ast`` (nothing is imported). An app may import ``core``
and the apps listed before it in ``LAYERS``; the modules directly in ``kehu/`` (``api``, ``urls``,
``cli``, ``demo``, ``settings``, ...) are the top and may import any app. Imports inside functions count
(they are where cycles hide), and so does ``import_module("kehu....")`` with a constant name.

``KNOWN_VIOLATIONS`` lists the upward imports that exist today, each with its reason. The test fails on
any upward import not listed, and on a listed one that is gone, so the list can only shrink.

``apps.get_model("label", "Model")`` is not an import: it is the accepted way for a lower app to read a
model of a higher one where it needs nothing else of that app. It is still a dependency, so the upward
ones are listed too (``UPWARD_MODEL_LOOKUPS``), under the same rule. Model relations
(``ForeignKey("label.Model")``) must point down or sideways within the app, with no exception.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "kehu"

# Lowest first. An app may import the apps before it, never one after it.
LAYERS = [
    "core",  # users, org units, scope, audit, params, the business calendar, registries (nav, inbox, scheduler)
    "customers",  # the archive and admission; the customer page's registry (customers.overview)
    "bulk",  # import/export of customers; the export-column and importer registries
    "outbox",  # messages and signed links; depends only on core
    "helpdesk",  # tickets; their clocks run on the business calendar, which is core's (kehu.core.calendar)
    "trade",  # trade facts: sales, orders, deliveries, invoices, payments (the credit check plugs in: trade.hooks)
    "grading",  # reads trade facts; tells the apps above that a run closed (grading.signals.run_closed)
    "tradecredit",  # limits by grade, the order lifecycle under the credit check, holds and releases
    "credit",  # bank credit lines
    "exposure",  # large-exposure statistics over credit lines
    "accounts",
    "activities",
    "suitability",
    "reception",
    "surveys",  # surveys after helpdesk tickets and reception visits
    "staff",  # monthly scorecards of service staff from helpdesk, reception and survey data
    "backup",
    "privacy",  # erasure and access requests over every app; registers backup hooks
]
TOP = "kehu"  # kehu/api.py, urls.py, cli.py, demo.py, settings.py, wsgi.py, asgi.py, conf.py, __init__.py

# (importing file relative to src/kehu, imported module) -> why it is still there.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}

# (file relative to src/kehu, "label.Model") -> why a lower app reads that model of a higher one.
UPWARD_MODEL_LOOKUPS: dict[tuple[str, str], str] = {}


def _rank(app: str) -> int:
    return len(LAYERS) if app == TOP else LAYERS.index(app)


def _module_parts(path: Path) -> list[str]:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "kehu":
        return None
    if len(parts) == 1 or parts[1] not in LAYERS:
        return TOP
    return parts[1]


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imported_modules(path: Path, tree: ast.Module | None = None) -> list[tuple[int, str]]:
    """Every ``kehu`` module the file imports, at any depth of the syntax tree."""
    tree = tree or _tree(path)
    here = _module_parts(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module in ("kehu",) or node.module is None:
                # ``from kehu import conf`` / ``from . import services``: the names are modules.
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if (name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                found.append((node.lineno, node.args[0].value))
    return [(line, module) for line, module in found if module == "kehu" or module.startswith("kehu.")]


def _model_references(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``apps.get_model("label", "Model")`` lookups and ``ForeignKey("label.Model")``-style relations."""
    tree = _tree(path)
    lookups: list[tuple[int, str]] = []
    relations: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name == "get_model" and len(args) == 2 and args[0] is not None:
            lookups.append((node.lineno, f"{args[0]}.{args[1] or '*'}"))  # * : the model's name is computed
        elif name in ("ForeignKey", "OneToOneField", "ManyToManyField") and args and "." in (args[0] or ""):
            relations.append((node.lineno, args[0]))
    return lookups, relations


def _python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _upward_imports() -> dict[tuple[str, str], list[int]]:
    upward: dict[tuple[str, str], list[int]] = {}
    for path in _python_files():
        source_app = _app_of(".".join(_module_parts(path)))
        for line, module in _imported_modules(path):
            target_app = _app_of(module)
            if target_app is not None and _rank(target_app) > _rank(source_app):
                key = (path.relative_to(PACKAGE).as_posix(), module)
                upward.setdefault(key, []).append(line)
    return upward


def _upward_model_references() -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], list[int]]]:
    lookups: dict[tuple[str, str], list[int]] = {}
    relations: dict[tuple[str, str], list[int]] = {}
    for path in _python_files():
        source_app = _app_of(".".join(_module_parts(path)))
        found_lookups, found_relations = _model_references(path)
        for found, into in ((found_lookups, lookups), (found_relations, relations)):
            for line, model in found:
                label = model.split(".")[0]
                if label in LAYERS and _rank(label) > _rank(source_app):
                    into.setdefault((path.relative_to(PACKAGE).as_posix(), model), []).append(line)
    return lookups, relations


def test_every_app_has_a_place_in_the_layers():
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    assert apps - set(LAYERS) == set(), "add the new app to LAYERS in tests/test_architecture.py"
    assert set(LAYERS) - apps == set()


def test_no_app_imports_an_app_above_it():
    upward = _upward_imports()
    new = {key: lines for key, lines in upward.items() if key not in KNOWN_VIOLATIONS}
    assert not new, "imports of an app above the importing one (see docs/architecture.md):\n" + "\n".join(
        f"  kehu/{file}:{','.join(map(str, lines))} imports {module}" for (file, module), lines in sorted(new.items()))


def test_known_violations_only_shrink():
    gone = set(KNOWN_VIOLATIONS) - set(_upward_imports())
    assert not gone, "these are fixed; remove them from KNOWN_VIOLATIONS and docs/architecture.md: " + repr(gone)


def test_model_relations_point_down():
    _, relations = _upward_model_references()
    assert not relations, relations


def test_upward_model_lookups_are_listed_and_only_shrink():
    lookups, _ = _upward_model_references()
    assert set(lookups) - set(UPWARD_MODEL_LOOKUPS) == set(), "a lower app reads a higher app's model by name"
    assert set(UPWARD_MODEL_LOOKUPS) - set(lookups) == set(), "fixed: remove it from UPWARD_MODEL_LOOKUPS"


def test_the_model_scanner_finds_lookups_and_relations(tmp_path):
    lookups, relations = _model_references(PACKAGE / "surveys" / "models.py")
    assert "helpdesk.Ticket" in [m for _, m in relations]
    # No module reads a model by name any more (grading and trade credit import what they read).
    source = tmp_path / "lookup.py"
    source.write_text('from django.apps import apps\n\ndef f():\n    return apps.get_model("grading", "GradeResult")\n')
    lookups, _ = _model_references(source)
    assert [m for _, m in lookups] == ["grading.GradeResult"]


@pytest.mark.parametrize("source, expected", [
    ("from kehu.helpdesk.services import ticket_open\n", "kehu.helpdesk.services"),
    ("def f():\n    from kehu.api import BearerAuth\n", "kehu.api"),
    ("import kehu.trade.services\n", "kehu.trade.services"),
    ("from importlib import import_module\nimport_module('kehu.grading.rules')\n", "kehu.grading.rules"),
    ("from kehu import conf\n", "kehu.conf"),
])
def test_the_scanner_finds_every_form_of_import(source, expected):
    """The scanner itself, on the forms of import the apps use (so the direction test cannot pass empty)."""
    assert expected in [m for _, m in _imported_modules(PACKAGE / "core" / "_probe.py", ast.parse(source))]


def test_relative_imports_resolve_to_their_package():
    """``from . import permissions as P`` inside a function of a module of kehu/helpdesk is
    kehu.helpdesk.permissions (a probe: the apps' own modules import absolutely)."""
    source = ast.parse("def f():\n    from . import permissions as P\n")
    assert "kehu.helpdesk.permissions" in [m for _, m in _imported_modules(PACKAGE / "helpdesk" / "api.py", source)]


# ------------------------------------------------------------------ private names and the blind index
# (issue 12, item 2: customers owns its write path.) A module's private (underscore) names are for its own app:
# the archive's write steps other apps need are public in kehu.customers.services.build, the audit log's in
# kehu.core.audit. The blind index of a customer's ID number is computed in one place,
# kehu.customers.blind_index; kehu.core holds the key ring and re-keys the column in a key rotation.

# Module (and everything under it) -> the app whose modules may use its private names.
PRIVATE_TO = {"kehu.customers": "customers", "kehu.core.audit": "core"}
BLIND_INDEX_METHODS = {"blind_index", "blind_indexes"}
BLIND_INDEX_ALLOWED = ("kehu.core", "kehu.customers.blind_index")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


def _owner_of(module: str) -> str | None:
    for prefix, app in PRIVATE_TO.items():
        if module == prefix or module.startswith(prefix + "."):
            return app
    return None


def _is_module(dotted: str) -> bool:
    base = SRC.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _from_module(path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    here = _module_parts(path)
    package = here if path.name == "__init__.py" else here[:-1]
    base = ".".join(package[: len(package) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None if the chain does not start at a plain name."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    return [node.id, *reversed(names)] if isinstance(node, ast.Name) else None


def _private_uses(path: Path, tree: ast.Module | None = None) -> list[tuple[int, str]]:
    """The private names of ``PRIVATE_TO`` modules the file uses: imported by name (``from m import _f``) or
    reached through a module bound by an import (``archive._f(...)``, ``kehu.core.audit._f``), at any depth."""
    tree = tree or _tree(path)
    modules: dict[str, str] = {}  # local name -> the kehu module it is bound to
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "kehu":
                    local = alias.asname or alias.name.split(".")[0]
                    modules[local] = alias.name if alias.asname else "kehu"
        elif isinstance(node, ast.ImportFrom):
            module = _from_module(path, node)
            for alias in node.names:
                full = f"{module}.{alias.name}"
                if _private(alias.name) and _owner_of(module):
                    found.append((node.lineno, full))
                elif full.startswith("kehu.") and _is_module(full):
                    modules[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain = _dotted(node.value)
        if not chain or chain[0] not in modules:
            continue
        base = ".".join([modules[chain[0]], *chain[1:]])
        if _is_module(base) and _owner_of(base):
            found.append((node.lineno, f"{base}.{node.attr}"))
    return found


def _blind_index_uses(path: Path, tree: ast.Module | None = None) -> list[int]:
    tree = tree or _tree(path)
    return [node.lineno for node in ast.walk(tree)
            if (isinstance(node, ast.Attribute) and node.attr in BLIND_INDEX_METHODS)
            or (isinstance(node, ast.ImportFrom) and any(a.name in BLIND_INDEX_METHODS for a in node.names))]


def test_no_app_uses_private_names_of_customers_or_the_audit_log():
    bad = []
    for path in _python_files():
        app = _app_of(".".join(_module_parts(path)))
        bad += [f"  kehu/{path.relative_to(PACKAGE).as_posix()}:{line} uses {name}"
                for line, name in _private_uses(path) if _owner_of(name) != app]
    bad.sort()
    assert not bad, ("private names used outside their app; make the step public (kehu.customers.services.build, "
                     "kehu.core.audit):\n" + "\n".join(bad))


def test_only_customers_blind_index_computes_the_id_number_index():
    bad = []
    for path in _python_files():
        module = ".".join(_module_parts(path))
        if any(module == m or module.startswith(m + ".") for m in BLIND_INDEX_ALLOWED):
            continue
        bad += [f"  kehu/{path.relative_to(PACKAGE).as_posix()}:{line}" for line in _blind_index_uses(path)]
    bad.sort()
    assert not bad, ("blind indexes computed outside kehu.customers.blind_index (use set_id_number_hash, "
                     "id_number_filter, id_number_indexes):\n" + "\n".join(bad))


@pytest.mark.parametrize("source, expected", [
    ("from kehu.customers.services import archive\narchive._set_name(c, 'x')\n",
     "kehu.customers.services.archive._set_name"),
    ("from kehu.customers.services.archive import _set_name\n", "kehu.customers.services.archive._set_name"),
    ("import kehu.customers.services.archive\nkehu.customers.services.archive._audit_view(c)\n",
     "kehu.customers.services.archive._audit_view"),
    ("import kehu.customers.services.archive as a\na._audit_view(c)\n", "kehu.customers.services.archive._audit_view"),
    ("from kehu.customers import services\nservices.archive._org_for_create(u, None)\n",
     "kehu.customers.services.archive._org_for_create"),
    ("def f():\n    from kehu.core.audit import _normalise\n", "kehu.core.audit._normalise"),
    ("from kehu.core import audit\naudit._normalise({})\n", "kehu.core.audit._normalise"),
    ("from ..customers.services import archive\narchive._clean_identity('', {})\n",
     "kehu.customers.services.archive._clean_identity"),
])
def test_the_private_name_scanner_finds_every_form_of_use(source, expected):
    assert expected in [n for _, n in _private_uses(PACKAGE / "bulk" / "_probe.py", ast.parse(source))]


@pytest.mark.parametrize("source", [
    "from kehu.customers.services import archive, build\narchive.customer_create()\nbuild.set_name(c, 'x')\n",
    "from kehu.core.audit import audit_record, normalise_values\n",
    "from kehu.bulk import writes\nwrites._private_helper()\n",  # not a module PRIVATE_TO guards
    "from kehu.customers.services import archive\narchive.__name__\n",
])
def test_the_private_name_scanner_passes_public_names(source):
    assert _private_uses(PACKAGE / "bulk" / "_probe.py", ast.parse(source)) == []


def test_the_blind_index_scanner_finds_calls():
    assert _blind_index_uses(PACKAGE / "trade" / "_probe.py", ast.parse(
        "from kehu.core.crypto import keyring\nx = keyring().blind_indexes(n)\ny = ring.blind_index(n)\n")) == [2, 3]


# ------------------------------------------------------------------ imports inside functions
# (issue 12, item 4.) An import inside a function hides a dependency and, often, a cycle. One is allowed
# only where a comment says why: on the import's line, or on the line just before it or before the group of
# imports it belongs to. ``AppConfig.ready()`` is exempt: Django imports apps.py before the models exist.


def _unexplained_function_imports(path: Path, source: str | None = None) -> list[int]:
    text = source if source is not None else path.read_text(encoding="utf-8")
    lines = text.split("\n")
    tree = ast.parse(text)
    found: set[int] = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if path.name == "apps.py" and func.name == "ready":
            continue
        for node in ast.walk(func):
            if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in found:
                continue
            line = lines[node.lineno - 1]
            if "#" in line:
                continue
            indent = len(line) - len(line.lstrip())
            above = node.lineno - 2
            while (above >= 0 and lines[above].strip().startswith(("import ", "from "))
                   and len(lines[above]) - len(lines[above].lstrip()) == indent):
                above -= 1
            if above >= 0 and lines[above].strip().startswith("#"):
                continue
            found.add(node.lineno)
    return sorted(found)


def test_every_import_inside_a_function_says_why():
    unexplained = {str(path.relative_to(PACKAGE)): lines for path in _python_files()
                   if (lines := _unexplained_function_imports(path))}
    assert unexplained == {}, "move these imports to the top of their module, or say in a comment why not"


def test_the_function_import_scanner_finds_an_unexplained_import():
    source = ("def f():\n    import json\n\n\ndef g():\n    # heavy: only this path needs it\n    import csv\n"
              "    import zlib\n\n\ndef h():\n    import io  # why\n")
    assert _unexplained_function_imports(PACKAGE / "core" / "_probe.py", source) == [2]


# ------------------------------------------------------------------ one layout
# (issue 12, item 5.) Each kind of code of an app is in the file of its name (docs/architecture.md, Layers):
# permission classes in permissions.py, audit event codes in events.py, rule parameters in params.py, domain
# errors in errors.py, the API router in api.py. An app has no file for a kind it has none of (the outbox has
# no pages, so no views.py). Core is the toolkit: its feature modules (audit, jobs, scheduler, inputs) keep
# their own event codes and parameters beside the code that reads them.

ERROR_BASES = {"DomainError", "Conflict", "InvalidInput", "PermissionDenied", "NotFound", "InvalidTransition"}
HOME = {"permission class": "permissions.py", "event codes": "events.py", "rule parameter": "params.py",
        "domain error": "errors.py", "API router": "api.py"}


def _kinds_in(tree: ast.Module) -> set[str]:
    kinds = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                     for b in node.bases}
            if not bases and node.name.endswith("Perm"):
                kinds.add("permission class")
            if not bases and node.name.endswith("Event"):
                kinds.add("event codes")
            if bases & ERROR_BASES:
                kinds.add("domain error")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "ParamSpec":
                kinds.add("rule parameter")
            elif node.func.id == "Router":
                kinds.add("API router")
    return kinds


def test_each_kind_of_code_is_in_the_file_of_its_name():
    misplaced = []
    for path in _python_files():
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or parts[0] not in LAYERS or parts[0] == "core":
            continue
        for kind in _kinds_in(_tree(path)):
            if path.name != HOME[kind]:
                misplaced.append(f"{path.relative_to(PACKAGE)}: {kind} belongs in {HOME[kind]}")
    assert misplaced == []


def test_the_layout_scanner_finds_each_kind():
    source = ("class XPerm:\n    VIEW = 'x.view'\nclass XEvent:\n    DONE = 1\nclass Gone(NotFound):\n    code = 'g'\n"
              "PARAMS = [ParamSpec('x.a', 1)]\nrouter = Router()\n")
    assert _kinds_in(ast.parse(source)) == set(HOME)
