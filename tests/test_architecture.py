"""Architecture rules as tests: which package may import which, and no import cycles.

DESIGN §1: the wire contract (`companion_wire`) imports nothing of ours, so the app and the
server both stand on it; the server never imports the app, so a server install needs none of
the app's dependencies. A cycle anywhere means two modules that cannot be read (or changed)
one without the other, so there are none, not even ones hidden in a function body.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("companion", "companion_server", "companion_wire")
# third-party modules only the app may import (they have no place on a server)
APP_ONLY = (
    "flet",
    "flet_web",
    "flet_charts",
    "flet_secure_storage",
    "flet_notifications",
    "flet_local_auth",
    "sqlcipher3",
    "keyring",
    "plyer",
    "nacl",
    "argon2",
    "httpx",
    "websockets",
    "icalendar",
    "PIL",
)
# what each of our packages may import of ours
ALLOWED = {
    "companion_wire": {"companion_wire"},
    "companion_server": {"companion_server", "companion_wire"},
    "companion": {"companion", "companion_wire"},
}


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for every .py under the packages (migrations are scripts)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """Every module `name` imports, wherever the import sits (a function-local import is
    still a dependency). `from pkg import sub` counts as importing `pkg.sub` only."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in known else module)
    return found - {name}


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    files = module_files(root, packages)
    return {name: imports_of(name, path, files) for name, path in files.items()}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start] & graph.keys())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt] & graph.keys()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def test_no_import_cycle_anywhere():
    graph = import_graph(ROOT, PACKAGES)
    assert len(graph) > 100
    assert cycles(graph) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_it_may(package):
    graph = import_graph(ROOT, PACKAGES)
    ours = set(PACKAGES)
    offenders = {
        module: sorted(
            target
            for target in targets
            if top(target) in ours and top(target) not in ALLOWED[package]
        )
        for module, targets in graph.items()
        if top(module) == package
    }
    assert {module: bad for module, bad in offenders.items() if bad} == {}


@pytest.mark.parametrize("package", ["companion_server", "companion_wire"])
def test_server_and_wire_import_no_app_library(package):
    graph = import_graph(ROOT, PACKAGES)
    offenders = {
        module: sorted(t for t in targets if top(t) in APP_ONLY)
        for module, targets in graph.items()
        if top(module) == package
    }
    assert {module: bad for module, bad in offenders.items() if bad} == {}


def test_the_scanner_sees_cycles_and_hidden_imports(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text("def later():\n    from pkg.c import x\n")
    (pkg / "c.py").write_text("from .a import y\nimport flet\n")
    (pkg / "d.py").write_text("from pkg import a\n")
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.b"] == {"pkg.c"}  # inside a function body, still an import
    assert graph["pkg.c"] == {"pkg.a", "flet"}  # relative imports resolved
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 100


def long_functions(path: Path, limit: int) -> list[str]:
    """Functions (methods included) longer than `limit` lines, decorators not counted."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append(f"{node.name} ({length} lines)")
    return found


def test_modules_and_functions_stay_readable_in_one_sitting():
    files = module_files(ROOT, PACKAGES)
    too_long = {
        name: lines
        for name, path in files.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
    long = {
        name: found
        for name, path in files.items()
        if (found := long_functions(path, MAX_FUNCTION_LINES))
    }
    assert long == {}


def test_the_length_check_counts_a_function_from_def_to_its_last_line(tmp_path):
    sample = tmp_path / "long.py"
    sample.write_text("def f():\n" + "    x = 1\n" * 100 + "\n\ndef g():\n    return 1\n")
    assert long_functions(sample, 100) == ["f (101 lines)"]
