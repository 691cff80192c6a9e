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
    "trade",  # trade facts and trade credit in one app until issue 12 item 3 splits it
    "grading",  # reads trade facts; asks trade to recalculate limits after a run
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
UPWARD_MODEL_LOOKUPS: dict[tuple[str, str], str] = {
    ("trade/services/credit/limits.py", "grading.GradeResult"):
        "trade credit limits follow the grade; goes when trade credit becomes its own app above grading",
}


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


def test_the_model_scanner_finds_lookups_and_relations():
    lookups, relations = _model_references(PACKAGE / "surveys" / "models.py")
    assert "helpdesk.Ticket" in [m for _, m in relations]
    lookups, _ = _model_references(PACKAGE / "grading" / "services" / "run.py")
    assert lookups and all(m.startswith("trade.") for _, m in lookups)


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
