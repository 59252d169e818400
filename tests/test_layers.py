"""The architecture as tests: who may import whom, where SQL may be written, no import cycles, module size.

Imports are read from the source (ast), including those inside functions; imports under
``if TYPE_CHECKING:`` are type-only and do not count. Each rule is checked against a deliberately broken
example too, so a rule that stopped seeing anything would fail rather than pass quietly.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "c1console"
MAX_LINES = 600
# Pure data may be longer than a module one reads as code.
DATA_MODULES = {"c1console.errors.catalogue"}

# A statement that could only be SQL: a keyword pair that no English prose in this code base uses.
SQL = re.compile(
    r"\b(SELECT\s[\s\S]*?\bFROM\s+[a-z_]+\.|SELECT\s+[a-z_]+\(|INSERT\s+INTO|UPDATE\s+[\w.]+\s+SET|"
    r"DELETE\s+FROM|CREATE\s+(TABLE|INDEX|ROLE|DATABASE|FUNCTION|TRIGGER)|ALTER\s+(TABLE|ROLE)|"
    r"DROP\s+(TABLE|DATABASE)|TRUNCATE\s+[\w.]+|pg_notify\(|set_config\()"
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every module ``module`` imports at run time (submodules resolved where they exist)."""
    found: list[str] = []

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if _is_type_checking(node.test):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            found.extend(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.append(full if full in MODULES else target)

    Visitor().visit(ast.parse(source))
    return found


def imports(module: str) -> list[str]:
    path = MODULES[module]
    return imports_of(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py")


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(
    graph: dict[str, list[str]],
    layer: str,
    forbidden: Iterable[str] = (),
    allowed: Iterable[str] | None = None,
) -> list[str]:
    """Imports from modules under ``layer`` that reach a forbidden module, or any own module not allowed."""
    denied = tuple(forbidden)
    allow = None if allowed is None else (layer, *allowed)

    def bad(target: str) -> bool:
        if within(target, *denied):
            return True
        return allow is not None and within(target, "c1console") and not within(target, *allow)

    return [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if within(module, layer)
        for target in targets
        if bad(target)
    ]


RULES: dict[str, dict[str, tuple[str, ...]]] = {
    # The console draws; it asks the read side and ops, and never talks to the database itself.
    "c1console.screens": {"forbidden": ("sqlalchemy", "psycopg", "c1console.store")},
    # The runner runs headless on servers: no terminal UI code at all.
    "c1console.scheduler": {"forbidden": ("textual", "rich", "c1console.screens")},
    # The store is the bottom layer: it may use only settings, errors and input parsing beside itself.
    "c1console.store": {"allowed": ("c1console.config", "c1console.errors", "c1console.inputs")},
}


def check_rules(graph: dict[str, list[str]]) -> list[str]:
    problems = []
    for layer, rule in RULES.items():
        problems += violations(graph, layer, rule.get("forbidden", ()), rule.get("allowed"))
    return problems


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def sql_outside_store(module: str, source: str) -> Iterator[str]:
    """String constants that are SQL, outside store/ (docstrings excepted)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings and SQL.search(node.value):
            yield f"{module}:{node.lineno}: {node.value.strip()[:60]!r}"
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("exec_driver_sql", "text")
            and isinstance(node.value, ast.Name)
            and node.value.id in ("sa", "sqlalchemy", "conn")
        ):
            yield f"{module}:{node.lineno}: calls {node.value.id}.{node.attr}"


@pytest.fixture(scope="module")
def graph() -> dict[str, list[str]]:
    return {module: imports(module) for module in MODULES}


def test_each_layer_imports_only_what_it_may(graph: dict[str, list[str]]) -> None:
    assert check_rules(graph) == []


def test_no_two_modules_import_each_other(graph: dict[str, list[str]]) -> None:
    internal = {m: [t for t in targets if t in graph and t != m] for m, targets in graph.items()}
    assert cycles(internal) == []


def test_sql_is_written_only_in_the_store() -> None:
    found = [
        hit
        for module, path in MODULES.items()
        if not within(module, "c1console.store")
        for hit in sql_outside_store(module, path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_no_module_is_too_long_to_hold_in_ones_head() -> None:
    lengths = {module: len(path.read_text(encoding="utf-8").splitlines()) for module, path in MODULES.items()}
    assert {m: n for m, n in lengths.items() if n > MAX_LINES and m not in DATA_MODULES} == {}


# The rules see what they are meant to see: each is shown a violation and must report it. -----------------


def test_the_rules_catch_a_screen_importing_a_driver() -> None:
    source = "import sqlalchemy as sa\n"
    graph = {"c1console.screens.new": imports_of(source, "c1console.screens.new")}
    assert check_rules(graph) == ["c1console.screens.new imports sqlalchemy"]


def test_the_rules_catch_the_store_importing_a_layer_above_it() -> None:
    source = "def f():\n    from c1console import checklists\n"
    graph = {"c1console.store.new": imports_of(source, "c1console.store.new")}
    assert check_rules(graph) == ["c1console.store.new imports c1console.checklists"]


def test_the_rules_catch_the_runner_importing_textual_but_not_type_only_imports() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import textual\nimport rich.text\n"
    graph = {"c1console.scheduler.new": imports_of(source, "c1console.scheduler.new")}
    assert check_rules(graph) == ["c1console.scheduler.new imports rich.text"]


def test_the_cycle_check_catches_two_modules_importing_each_other() -> None:
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_sql_check_catches_a_query_but_not_prose() -> None:
    source = '"""Selects from the LISTEN thread."""\nQ = "SELECT count(*) FROM c1.execution"\n'
    assert list(sql_outside_store("c1console.screens.new", source)) == [
        "c1console.screens.new:2: 'SELECT count(*) FROM c1.execution'"
    ]
