"""Every component calls the same hooks in the same order on every render.

Flet (like React) finds a component's state by the position of each `use_*` call. A hook
called inside an `if`, a loop or after an early `return` shifts the ones after it when the
condition changes: the next render reads another hook's state and Flet stops updating the
page (`'ContextHook' object has no attribute 'ref'`, with nothing on screen changing).
That happened when a card called `use_services()` only for a linked person still active.
So: in an `@ft.component`, hooks are called by the statements at the top of its body,
before any `return`, outside any branch, loop or conditional expression. A helper that is
neither a component nor a `use_*` hook itself calls no hook (it would hide one), except
the screen builders below: every path of a component ends in one of them, after all its
own hooks, so their hooks always come last and in the same order.
"""

from __future__ import annotations

import ast
from pathlib import Path
from textwrap import dedent

from tests.ui.test_ui_layering import app_files, imported_modules

BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.With, ast.AsyncWith, ast.Match)
CONDITIONAL = (ast.IfExp, ast.BoolOp, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
SCREEN_BUILDERS = {"screen", "frame", "step_page", "app_bar_actions"}


def _name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _own_nodes(node: ast.AST):
    """`node` and what it holds, without the bodies of functions, lambdas and classes
    defined in it (they run later, not while rendering)."""
    if isinstance(node, NESTED_SCOPES):
        return
    yield node
    for child in ast.iter_child_nodes(node):
        yield from _own_nodes(child)


def _hook_calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in _own_nodes(node) if isinstance(n, ast.Call) and _name(n).startswith("use_")]


def _is_component(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Attribute) and d.attr == "component")
        or (isinstance(d, ast.Name) and d.id == "component")
        for d in function.decorator_list
    )


def _conditional_hooks(statement: ast.stmt) -> list[ast.Call]:
    """Hooks this top-level statement calls only sometimes."""
    if isinstance(statement, BRANCHES):
        return _hook_calls(statement)
    found = []
    for node in _own_nodes(statement):
        if isinstance(node, CONDITIONAL):
            found += _hook_calls(node)
    return found


def misplaced_hooks(source: str, label: str = "") -> list[str]:
    """`label:line name (why)` for every hook call that may not run on every render."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        where = f"{label}:{function.name}"
        if not _is_component(function):
            if not function.name.startswith("use_") and function.name not in SCREEN_BUILDERS:
                found += [
                    f"{where}:{c.lineno} {_name(c)} (in a helper)"
                    for statement in function.body
                    for c in _hook_calls(statement)
                ]
            continue
        returned = False
        for statement in function.body:
            if returned:
                found += [
                    f"{where}:{c.lineno} {_name(c)} (after a return)"
                    for c in _hook_calls(statement)
                ]
                continue
            found += [
                f"{where}:{c.lineno} {_name(c)} (only sometimes)"
                for c in _conditional_hooks(statement)
            ]
            returned = any(isinstance(n, ast.Return) for n in _own_nodes(statement))
    return found


def view_files() -> list[Path]:
    return [path for path in app_files() if "flet" in imported_modules(path)]


def test_components_call_their_hooks_on_every_render():
    files = view_files()
    assert len(files) > 30
    found = []
    for path in files:
        found += misplaced_hooks(path.read_text(encoding="utf-8"), path.name)
    assert found == []


def test_the_scanner_sees_branches_early_returns_and_hidden_hooks():
    source = dedent(
        """
        import flet as ft

        @ft.component
        def Good(x):
            ui = use_ui()
            state, set_state = ft.use_state(0)
            if x:
                return None
            return ft.Text(str(state), on_click=lambda: use_ignored_in_a_lambda())

        @ft.component
        def Branch(x):
            if x:
                today = use_services()
            return None

        @ft.component
        def Early(x):
            if x is None:
                return None
            ui = use_ui()

        @ft.component
        def Ternary(x):
            value = use_a() if x else 0

        def helper():
            return use_ui()

        def use_thing():
            return use_ui()
        """
    )
    assert misplaced_hooks(source) == [
        ":Branch:15 use_services (only sometimes)",
        ":Early:22 use_ui (after a return)",
        ":Ternary:26 use_a (only sometimes)",
        ":helper:29 use_ui (in a helper)",
    ]
