"""Server settings from the environment (and CLI flags), so it runs with no setup at all."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

ENV_DATABASE_URL = "COMPANION_DATABASE_URL"
ENV_HOST = "COMPANION_HOST"
ENV_PORT = "COMPANION_PORT"


def user_data_dir(app: str = "companion-server") -> Path:
    """The platform's per-user data folder (XDG on Linux, Application Support, AppData)."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / app


def default_database_url() -> str:
    """A SQLite file in the user data folder: the embedded default for demos and small installs."""
    return f"sqlite:///{user_data_dir() / 'server.db'}"


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: `burst` requests at once, refilled at `per_hour` per hour."""

    burst: int
    per_hour: float


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8700
    invitation_ttl_hours: int = 7 * 24
    activation_ttl_hours: int = 14 * 24
    # Rate limits (in-process buckets; several API processes each keep their own).
    signup_per_ip: RateLimit = RateLimit(burst=10, per_hour=30)
    recovery_per_ip: RateLimit = RateLimit(burst=10, per_hour=30)
    recovery_failures_per_lookup: RateLimit = RateLimit(burst=5, per_hour=5)
    activation_failures_per_email: RateLimit = RateLimit(burst=5, per_hour=5)
    invitation_lookups_per_ip: RateLimit = RateLimit(burst=20, per_hour=60)
    db_pool_size: int = 10
    # Housekeeping (services/housekeeping.py): stored push answers older than this go.
    push_answers_kept_days: int = 30
    housekeeping_hours: float = 6.0

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment first, then explicit overrides (CLI flags) win; None means 'not given'."""
        values: dict[str, object] = {}
        if url := os.environ.get(ENV_DATABASE_URL):
            values["database_url"] = url
        if host := os.environ.get(ENV_HOST):
            values["host"] = host
        if port := os.environ.get(ENV_PORT):
            values["port"] = int(port)
        values.update({key: value for key, value in overrides.items() if value is not None})
        return replace(cls(), **values)  # type: ignore[arg-type]
