"""Views stay views and services stay services (DESIGN §1), in both apps and their core.

A view is any module of the apps that imports Flet; it never imports a database, network or
crypto library, the store, crypto or the sync engine: it asks a service. A service (every
other module of the apps) never imports Flet, so it runs and is tested without a page. The
files that may import Flet say so by their name: `view.py`, `*_view.py`, the app's entry
(`app.py`), its screen list (`registry.py`), its hooks (`hooks.py`) and `core/views/`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import companion

FORBIDDEN_IN_VIEWS = {
    "sqlite3",
    "sqlcipher3",
    "apsw",
    "httpx",
    "websockets",
    "nacl",
    "companion.store",
    "companion.crypto",
    "companion.sync",
}
APP_FOLDERS = ("core", "youth", "caregiver")
VIEW_FILE_NAMES = {"view.py", "app.py", "registry.py", "hooks.py"}
ROOT = Path(companion.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def is_view_file(path: Path) -> bool:
    return path.name in VIEW_FILE_NAMES or path.stem.endswith("_view") or "views" in path.parts


def matches(name: str, prefixes: set[str]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def app_files() -> list[Path]:
    return sorted(path for folder in APP_FOLDERS for path in (ROOT / folder).rglob("*.py"))


def test_views_never_import_storage_network_crypto_or_sync():
    offenders = {}
    views = [path for path in app_files() if "flet" in imported_modules(path)]
    assert len(views) > 30
    for path in views:
        bad = {name for name in imported_modules(path) if matches(name, FORBIDDEN_IN_VIEWS)}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_only_view_files_import_flet():
    offenders = [
        str(path.relative_to(ROOT))
        for path in app_files()
        if matches_flet(path) and not is_view_file(path)
    ]
    assert offenders == []


def matches_flet(path: Path) -> bool:
    return any(matches(name, {"flet"}) for name in imported_modules(path))


def test_the_scan_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlite3\nfrom nacl.public import Box\nimport flet as ft\n")
    assert {"sqlite3", "nacl.public", "flet"} <= imported_modules(sample)
    assert matches_flet(sample)
    assert not is_view_file(tmp_path / "service.py")
    assert is_view_file(tmp_path / "edit_view.py")
