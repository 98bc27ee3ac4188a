"""Server settings from the environment (and CLI flags), so it runs with no setup at all."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ENV_DATABASE_URL = "COMPANION_DATABASE_URL"
ENV_HOST = "COMPANION_HOST"
ENV_PORT = "COMPANION_PORT"
ENV_FORWARDED_ALLOW_IPS = "COMPANION_FORWARDED_ALLOW_IPS"
ENV_LOG_REQUESTS = "COMPANION_LOG_REQUESTS"
ENV_LOG_FORMAT = "COMPANION_LOG_FORMAT"
ENV_DB_POOL_SIZE = "COMPANION_DB_POOL_SIZE"
ENV_KEEP_ALIVE = "COMPANION_KEEP_ALIVE_SECONDS"
ENV_BLOB_DIR = "COMPANION_BLOB_DIR"


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
    # Rate limits and lockouts, shared by every API process (companion_server/ratelimit.py):
    # per address, per network (/24, /48) and overall, so spreading over addresses does
    # not help; failures per target (an e-mail, a recovery lookup).
    signup_per_address: RateLimit = RateLimit(burst=10, per_hour=30)
    signup_per_network: RateLimit = RateLimit(burst=30, per_hour=100)
    signup_overall: RateLimit = RateLimit(burst=500, per_hour=5000)
    recovery_per_address: RateLimit = RateLimit(burst=10, per_hour=30)
    recovery_per_network: RateLimit = RateLimit(burst=30, per_hour=100)
    recovery_overall: RateLimit = RateLimit(burst=500, per_hour=5000)
    recovery_failures_per_account: RateLimit = RateLimit(burst=5, per_hour=5)
    activation_failures_per_email: RateLimit = RateLimit(burst=5, per_hour=5)
    invitation_lookups_per_address: RateLimit = RateLimit(burst=20, per_hour=60)
    invitation_lookups_per_network: RateLimit = RateLimit(burst=60, per_hour=200)
    # Wrong invitation codes (40 bits): overall too, whatever addresses they come from.
    invitation_failures_per_address: RateLimit = RateLimit(burst=10, per_hour=30)
    invitation_failures_per_network: RateLimit = RateLimit(burst=20, per_hour=60)
    invitation_failures_overall: RateLimit = RateLimit(burst=100, per_hour=300)
    db_pool_size: int = 10
    log_requests: bool = False  # one structured line per request (method, route, status, ms)
    log_format: str = "json"  # or "text"
    # The proxies whose X-Forwarded-For is believed (the client address rate limits count).
    forwarded_allow_ips: str = "127.0.0.1"
    # Idle keep-alive connections are kept this long: longer than a proxy's idle timeout,
    # so the proxy, not the server, closes them (no request lost to a close race).
    keep_alive_seconds: int = 75
    # Housekeeping (services/housekeeping.py): stored push answers older than this go.
    push_answers_kept_days: int = 30
    housekeeping_hours: float = 6.0
    # Files (companion_server/blobstore.py): the folder of sealed chunks (None: `blobs` beside
    # a SQLite file, else in the user data folder), and what one youth's space may hold.
    blob_dir: str | None = None
    blob_quota_bytes: int = 1024 * 1024 * 1024
    # A blob no record refers to after this long (an upload given up, a deleted
    # attachment) is collected by housekeeping.
    orphan_blob_hours: float = 48.0

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Environment first, then explicit overrides (CLI flags) win; None means 'not given'."""
        values: dict[str, Any] = {}  # field name -> value of that field's type
        if url := os.environ.get(ENV_DATABASE_URL):
            values["database_url"] = url
        if host := os.environ.get(ENV_HOST):
            values["host"] = host
        if port := os.environ.get(ENV_PORT):
            values["port"] = int(port)
        if proxies := os.environ.get(ENV_FORWARDED_ALLOW_IPS):
            values["forwarded_allow_ips"] = proxies
        if log_requests := os.environ.get(ENV_LOG_REQUESTS):
            values["log_requests"] = log_requests.lower() in ("1", "true", "yes")
        if log_format := os.environ.get(ENV_LOG_FORMAT):
            values["log_format"] = log_format
        if pool_size := os.environ.get(ENV_DB_POOL_SIZE):
            values["db_pool_size"] = int(pool_size)
        if keep_alive := os.environ.get(ENV_KEEP_ALIVE):
            values["keep_alive_seconds"] = int(keep_alive)
        if blob_dir := os.environ.get(ENV_BLOB_DIR):
            values["blob_dir"] = blob_dir
        values.update({key: value for key, value in overrides.items() if value is not None})
        return replace(cls(), **values)
