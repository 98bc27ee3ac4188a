"""Who is calling: the device token (Bearer) resolves to a device and its account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from companion_server.context import Ctx
from companion_server.db.engine import Database
from companion_server.db.models import Account, Device, Space
from companion_server.db.types import read_time
from companion_server.errors import unauthorized
from companion_server.security import token_hash
from companion_wire import TOKEN_PATTERN, Role

LAST_SEEN_RESOLUTION = timedelta(hours=1)  # avoid a write on every request

bearer = HTTPBearer(
    auto_error=False,
    description="The device token from sign-up, activation or recovery.",
)


@dataclass(frozen=True)
class Caller:
    account_id: str
    role: Role
    display_name: str
    device_id: str
    space_id: str | None  # the youth's own space


# One statement, built once: the device (not revoked), its account and the youth's space.
_CALLER = (
    select(
        Device.id,
        Device.last_seen_at,
        Account.id,
        Account.role,
        Account.display_name,
        Space.id,
    )
    .join(Account, Account.id == Device.account_id)
    .outerjoin(Space, Space.owner_id == Account.id)
    .where(Device.token_hash == bindparam("token_hash"), Device.revoked_at.is_(None))
)
# The same statement as PostgreSQL text, run straight through psycopg on that backend:
# SQLAlchemy's statement machinery cost more than the round trip, on every request.
_PG_CALLER = str(_CALLER.compile(dialect=psycopg_dialect()))
_TOKEN = re.compile(TOKEN_PATTERN)


def _lookup(db: Database, hashed: bytes) -> tuple[str, datetime, str, str, str, str | None] | None:
    """One statement (atomic on its own, so no transaction around it on PostgreSQL)."""
    if db.is_sqlite:
        with db.read_connection() as connection:
            row = connection.execute(_CALLER, {"token_hash": hashed}).first()
        return None if row is None else tuple(row)
    with db.psycopg_connection() as connection:
        found = connection.execute(_PG_CALLER, {"token_hash": hashed}).fetchone()
    if found is None:
        return None
    device_id, last_seen, account_id, role, name, space_id = found
    return device_id, read_time(last_seen), account_id, role, name, space_id


def current_caller(
    ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    """No cache: a revoked device or a deleted account is refused on its very next request."""
    if credentials is None:
        raise unauthorized()
    token = credentials.credentials
    if not _TOKEN.fullmatch(token):
        raise unauthorized("malformed device token")
    row = _lookup(ctx.db, token_hash(token))
    if row is None:
        raise unauthorized("unknown or signed-out device")
    device_id, last_seen, account_id, role, name, space_id = row
    now = ctx.clock()
    if now - last_seen > LAST_SEEN_RESOLUTION:
        with ctx.db.write_connection() as connection:
            connection.execute(
                update(Device).where(Device.id == device_id).values(last_seen_at=now)
            )
    return Caller(account_id, Role(role), name, device_id, space_id)


CurrentCaller = Annotated[Caller, Depends(current_caller)]


def client_ip(request: Request) -> str:
    """The peer address (behind a proxy, run uvicorn with --proxy-headers to get the real one)."""
    return request.client.host if request.client else "unknown"
