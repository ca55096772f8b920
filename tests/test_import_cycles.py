"""No import circles inside an app (issue 12).

A circle between two modules of one app works only while every name is looked up late enough; the day a
module-level name is used during import, start-up fails with a half-initialised module. Circles are
usually hidden by moving one import into a function, which is why imports inside functions count here
as much as the ones at the top of a module. Imports under ``if TYPE_CHECKING:`` do not count: they
never run.

The graph is built from the source with ``ast`` (nothing is imported), one node per non-test module of
each app, one edge per import of another module of the same app. Imports between apps are not this
test's business.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "incidents", "beneficiaries", "activities", "reports")


def _is_test(path: Path) -> bool:
    return "tests" in path.parts or path.name.startswith("test_") or path.name == "conftest.py"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(app: str) -> dict[str, Path]:
    """Every non-test module of the app, by dotted name."""
    return {_module_name(path): path for path in sorted((ROOT / app).rglob("*.py")) if not _is_test(path)}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: at module level, in classes and in functions, not under
    ``if TYPE_CHECKING:`` (its ``else:`` branch runs, so it counts)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield from _imports_of_statement(other)
            continue
        yield from _imports_of_statement(child)


def _imports_of_statement(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _imports(node)


def _targets(statement: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> Iterator[str]:
    """The dotted names of the modules a statement imports (``from m import n`` may import the submodule
    ``m.n``, else it imports ``m``)."""
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            yield alias.name
        return
    base = statement.module or ""
    if statement.level:
        package = importer.split(".") if is_package else importer.split(".")[:-1]
        package = package[: len(package) - (statement.level - 1)]
        base = ".".join([*package, base]) if base else ".".join(package)
    yield base
    for alias in statement.names:
        yield f"{base}.{alias.name}"


def import_graph(app: str) -> dict[str, set[str]]:
    """Module → the modules of the same app it imports."""
    modules = _modules(app)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for statement in _imports(tree):
            for target in _targets(statement, name, is_package):
                if target in modules and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (a path back to its start) per strongly connected group of modules, found with
    Tarjan's algorithm; an empty list when the graph has none."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle_through(graph, group) for group in groups]


def _circle_through(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """The shortest path from the group's first module back to itself, staying inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{sorted(group)} is not strongly connected")


@pytest.mark.parametrize("app", APPS)
def test_no_import_circle_inside_an_app(app: str) -> None:
    found = circles(import_graph(app))
    assert not found, f"import circles in {app}:\n" + "\n".join(" → ".join(circle) for circle in found)


def test_the_graph_sees_imports_inside_functions_and_not_type_checking_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from .a import x\n"
        "if TYPE_CHECKING:\n"
        "    from .b import y\n"
        "else:\n"
        "    from . import c\n"
        "def f():\n"
        "    from app.d import z\n"
        "    import app.e\n"
    )
    tree = ast.parse(source)
    targets = {target for statement in _imports(tree) for target in _targets(statement, "app.m", False)}
    assert {"app.a", "app.c", "app.d", "app.e"} <= targets
    assert "app.b" not in targets


def test_circles_are_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set()}) == []
