"""What the server forgets on purpose: stored push answers past their use.

Every push answer is kept per (device, mutation id) so that a retried push is answered
exactly as the first time. A device retries within seconds or, after a long time offline,
days; answers older than `push_answers_kept_days` (30) are deleted. Should a device retry
even later, nothing breaks: the server treats the push as new, finds the record already at
or past that version and answers `conflict` with the record as stored, which the engine
takes like any other conflict (tests/sync/test_housekeeping.py). Nothing else is pruned:
records, links and the access log are the youth's and go only with the account or space.
Rate-limit buckets that have refilled completely are dropped too.

Every API process runs it every few hours; two doing it at once delete the same rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from sqlalchemy import CursorResult, delete, select, tuple_

from companion_server.context import AppContext
from companion_server.db.engine import Database
from companion_server.db.models import MutationLog
from companion_server.services.blobs import collect_orphans

log = logging.getLogger("companion_server")


PRUNE_BATCH = 5_000  # rows per transaction: pushes wait at most for one batch


def prune_push_answers(db: Database, now: datetime, kept_days: int) -> int:
    """Delete push answers stored before `now - kept_days`, a batch per transaction (the
    first run after months holds no lock for long); returns how many."""
    cutoff = now - timedelta(days=kept_days)
    key = tuple_(MutationLog.device_id, MutationLog.mutation_id)
    oldest = (
        select(MutationLog.device_id, MutationLog.mutation_id)
        .where(MutationLog.created_at < cutoff)
        .limit(PRUNE_BATCH)
    )
    total = 0
    while True:
        with db.write() as session:
            result = session.execute(delete(MutationLog).where(key.in_(oldest)))
            # a DELETE answers with a CursorResult (Session.execute is typed as any Result)
            if not isinstance(result, CursorResult):
                raise TypeError(f"a DELETE gave {type(result).__name__}, not a CursorResult")
            deleted = result.rowcount or 0
        total += deleted
        if deleted < PRUNE_BATCH:
            return total


def housekeeping_once(ctx: AppContext) -> int:
    """Old push answers, rate-limit buckets that have refilled (as good as new), and the
    blobs of deleted attachments or of uploads no record came for."""
    ctx.limiter.prune()
    if collected := collect_orphans(ctx, ctx.clock()):
        log.info("housekeeping: %d blobs no record refers to deleted", collected)
    return prune_push_answers(ctx.db, ctx.clock(), ctx.settings.push_answers_kept_days)


async def keep_house(ctx: AppContext, running: list[asyncio.Future[int]]) -> None:
    """Prune at start-up and then every `housekeeping_hours`, until cancelled. A failure
    (the database away for a moment) is logged and tried again next time. The prune in
    progress is kept in `running`, so shutting down can let it finish."""
    while True:
        pruning = asyncio.ensure_future(asyncio.to_thread(housekeeping_once, ctx))
        running[:] = [pruning]
        try:
            pruned = await asyncio.shield(pruning)  # cancelling us leaves it running
        except Exception:
            log.exception("housekeeping failed; trying again later")
        else:
            if pruned:
                log.info("housekeeping: %d stored push answers past their use deleted", pruned)
        await asyncio.sleep(ctx.settings.housekeeping_hours * 3600)


@contextlib.asynccontextmanager
async def housekeeping(ctx: AppContext) -> AsyncIterator[None]:
    """Runs `keep_house` for as long as the app serves; at the end a prune in progress
    finishes (a thread cannot be stopped) before the database is closed."""
    running: list[asyncio.Future[int]] = []
    task = asyncio.get_running_loop().create_task(keep_house(ctx, running))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for pruning in running:
            with contextlib.suppress(Exception):
                await pruning
