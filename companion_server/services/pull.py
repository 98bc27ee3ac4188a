"""Serving a pull: one page of a space's changes after a cursor, as the caller may see them.

The youth gets every version in their space. A linked person gets the versions they hold a
wrap of (shared with them, or written by them), each delivery logged for the youth to read,
and the versions that took a record away from them (their notice, no content); their
cursor moves through `record_reads` alone, so it says nothing of what else happened in the
space. A reader who did not write a record gets only their own share and wrap of it.

This is the hottest route (a restore pulls a whole space; a caregiver pulls every chat
message): the reads and writes are in pull_rows.py (on PostgreSQL: one round trip for the
youth, two for a linked person) and the page is written as JSON text directly
(`records.envelope_json`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from companion_server.access import SpaceAccess, access_by_space
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
        records = [envelope_json(r) for r in page[:limit]]
        return _page_json(records, _last(page[:limit], "version", cursor), len(page) > limit)
    now = ctx.clock()
    me = caller.account_id
    with pull_rows.linked_space(ctx.db) as rows:
        spaces, page = rows.access_and_page(me, space_id, cursor, limit + 1)
        access = access_by_space(spaces, [space_id], caller, now)[space_id]
        if not isinstance(access, SpaceAccess):
            raise access  # 403: the page read with it is dropped, nothing is written
        served = [
            (row, envelope_json(row[:-1], None if row.author_id == me else me))
            for row in page[:limit]
        ]
        served = [(row, text) for row, text in served if text]
        delivered = [row for row, _ in served if _reads(row, me)]
        rows.deliver(_log_rows(caller, space_id, delivered, now))
    records = [text for _, text in served]
    return _page_json(records, _last(page[:limit], "held_at", cursor), len(page) > limit)


def _last(page: list[PageRow], column: str, cursor: int) -> int:
    return int(getattr(page[-1], column)) if page else cursor


def _reads(row: PageRow, me: str) -> bool:
    """Whether `me` reads this version (a delivery the youth's log shows), not a notice."""
    return not row.deleted and (row.author_id == me or me in json.loads(row.shared_with))


def _page_json(records: list[str], cursor: int, has_more: bool) -> bytes:
    """`json.dumps(PullOut dict, separators=(",", ":"))`, from envelopes already written."""
    return (
        f'{{"records":[{",".join(records)}],"cursor":{cursor},'
        f'"has_more":{"true" if has_more else "false"}}}'
    ).encode()


def _log_rows(
    caller: Caller, space_id: str, delivered: list[PageRow], now: datetime
) -> list[dict[str, Any]]:
    """One access-log row per delivered record the caller did not write."""
    return [
        {
            "space_id": space_id,
            "account_id": caller.account_id,
            "record_id": r.id,
            "kind": r.kind,
            "route": "pull",
            "at": now,
        }
        for r in delivered
        if r.author_id != caller.account_id
    ]
