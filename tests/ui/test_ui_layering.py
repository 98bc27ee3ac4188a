"""Views stay views (DESIGN §1): no database, network or crypto library imported directly."""

from __future__ import annotations

import ast
from pathlib import Path

import companion.views

FORBIDDEN = {"sqlite3", "sqlcipher3", "httpx", "nacl", "companion.store", "companion.crypto"}
VIEWS = Path(companion.views.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_views_never_import_storage_network_or_crypto():
    offenders = {}
    files = sorted(VIEWS.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        bad = {
            name
            for name in imported_modules(path)
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
        }
        if bad:
            offenders[str(path.relative_to(VIEWS))] = sorted(bad)
    assert offenders == {}


def test_the_scan_catches_a_forbidden_import(tmp_path):
    sample = tmp_path / "bad.py"
    sample.write_text("import sqlite3\nfrom nacl.public import Box\n", encoding="utf-8")
    assert {"sqlite3", "nacl.public"} <= imported_modules(sample)
