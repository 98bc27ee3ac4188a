"""Serving a pull: one page of a space's changes after a cursor, as the caller may see them.

The youth gets every record of their space. A linked person gets what was shared with them
or what they wrote, each delivery logged for the youth to read; records they received
before and can no longer see (unshared) are listed in `removed`, so their app drops them.
A reader who did not write a record gets only their own share and wrap of it.

This is the hottest route (a restore pulls a whole space): plain Core rows, statements
built once, and the page written as JSON text directly (`records.envelope_json`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, Row, bindparam, insert, select

from companion.domain.models import Role
from companion_server.access import SpaceAccess, SpaceRow, can_read, space_access
from companion_server.auth import Caller
from companion_server.context import AppContext
from companion_server.db.models import AccessLog
from companion_server.services.records import RECORDS, WIRE_COLUMNS, envelope_json

_PAGE = (
    select(*WIRE_COLUMNS)
    .where(
        RECORDS.c.space_id == bindparam("space_id"),
        RECORDS.c.version > bindparam("cursor", type_=BigInteger),
    )
    .order_by(RECORDS.c.version)
    .limit(bindparam("limit", type_=Integer))
)
_DELIVERED = (
    select(AccessLog.record_id)
    .where(
        AccessLog.account_id == bindparam("account_id"),
        AccessLog.record_id.in_(bindparam("record_ids", expanding=True)),
    )
    .distinct()
)
_LOG = insert(AccessLog.__table__)


def pull(ctx: AppContext, caller: Caller, space_id: str, cursor: int, limit: int) -> bytes:
    """The PullOut page as JSON bytes (built directly: this is the hottest route)."""
    now = ctx.clock()
    if caller.space_id == space_id:  # the youth: nothing to log, read-only transaction
        # Their own space (the token lookup found it), so there is no access to check.
        access = SpaceAccess(SpaceRow(space_id, caller.account_id, 0), Role.YOUTH)
        with ctx.db.one_statement() as connection:  # reads the page only
            return _page(connection, caller, access, cursor, limit, now)
    with ctx.db.write_connection() as connection:
        access = space_access(connection, caller, space_id, now)
        return _page(connection, caller, access, cursor, limit, now)


def _page(
    connection: Connection,
    caller: Caller,
    access: SpaceAccess,
    cursor: int,
    limit: int,
    now: datetime,
) -> bytes:
    rows = connection.execute(
        _PAGE, {"space_id": access.space.id, "cursor": cursor, "limit": limit + 1}
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    me = caller.account_id
    if access.is_owner:
        records = [envelope_json(r) for r in rows]
        removed: list[str] = []
    else:
        visible = [r for r in rows if can_read(False, me, r.author_id, json.loads(r.shared_with))]
        removed = _no_longer_visible(connection, caller, rows, visible)
        _log_deliveries(connection, caller, access, visible, now)
        records = [envelope_json(r, None if r.author_id == me else me) for r in visible]
    return (
        f'{{"records":[{",".join(records)}],"removed":{json.dumps(removed, separators=(",", ":"))},'
        f'"cursor":{rows[-1].version if rows else cursor},'
        f'"has_more":{"true" if has_more else "false"}}}'
    ).encode()


def _no_longer_visible(
    connection: Connection, caller: Caller, rows: list[Row[Any]], visible: list[Row[Any]]
) -> list[str]:
    """Hidden records of this page that this caller was given before (per the access log)."""
    seen = {r.id for r in visible}
    hidden = [r.id for r in rows if r.id not in seen]
    if not hidden:
        return []
    delivered = set(
        connection.scalars(_DELIVERED, {"account_id": caller.account_id, "record_ids": hidden})
    )
    return [record_id for record_id in hidden if record_id in delivered]


def _log_deliveries(
    connection: Connection,
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
        connection.execute(_LOG, rows)
