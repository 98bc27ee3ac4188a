"""The type checker's reach (scripts/test runs mypy with pyproject's [tool.mypy]).

What these guard is easy to lose without any error: a new top-level package left out of
`packages`, an override that stops checking our own code, or a `# type: ignore` that
silences every error on its line or does not say why it is there.
"""

from __future__ import annotations

import io
import re
import tokenize
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
# Settings that take modules out of the check, fully or in part.
LOOSENING = {
    "ignore_missing_imports",
    "ignore_errors",
    "follow_imports",
    "disable_error_code",
    "allow_untyped_defs",
    "allow_untyped_calls",
}
# `# type: ignore[code, ...]` then, after it, a comment that says why.
REASONED_IGNORE = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,\s*[a-z-]+)*\]\s*#\s*\S")


def our_packages() -> set[str]:
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name.startswith("companion")
    }


def test_mypy_checks_every_package_of_ours_for_python_3_11():
    assert our_packages() == {"companion", "companion_server", "companion_wire"}
    assert set(CONFIG["packages"]) == our_packages()
    assert CONFIG["python_version"] == "3.11"
    assert "ignore-without-code" in CONFIG["enable_error_code"]
    assert not LOOSENING & set(CONFIG), "loosened for every module"


def test_only_third_party_modules_are_loosened():
    for override in CONFIG.get("overrides", []):
        modules = override["module"]
        modules = [modules] if isinstance(modules, str) else modules
        ours = [m for m in modules if m.split(".")[0] in our_packages()]
        assert not ours, f"our own modules loosened: {ours}"
        assert set(override) - {"module"} <= {"ignore_missing_imports"}, override


def test_every_type_ignore_names_its_error_and_says_why():
    unexplained = []
    for package in sorted(our_packages()):
        for path in sorted((ROOT / package).rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            if "type: ignore" not in source:
                continue
            lines = source.splitlines()
            for token in tokenize.generate_tokens(io.StringIO(source).readline):
                if token.type != tokenize.COMMENT or "type: ignore" not in token.string:
                    continue
                line = token.start[0]
                # the reason may also be the comment line right above
                above = lines[line - 2].strip() if line > 1 else ""
                if not REASONED_IGNORE.search(token.string) and not (
                    re.search(r"#\s*type:\s*ignore\[[a-z-]+", token.string)
                    and above.startswith("#")
                ):
                    unexplained.append(f"{path.relative_to(ROOT)}:{line}: {token.string}")
    assert not unexplained, "\n".join(unexplained)
