"""Check 1 of the phone CI profile: the Android and iOS dependency sets resolve the way
`flet build` resolves them (serious_python's platform fake, `--only-binary :all:`, the
phone's platform tag, the Python that requires-python makes flet build bundle), with the
packages only Flet's mobile index has stood in for (mobile/phone-index.toml). Needs PyPI,
so it runs in the phone profile (scripts/phone-profile), not in every test run.
"""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from mobile.phone_deps import (
    DESKTOP_ONLY,
    TARGETS,
    ResolutionError,
    phone_requirements,
    pyproject,
    python_version,
    resolve,
    standins,
)

pytestmark = pytest.mark.phone_profile

PHONE_PACKAGES = {
    "flet",
    "flet-charts",
    "flet-secure-storage",
    "flet-notifications",
    "flet-local-auth",
    "apsw-sqlite3mc",
    "pynacl",
    "argon2-cffi",
    "httpx",
    "websockets",
    "pydantic",
    "pydantic-core",
    "tzdata",
}


def test_flet_build_bundles_python_3_13_and_both_phones_get_the_same_list() -> None:
    assert python_version() == "3.13"
    assert phone_requirements("android") == phone_requirements("ios")


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_the_phone_set_resolves_without_a_desktop_package(target: str) -> None:
    resolved = resolve(target)
    assert resolved.keys() >= PHONE_PACKAGES
    assert not DESKTOP_ONLY & resolved.keys()
    assert resolved["pydantic"] == "2.11.10"
    assert resolved["pydantic-core"] == standins()["pydantic-core"]["version"]
    assert resolved["apsw-sqlite3mc"] == standins()["apsw-sqlite3mc"]["version"]


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_the_app_extra_keeps_desktop_packages_off_a_phone(target: str) -> None:
    """Resolving the desktop app's list as flet build would: the platform_system markers
    drop sqlcipher3, keyring, plyer and flet-web (and with it uvicorn's C parts)."""
    app = pyproject()["project"]["optional-dependencies"]["app"]
    pinned = [r for r in app if Requirement(r).name != "pydantic"] + ["pydantic==2.11.10"]
    resolved = resolve(target, pinned)
    assert not DESKTOP_ONLY & resolved.keys()
    assert {"flet", "flet-secure-storage", "apsw-sqlite3mc"} <= resolved.keys()


def test_a_sys_platform_marker_excludes_nothing_and_the_build_fails() -> None:
    """What docs/building.md proposed before: flet build fakes platform.system(), not
    sys.platform, so flet-web comes along and uvicorn[standard] has no phone wheels."""
    requirements = ["flet==1.0.5", 'flet-web==1.0.5; sys_platform != "android"']
    with pytest.raises(ResolutionError) as failed:
        resolve("android", requirements)
    assert any(name in str(failed.value) for name in ("uvloop", "httptools", "watchfiles"))
