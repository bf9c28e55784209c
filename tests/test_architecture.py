"""The layout holds (docs/architecture.md, The layout): apps import each other only downwards,
no module grows past 600 lines, and no code outside the payment providers branches on a
provider's key. Read from the source with `ast`, so nothing has to run to be checked."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "core",
    "municipalities",
    "identity",
    "catalog",
    "payments",
    "legal",
    "cases",
    "citizen",
    "district",
    "portal",
)
HISTORY = ("services",)  # the retired app: migrations only
# Which apps each app may import; the diagram in docs/architecture.md draws exactly this.
ALLOWED: dict[str, set[str]] = {
    "municipalities": set(),
    "core": {"municipalities"},
    "identity": {"core", "municipalities"},
    "catalog": {"core", "municipalities"},
    "payments": {"core", "municipalities"},
    "legal": {"core", "municipalities", "catalog", "payments"},
    "cases": {"core", "municipalities", "catalog", "payments", "identity", "legal"},
    "citizen": {"core", "municipalities", "catalog", "cases", "payments", "identity", "legal"},
    "district": {"core", "municipalities", "catalog", "cases", "payments", "legal"},
    "portal": set(APPS) - {"portal"},
    "services": set(),
    # Not an app: the development identity provider, a program beside the portal that
    # imports none of it and that nothing of it imports.
    "devidp": set(),
}
MAX_LINES = 600


def _sources(app: str) -> list[Path]:
    """The app's modules, its migrations and any tests aside."""
    return [
        path
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.relative_to(ROOT).parts
        and "tests" not in path.relative_to(ROOT).parts
    ]


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(ALLOWED)
    return found


def import_graph() -> dict[str, dict[str, list[str]]]:
    """app → imported app → the modules that import it."""
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in ALLOWED}
    for app in ALLOWED:
        for path in _sources(app):
            for target in _imported_apps(path) - {app}:
                graph[app].setdefault(target, []).append(str(path.relative_to(ROOT)))
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        for target in sorted(graph.get(node, {})):
            if target in trail:
                cycle = trail[trail.index(target) :] + [target]
                if sorted(cycle[:-1]) not in [sorted(c[:-1]) for c in cycles]:
                    cycles.append(cycle)
            else:
                visit(target, [*trail, target])

    for start in sorted(graph):
        visit(start, [start])
    return cycles


def test_the_walk_sees_the_imports_it_must_judge():
    # A test that cannot fail proves nothing: the graph must hold the known downward edges.
    graph = import_graph()
    assert "municipalities" in graph["core"]
    assert {"catalog", "payments"} <= set(graph["cases"])
    assert "cases" in graph["district"]


def test_no_import_cycle_between_apps():
    assert _cycles(import_graph()) == []


def test_municipalities_imports_no_other_portal_app():
    assert import_graph()["municipalities"] == {}


def test_payments_import_neither_cases_nor_catalog():
    imported = import_graph()["payments"]
    assert not {"cases", "catalog"} & set(imported), {
        app: imported[app] for app in ("cases", "catalog") if app in imported
    }


def test_core_imports_no_domain_app_but_the_tenants():
    assert set(import_graph()["core"]) <= {"municipalities"}


def test_nothing_imports_the_project():
    graph = import_graph()
    offenders = {app: edges["portal"] for app, edges in graph.items() if "portal" in edges}
    assert offenders == {}


def test_identity_sits_beside_catalog_and_payments():
    """Citizen identity knows no domain app: cases and citizen pages may ask it who signed
    in, never the other way round."""
    assert set(import_graph()["identity"]) <= {"core", "municipalities"}
    assert all("identity" not in ALLOWED[app] for app in ("core", "catalog", "payments"))


def test_nothing_imports_the_development_identity_provider():
    """devidp/ is a program of its own that `make run` and the tests start; the portal talks
    to it only over SAML, as it will to BundID."""
    graph = import_graph()
    assert {app: edges["devidp"] for app, edges in graph.items() if "devidp" in edges} == {}
    assert set(graph["devidp"]) == set()


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_each_app_imports_only_what_the_layout_allows(app):
    imported = import_graph()[app]
    extra = {target: imported[target] for target in set(imported) - ALLOWED[app]}
    assert extra == {}


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b": []}, "b": {"a": []}}) == [["a", "b", "a"]]


# --- module length ---------------------------------------------------------------------


def _all_modules() -> list[Path]:
    skip = {".venv", "node_modules", "migrations", "tests", ".git", "static"}
    return [
        path for path in sorted(ROOT.rglob("*.py")) if not skip & set(path.relative_to(ROOT).parts)
    ]


def test_no_module_outside_migrations_and_tests_has_more_than_600_lines():
    modules = _all_modules()
    assert len(modules) > 50  # the walk found the code
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


# --- provider keys -----------------------------------------------------------------------


def _provider_keys() -> set[str]:
    from payments import providers

    return set(providers.keys())


def _key_literals(node: ast.AST, keys: set[str]) -> list[str]:
    """String constants in `node` (a value, or a list/tuple/set of values) that are keys."""
    values = node.elts if isinstance(node, ast.List | ast.Tuple | ast.Set) else [node]
    return [v.value for v in values if isinstance(v, ast.Constant) and v.value in keys]


def provider_key_branches(path: Path, keys: set[str]) -> list[str]:
    """Comparisons with a provider key (`x == "girocode"`, `in ("counter", …)`) and filters
    on one (`provider="girocode"`, `provider__in=[…]`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                found += [
                    f"{path.name}:{node.lineno}: {key}" for key in _key_literals(operand, keys)
                ]
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("provider"):
            found += [
                f"{path.name}:{node.value.lineno}: {key}" for key in _key_literals(node.value, keys)
            ]
    return found


def test_no_branch_on_a_provider_key_outside_the_providers():
    keys = _provider_keys()
    assert keys >= {"girocode", "girocheckout", "counter"}
    providers_dir = ROOT / "payments" / "providers"
    offenders = []
    for app in APPS:
        for path in _sources(app):
            if providers_dir not in path.parents:
                offenders += provider_key_branches(path, keys)
    alternatives = "|".join(sorted(keys))
    template_branch = re.compile(rf"provider\s*(==|!=)\s*[\"']({alternatives})[\"']")
    for template in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if template_branch.search(line):
                offenders.append(f"{template.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_the_key_check_sees_a_branch(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'if payment.provider == "girocode":\n    pass\nPayment.objects.filter(provider="counter")\n'
    )
    assert len(provider_key_branches(sample, {"girocode", "counter"})) == 2


# --- system check ids --------------------------------------------------------------------


def check_ids(paths: list[Path]) -> dict[str, list[str]]:
    """id → where: every `id="…"` given to a system check (Error, Warning, …) in `paths`."""
    found: dict[str, list[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "Critical",
                "Error",
                "Warning",
                "Info",
                "Debug",
            }:
                for keyword in node.keywords:
                    if keyword.arg == "id" and isinstance(keyword.value, ast.Constant):
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        found.setdefault(keyword.value.value, []).append(where)
    return found


def test_every_system_check_id_names_one_check():
    """An id names one problem: operators silence checks by id (SILENCED_SYSTEM_CHECKS) and
    the docs send them to it, so two checks under one id would silence or explain both."""
    ids = check_ids(_all_modules())
    assert {"core.E001", "core.E002", "core.W001"} <= set(ids)  # the walk found them
    assert {key: where for key, where in ids.items() if len(where) > 1} == {}
