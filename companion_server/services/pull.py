"""Serving a pull: one page of a space's changes after a cursor, as the caller may see them.

The youth gets every record of their space. A linked person gets what was shared with them
or what they wrote, each delivery logged for the youth to read; records they received
before and can no longer see (unshared) are listed in `removed`, so their app drops them.
A reader who did not write a record gets only their own share and wrap of it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.orm import Session

from companion_server.access import SpaceAccess, can_read, space_access
from companion_server.auth import Caller
from companion_server.context import AppContext
from companion_server.db.models import AccessLog, Record
from companion_server.services.records import envelope_dict, reader_view


def pull(ctx: AppContext, caller: Caller, space_id: str, cursor: int, limit: int) -> bytes:
    """The PullOut page as JSON bytes (built directly: this is the hottest route)."""
    now = ctx.clock()
    if caller.space_id == space_id:  # the youth: nothing to log, read-only transaction
        with ctx.db.read() as session:
            return _page(
                session, caller, space_access(session, caller, space_id, now), cursor, limit, now
            )
    with ctx.db.write() as session:
        return _page(
            session, caller, space_access(session, caller, space_id, now), cursor, limit, now
        )


def _page(
    session: Session,
    caller: Caller,
    access: SpaceAccess,
    cursor: int,
    limit: int,
    now: datetime,
) -> bytes:
    table = Record.__table__  # plain rows, not ORM objects: this is the hot loop
    rows = list(
        session.execute(
            select(table)
            .where(table.c.space_id == access.space.id, table.c.version > cursor)
            .order_by(table.c.version)
            .limit(limit + 1)
        )
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    visible = [
        r for r in rows if can_read(access.is_owner, caller.account_id, r.author_id, r.shared_with)
    ]
    removed: list[str] = []
    if not access.is_owner:
        removed = _no_longer_visible(session, caller, rows, visible)
        _log_deliveries(session, caller, access, visible, now)
    page = {
        "records": [_as_seen_by(caller, access, r) for r in visible],
        "removed": removed,
        "cursor": rows[-1].version if rows else cursor,
        "has_more": has_more,
    }
    return json.dumps(page, separators=(",", ":")).encode()


def _as_seen_by(caller: Caller, access: SpaceAccess, record: Row[Any]) -> dict[str, Any]:
    envelope = envelope_dict(record)
    if access.is_owner or record.author_id == caller.account_id:
        return envelope
    return reader_view(envelope, caller.account_id)


def _no_longer_visible(
    session: Session, caller: Caller, rows: list[Row[Any]], visible: list[Row[Any]]
) -> list[str]:
    """Hidden records of this page that this caller was given before (per the access log)."""
    seen = {r.id for r in visible}
    hidden = [r.id for r in rows if r.id not in seen]
    if not hidden:
        return []
    delivered = set(
        session.scalars(
            select(AccessLog.record_id)
            .where(AccessLog.account_id == caller.account_id, AccessLog.record_id.in_(hidden))
            .distinct()
        )
    )
    return [record_id for record_id in hidden if record_id in delivered]


def _log_deliveries(
    session: Session,
    caller: Caller,
    access: SpaceAccess,
    visible: list[Row[Any]],
    now: datetime,
) -> None:
    """One access-log row per delivered record the caller did not write (tombstones aside)."""
    rows = [
        {
            "space_id": access.space.id,
            "account_id": caller.account_id,
            "record_id": r.id,
            "kind": r.kind,
            "route": "pull",
            "at": now,
        }
        for r in visible
        if r.author_id != caller.account_id and not r.deleted
    ]
    if rows:
        session.execute(insert(AccessLog), rows)
