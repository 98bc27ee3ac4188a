"""build.spec (the PyInstaller desktop build) stays consistent with the code it packages.

The fast tests read the spec the way PyInstaller does (it is Python run with `Analysis`,
`EXE`... in scope) with recorders in place of those classes, and check the entry point,
every data file, every hidden import and the exclusions against the source tree. The slow
test really builds the app with PyInstaller (offline, about a minute) and opens the frozen
binary's caregiver app in web mode.
"""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from pathlib import Path
from typing import ClassVar

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build.spec"


class Recorder:
    """Stands in for one PyInstaller build step and keeps its arguments."""

    made: ClassVar[list[Recorder]] = []

    def __init__(self, *args, **kwargs) -> None:
        self.args, self.kwargs = args, kwargs
        self.pure = self.scripts = self.binaries = self.datas = ()
        Recorder.made.append(self)


def _step(name: str) -> type[Recorder]:
    return type(name, (Recorder,), {})


@pytest.fixture(scope="module")
def spec() -> dict:
    Recorder.made = []
    names = {n: _step(n) for n in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    scope = {"SPECPATH": str(ROOT), "SPEC": str(SPEC), "__file__": str(SPEC), **names}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), scope)
    return scope


def _made(kind: str) -> Recorder:
    [found] = [r for r in Recorder.made if type(r).__name__ == kind]
    return found


def test_entry_point_is_the_console_script(spec):
    analysis = _made("Analysis")
    [entry] = analysis.args[0]
    assert Path(entry) == ROOT / "companion" / "cli.py"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["companion"] == "companion.cli:main"
    tree = ast.parse(Path(entry).read_text(encoding="utf-8"))
    runs_main = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)
    ]
    assert runs_main and "main()" in ast.unparse(runs_main[0])
    assert str(ROOT) in analysis.kwargs["pathex"]


def test_every_asset_is_bundled_where_the_code_looks_for_it(spec):
    datas = _made("Analysis").kwargs["datas"]
    bundled = {(Path(src).resolve(), dest) for src, dest in datas}
    assets = [p for p in (ROOT / "companion" / "assets").rglob("*") if p.is_file()]
    assert len(assets) > 40  # translations in three languages, help lines, starter set
    for path in assets:
        assert (path.resolve(), str(path.parent.relative_to(ROOT))) in bundled, path
    for source, _dest in datas:
        assert Path(source).exists(), source
    destinations = {dest for _src, dest in datas}
    for language in ("nl", "fr", "en"):
        assert f"companion/assets/i18n/{language}" in destinations
    assert any(dest.startswith("flet_web") for dest in destinations)  # the web client
    assert any(dest.startswith("tzdata") for dest in destinations)


def test_every_hidden_import_exists(spec):
    hidden = _made("Analysis").kwargs["hiddenimports"]
    assert "companion.caregiver.app" in hidden and "companion.youth.app" in hidden
    missing = [name for name in hidden if importlib.util.find_spec(name) is None]
    assert missing == []


def test_excluded_packages_are_never_imported_by_the_desktop_app(spec):
    excluded = set(_made("Analysis").kwargs["excludes"])
    assert {"companion_server", "companion.demo"} <= excluded
    offenders = []
    for path in (ROOT / "companion").rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[:2] == ("companion", "demo") or relative == Path("companion/cli.py"):
            continue  # the demo and its lazy, guarded import in the CLI
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if any(name == e or name.startswith(e + ".") for e in excluded):
                    offenders.append(f"{relative}: {name}")
    assert offenders == []


def test_the_build_is_one_folder_named_companion(spec):
    exe, collect = _made("EXE"), _made("COLLECT")
    assert exe.kwargs["name"] == collect.kwargs["name"] == "Companion"
    assert exe.kwargs["exclude_binaries"] is True  # onedir: quick start, no unpacking


def test_mobile_build_configuration_names_the_app_and_its_notification_rights():
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flet"]
    assert flet["product"] == "Companion" and flet["org"].count(".") >= 1
    android = flet["android"]["permission"]
    assert android["android.permission.POST_NOTIFICATIONS"] is True
    assert android["android.permission.SCHEDULE_EXACT_ALARM"] is True
    for excluded in flet["app"]["exclude"]:
        assert (ROOT / excluded).exists() or excluded in {"build", "dist", "test-artifacts"}
    # the server never ships inside the phone app
    assert "companion_server" in flet["app"]["exclude"]
