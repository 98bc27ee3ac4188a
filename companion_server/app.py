"""The FastAPI application: routes under /v1, error handlers, body limit, shared context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from companion_server import errors
from companion_server.blobstore import blob_store_for
from companion_server.context import AppContext, Clock, utc_now
from companion_server.db.engine import Database
from companion_server.limits import BodySizeLimit
from companion_server.metrics import RequestMetrics, metrics_endpoint
from companion_server.nudges import notifier_for
from companion_server.nudges.notifier import Notifier
from companion_server.ratelimit import RateLimiter
from companion_server.routes import (
    accounts,
    blobs,
    devices,
    health,
    invitations,
    live,
    spaces,
    sync,
)
from companion_server.services.housekeeping import housekeeping
from companion_server.settings import Settings
from companion_wire import API_PREFIX, MAX_BLOB_BODY_BYTES, MAX_BODY_BYTES

DESCRIPTION = """\
The Companion backend. It stores end-to-end encrypted records it cannot read, with the
metadata needed to route them; accounts, devices, care links and the access log.
Authenticate with `Authorization: Bearer <device token>`.
"""


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock = utc_now,
    limiter: RateLimiter | None = None,
    notifier: Notifier | None = None,
) -> FastAPI:
    """Build the app. The database must already be migrated (see `companion-server migrate`)."""
    settings = settings or Settings.from_env()
    owns_database = database is None
    db = database or Database(settings.database_url, settings.db_pool_size)

    notifier = notifier or notifier_for(db.url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with housekeeping(app.state.ctx):
            yield
        if getattr(app.state, "live_checks", None) is not None:
            await app.state.live_checks.close()
        notifier.close()
        if owns_database:
            db.dispose()

    app = FastAPI(
        title="Companion API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.ctx = AppContext(
        settings=settings,
        db=db,
        clock=clock,
        limiter=limiter or RateLimiter(db, now=lambda: clock().timestamp()),
        notifier=notifier,
        blobs=blob_store_for(settings),
    )
    errors.install(app)
    for module in (health, accounts, devices, invitations, spaces, sync, live, blobs):
        app.include_router(module.router, prefix=API_PREFIX)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=MAX_BODY_BYTES,
        larger=("PUT", f"{API_PREFIX}/blobs/", MAX_BLOB_BODY_BYTES),
    )
    app.add_middleware(RequestMetrics, log_requests=settings.log_requests)
    return app
