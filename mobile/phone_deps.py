"""The phone's dependency set, resolved the way `flet build` resolves it, without Flutter.

flet-cli 1.0.5 takes `[project].dependencies`, appends `[tool.flet.<android|ios>].dependencies`
and hands the list to serious_python, which runs pip with `--only-binary :all:`, the phone's
platform tag, the bundled Python's version and Flet's mobile package index, under a
`sitecustomize.py` that makes `platform.system()` say "Android" / "iOS" (not `sys.platform`).
This module does the same here: the same requirement list, the same pip options, the same
fake, and metadata-only stand-ins (mobile/phone-index.toml) for the packages only Flet's
index (or this repository's recipe) has.

    python mobile/phone_deps.py resolve android   # prints name==version of the phone set

The bundled Python is what flet-cli picks from `requires-python`: the newest supported
minor it allows (`python_version()`).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
STANDINS = ROOT / "mobile" / "phone-index.toml"
# Python minors flet-cli 1.0.5's python-build manifest (release 20260921) offers; 3.15 is a
# pre-release there, never picked from an open specifier
SUPPORTED_PYTHONS = ("3.12", "3.13", "3.14")
# never on a phone: no phone builds (sqlcipher3, uvicorn[standard]'s C parts) or no use
DESKTOP_ONLY = frozenset(
    {"sqlcipher3", "keyring", "plyer", "flet-web", "uvicorn", "uvloop", "httptools", "watchfiles"}
)


@dataclass(frozen=True)
class Target:
    name: str
    system: str  # what serious_python's sitecustomize makes platform.system() say
    tag: str  # pip's --platform
    sysconfig_platform: str  # what it makes sysconfig.get_platform() say


TARGETS = {
    "android": Target("android", "Android", "android_24_arm64_v8a", "android-24-arm64_v8a"),
    "ios": Target("ios", "iOS", "ios_13_0_arm64_iphoneos", "ios-13.0-arm64-iphoneos"),
}


def pyproject(path: Path = PYPROJECT) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def phone_requirements(target: str, project: dict | None = None) -> list[str]:
    """What flet-cli hands serious_python: the project's dependencies, then the target's."""
    project = project if project is not None else pyproject()
    base = list(project["project"].get("dependencies", []))
    extra = project.get("tool", {}).get("flet", {}).get(target, {}).get("dependencies", [])
    return base + list(extra)


def python_version(project: dict | None = None) -> str:
    """The Python flet build bundles: the newest supported minor `requires-python` allows."""
    project = project if project is not None else pyproject()
    spec = SpecifierSet(project["project"].get("requires-python", ""))
    allowed = [v for v in SUPPORTED_PYTHONS if spec.contains(f"{v}.0")]
    if not allowed:
        raise SystemExit(f"requires-python {spec} allows none of {SUPPORTED_PYTHONS}")
    return max(allowed, key=lambda v: tuple(int(p) for p in v.split(".")))


def standins(path: Path = STANDINS) -> dict[str, dict]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["packages"]


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_standin(folder: Path, name: str, spec: dict, python: str, target: Target) -> Path:
    """A wheel holding only metadata (name, version, Requires-Dist), tagged for the phone."""
    dist = name.replace("-", "_")
    abi = "cp" + python.replace(".", "")
    wheel_name = f"{dist}-{spec['version']}-{abi}-{abi}-{target.tag}.whl"
    info = f"{dist}-{spec['version']}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\n",
            f"Version: {spec['version']}\n",
            *(f"Requires-Dist: {requirement}\n" for requirement in spec.get("requires", [])),
        ]
    ).encode()
    wheel = (
        "Wheel-Version: 1.0\nGenerator: companion-phone-standin\nRoot-Is-Purelib: false\n"
        f"Tag: {abi}-{abi}-{target.tag}\n"
    ).encode()
    files = {f"{info}/METADATA": metadata, f"{info}/WHEEL": wheel}
    record = "".join(_record_line(n, d) + "\n" for n, d in files.items()) + f"{info}/RECORD,,\n"
    path = folder / wheel_name
    with zipfile.ZipFile(path, "w") as archive:
        for file_name, data in files.items():
            archive.writestr(file_name, data)
        archive.writestr(f"{info}/RECORD", record)
    return path


_OLDER_PYTHON_FAKES = """
from collections import namedtuple
if not hasattr(platform, "android_ver"):  # added in 3.13; pip asks once it sees "Android"
    _A = namedtuple("AndroidVer", "release api_level manufacturer model device is_emulator")
    platform.android_ver = lambda *a, **k: _A("7.0", 24, "", "", "", False)
if not hasattr(platform, "ios_ver"):  # added in 3.13, likewise
    _I = namedtuple("IOSVersionInfo", "system release model is_simulator")
    platform.ios_ver = lambda *a, **k: _I("iOS", "13.0", "iPhone", False)
"""


def write_sitecustomize(folder: Path, target: Target) -> None:
    """serious_python's fake: platform.system() and sysconfig.get_platform(), not sys.platform
    (plus, on a host Python before 3.13, the two platform functions pip then calls)."""
    (folder / "sitecustomize.py").write_text(
        "import platform, sysconfig\n"
        f"platform.system = lambda: {target.system!r}\n"
        f"sysconfig.get_platform = lambda: {target.sysconfig_platform!r}\n" + _OLDER_PYTHON_FAKES,
        encoding="utf-8",
    )


def resolve(target_name: str, requirements: list[str] | None = None) -> dict[str, str]:
    """name -> version of everything pip would install on the phone (a dry run)."""
    target = TARGETS[target_name]
    python = python_version()
    requirements = requirements if requirements is not None else phone_requirements(target_name)
    with tempfile.TemporaryDirectory(prefix=f"phone-{target_name}-") as work:
        folder = Path(work)
        (folder / "fake").mkdir()
        (folder / "wheels").mkdir()
        write_sitecustomize(folder / "fake", target)
        for name, spec in standins().items():
            write_standin(folder / "wheels", name, spec, python, target)
        (folder / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
        report = folder / "report.json"
        abi = "cp" + python.replace(".", "")
        command = [
            sys.executable, "-m", "pip", "install", "--dry-run", "--quiet",
            "--ignore-installed", "--only-binary", ":all:",
            "--python-version", python, "--implementation", "cp", "--abi", abi,
            "--platform", target.tag, "--target", str(folder / "target"),
            "--find-links", str(folder / "wheels"), "--report", str(report),
            "-r", str(folder / "requirements.txt"),
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(folder / "fake"), "PIP_CONSTRAINT": ""}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ResolutionError(done.stderr.strip() or done.stdout.strip())
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    return {
        item["metadata"]["name"].lower().replace("_", "-"): item["metadata"]["version"]
        for item in installed
    }


class ResolutionError(RuntimeError):
    """pip could not resolve the phone set (its message says which package)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["resolve"])
    parser.add_argument("target", choices=sorted(TARGETS))
    args = parser.parse_args(argv)
    try:
        resolved = resolve(args.target)
    except ResolutionError as error:
        print(f"the {args.target} set does not resolve:\n{error}", file=sys.stderr)
        return 1
    for name, version in sorted(resolved.items()):
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
