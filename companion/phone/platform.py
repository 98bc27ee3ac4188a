"""Is this a phone? One answer for the store binding, the key vault and the notifier.

`platform.system()` says "Android" / "iOS" on CPython 3.13+ on a phone, and it is also what
`flet build` fakes while it resolves the phone's packages; `sys.platform` says "android" /
"ios" on those Pythons. `COMPANION_PLATFORM=phone|desktop` forces the answer (the phone CI
profile runs the youth suites as a phone on Linux).
"""

from __future__ import annotations

import os
import platform
import sys

PLATFORM_ENV = "COMPANION_PLATFORM"
PHONE_SYSTEMS = frozenset({"Android", "iOS"})
PHONE_PLATFORMS = frozenset({"android", "ios"})


def on_phone() -> bool:
    """True on Android and iOS (or when COMPANION_PLATFORM=phone)."""
    forced = os.environ.get(PLATFORM_ENV, "").strip().lower()
    if forced in {"phone", "desktop"}:
        return forced == "phone"
    return platform.system() in PHONE_SYSTEMS or sys.platform in PHONE_PLATFORMS
