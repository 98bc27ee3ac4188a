"""Where this device keeps Companion's files.

`COMPANION_DATA_DIR` wins (tests, the demo, several profiles on one machine). A packaged
mobile app gets its private folder from Flet (`FLET_APP_STORAGE_DATA`); desktops use the
platform's per-user data folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

APP_DIR_NAME = "Companion"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The data folder, created with owner-only permissions if it does not exist."""
    env = os.environ if env is None else env
    chosen = env.get("COMPANION_DATA_DIR") or env.get("FLET_APP_STORAGE_DATA")
    if chosen:
        path = Path(chosen).expanduser()
    elif sys.platform == "win32":
        path = Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming") / APP_DIR_NAME
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    else:
        base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / APP_DIR_NAME.lower()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
