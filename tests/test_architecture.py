"""The architecture as a contract: shared machinery knows no feature, no import circles, thin views."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# A view loads, checks, calls a service and renders: about 25 lines. A few say more in words.
VIEW_LINES = 25


def _lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_the_import_contracts_hold():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout[-4000:]
    assert ", 0 broken." in result.stdout


def test_a_forbidden_import_breaks_the_contract():
    """A shared module that reaches into a feature is caught (the probe is removed afterwards)."""
    probe = PORTAL / "links" / "_forbidden_probe.py"
    probe.write_text("from portal.booklet import models  # noqa: F401\n", encoding="utf-8")
    try:
        result = _lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "portal.links._forbidden_probe -> portal.booklet.models" in result.stdout


def test_no_import_circle_among_portal_modules():
    graph = grimp.build_graph("portal")
    modules = sorted(graph.modules)
    index = {name: number for number, name in enumerate(modules)}
    edges = {name: sorted(graph.find_modules_directly_imported_by(name)) for name in modules}
    # Tarjan's strongly connected components: any with two or more modules is a circle.
    order, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                continue
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for module in modules:
        if module not in order:
            visit(module)
    assert not circles, f"import circles: {circles}"


def _route_functions():
    for path in sorted(PORTAL.rglob("*views.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                    and d.func.attr in {"route", "get", "post"} for d in node.decorator_list):
                yield path.relative_to(ROOT), node


def test_views_are_thin():
    long_views = [f"{path}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
                  for path, node in _route_functions() if node.end_lineno - node.lineno + 1 > VIEW_LINES]
    assert not long_views, "views that should call a service instead: " + ", ".join(long_views)


# The composition root builds the app from every area; only it (and the commands it registers) may
# import inside a function, to keep start-up in one place.
COMPOSITION_ROOT = {"portal/__init__.py", "portal/cli.py", "portal/demo.py", "portal/worker.py"}


def test_no_imports_hidden_inside_functions():
    hidden = []
    for path in sorted(PORTAL.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in COMPOSITION_ROOT:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [f"{name}:{sub.lineno} in {node.name}" for sub in ast.walk(node)
                           if isinstance(sub, ast.Import | ast.ImportFrom)]
    assert not hidden, "imports inside functions (move them to the top): " + ", ".join(hidden)
