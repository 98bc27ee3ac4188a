"""What every request can reach: settings, database, clock, rate limiter and live notifier."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from companion_server.blobstore import BlobStore
from companion_server.db.engine import Database
from companion_server.nudges.notifier import Notifier
from companion_server.ratelimit import RateLimiter
from companion_server.settings import Settings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock  # the only source of "now": tests move it to expire links
    limiter: RateLimiter
    notifier: Notifier
    blobs: BlobStore  # the sealed chunks of files


async def get_context(request: Request) -> AppContext:
    """Async on purpose: FastAPI runs a plain function dependency in the thread pool."""
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(get_context)]
