"""Serving a pull: one page of a space's changes after a cursor, as the caller may see them.

The youth gets every record of their space. A linked person gets what was shared with them
or what they wrote, each delivery logged for the youth to read; records they received
before and can no longer see (unshared) are listed in `removed`, so their app drops them.
A reader who did not write a record gets only their own share and wrap of it.

This is the hottest route (a restore pulls a whole space; a caregiver pulls every chat
message): the reads and writes are in pull_rows.py (on PostgreSQL: one round trip for the
youth, two for a linked person) and the page is written as JSON text directly
(`records.envelope_json`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from companion_server.access import SpaceAccess, access_by_space, can_read
from companion_server.auth import Caller
from companion_server.context import AppContext
from companion_server.services import pull_rows
from companion_server.services.pull_rows import PageRow
from companion_server.services.records import envelope_json


def pull(ctx: AppContext, caller: Caller, space_id: str, cursor: int, limit: int) -> bytes:
    """The PullOut page as JSON bytes (built directly: this is the hottest route)."""
    if caller.space_id == space_id:  # the youth: nothing to log, one read
        # Their own space (the token lookup found it), so there is no access to check.
        with pull_rows.own_space(ctx.db) as rows:
            page = rows.page(space_id, cursor, limit + 1)
        return _page_json([envelope_json(r) for r in page[:limit]], [], page, cursor, limit)
    now = ctx.clock()
    me = caller.account_id
    with pull_rows.linked_space(ctx.db) as rows:
        spaces, page = rows.access_and_page(me, space_id, cursor, limit + 1)
        access = access_by_space(spaces, [space_id], caller, now)[space_id]
        if not isinstance(access, SpaceAccess):
            raise access  # 403: the page read with it is dropped, nothing is written
        visible = [
            r for r in page[:limit] if can_read(False, me, r.author_id, json.loads(r.shared_with))
        ]
        seen = {r.id for r in visible}
        hidden = [r.id for r in page[:limit] if r.id not in seen]
        delivered = rows.deliver(me, hidden, _log_rows(caller, space_id, visible, now))
    removed = [record_id for record_id in hidden if record_id in delivered]
    records = [envelope_json(r, None if r.author_id == me else me) for r in visible]
    return _page_json(records, removed, page, cursor, limit)


def _page_json(
    records: list[str], removed: list[str], page: list[PageRow], cursor: int, limit: int
) -> bytes:
    """`json.dumps(PullOut dict, separators=(",", ":"))`, from envelopes already written.
    `page` holds up to limit + 1 rows: one more means there is more to pull."""
    rows = page[:limit]
    return (
        f'{{"records":[{",".join(records)}],"removed":{json.dumps(removed, separators=(",", ":"))},'
        f'"cursor":{rows[-1].version if rows else cursor},'
        f'"has_more":{"true" if len(page) > limit else "false"}}}'
    ).encode()


def _log_rows(
    caller: Caller, space_id: str, visible: list[PageRow], now: datetime
) -> list[dict[str, Any]]:
    """One access-log row per delivered record the caller did not write (tombstones aside)."""
    return [
        {
            "space_id": space_id,
            "account_id": caller.account_id,
            "record_id": r.id,
            "kind": r.kind,
            "route": "pull",
            "at": now,
        }
        for r in visible
        if r.author_id != caller.account_id and not r.deleted
    ]
