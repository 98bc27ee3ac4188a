"""The phone build script (mobile/build_phone.sh): what it runs, in which order, and the
Android patch step it relies on, on a project shaped like flet build's Android output.
The build itself needs the Flutter SDK and is not run here (docs/building.md)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from flet_notifications.patcher import main as patch_project

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "mobile" / "build_phone.sh"

MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android">
    <uses-permission android:name="android.permission.INTERNET" />
    <application android:label="Companion" android:name="${applicationName}">
        <activity android:name=".MainActivity" android:exported="true" />
    </application>
</manifest>
"""
GRADLE = """plugins { id("com.android.application") }
android {
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
    }
    defaultConfig {
        applicationId = "be.companion.companion"
    }
}
dependencies {
    implementation("androidx.core:core-ktx:1.13.1")
}
"""


def dry_run(target: str) -> list[str]:
    env = {**os.environ, "DRY_RUN": "1"}
    done = subprocess.run(
        ["bash", str(SCRIPT), target], capture_output=True, text=True, env=env, check=True
    )
    return [line[2:] for line in done.stdout.splitlines() if line.startswith("+ ")]


@pytest.mark.parametrize("target", ["apk", "aab"])
def test_android_builds_are_patched_for_notifications_then_built_again(target: str) -> None:
    steps = dry_run(target)
    assert steps[0] == f"flet build {target} --python-version 3.13 --yes"
    assert steps[1] == "flet-notifications-patch --project-root build/flutter"
    gradle = "bundleRelease" if target == "aab" else "assembleRelease"
    assert steps[2].endswith(f"./gradlew {gradle}")


def test_an_ios_build_is_flet_build_alone() -> None:
    assert dry_run("ipa") == ["flet build ipa --python-version 3.13 --yes"]


def test_an_unknown_target_is_refused() -> None:
    done = subprocess.run(["bash", str(SCRIPT), "exe"], capture_output=True, text=True)
    assert done.returncode != 0 and "usage" in done.stderr


def test_the_patch_adds_receivers_and_desugaring_once(tmp_path: Path) -> None:
    app = tmp_path / "android" / "app"
    (app / "src" / "main").mkdir(parents=True)
    manifest = app / "src" / "main" / "AndroidManifest.xml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    (app / "build.gradle.kts").write_text(GRADLE, encoding="utf-8")
    assert patch_project(["--project-root", str(tmp_path)]) == 0
    patched = manifest.read_text(encoding="utf-8")
    assert "ScheduledNotificationReceiver" in patched
    assert "ScheduledNotificationBootReceiver" in patched
    assert "android.intent.action.BOOT_COMPLETED" in patched
    gradle = (app / "build.gradle.kts").read_text(encoding="utf-8")
    assert "isCoreLibraryDesugaringEnabled = true" in gradle and "desugar_jdk_libs" in gradle
    assert patch_project(["--project-root", str(tmp_path)]) == 0
    assert manifest.read_text(encoding="utf-8") == patched  # idempotent


def test_the_phone_asks_for_what_it_uses_and_says_why() -> None:
    from mobile.phone_deps import pyproject

    flet = pyproject()["tool"]["flet"]
    android = flet["android"]["permission"]
    for permission in ("POST_NOTIFICATIONS", "SCHEDULE_EXACT_ALARM", "USE_BIOMETRIC"):
        assert android[f"android.permission.{permission}"] is True
    assert "Face ID" in flet["ios"]["info"]["NSFaceIDUsageDescription"]
    assert flet["permissions"] == []  # no camera, microphone, location or photos
