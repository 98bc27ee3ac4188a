"""Who is calling: the device token (Bearer) resolves to a device and its account.

The token's format is checked by the `DeviceToken` dependency, on the event loop (no
database); the lookup runs in the route's own thread (`authenticate`), so a request makes
one thread hop, not one for the token and another for the route. The lookup is one
statement: the device (not revoked), its account and the youth's space, and whatever
else the route needs from the account (`/v1/me` needs nothing more).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from companion_server.context import AppContext
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
_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class Caller:
    account_id: str
    role: Role
    display_name: str
    device_id: str
    space_id: str | None  # the youth's own space


async def device_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The bearer token, its format checked (async: no thread, no database)."""
    if credentials is None:
        raise unauthorized()
    return _well_formed(credentials.credentials)


def _well_formed(token: str) -> str:
    if not _TOKEN.fullmatch(token):
        raise unauthorized("malformed device token")
    return token


DeviceToken = Annotated[str, Depends(device_token)]


class CallerLookup:
    """One statement, built once: the caller's device, account and space, plus `extra`
    account columns. On PostgreSQL it runs as text straight through psycopg: SQLAlchemy's
    statement machinery cost more than the round trip."""

    def __init__(
        self, *extra: Any, joined: Callable[[Select[Any]], Select[Any]] = lambda query: query
    ) -> None:
        """`extra` columns, and `joined` to add what they come from (rows may then be many:
        `authenticate_rows`)."""
        query = (
            select(
                Device.id,
                Device.last_seen_at,
                Account.id,
                Account.role,
                Account.display_name,
                Space.id,
                *extra,
            )
            .join(Account, Account.id == Device.account_id)
            .outerjoin(Space, Space.owner_id == Account.id)
            .where(Device.token_hash == bindparam("token_hash"), Device.revoked_at.is_(None))
        )
        self.query: Select[Any] = joined(query)
        self.pg_text = str(self.query.compile(dialect=psycopg_dialect()))

    def run(self, db: Database, hashed: bytes) -> list[tuple[Any, ...]]:
        """One statement, atomic on its own: no transaction around it on PostgreSQL."""
        if db.is_sqlite:
            with db.read_connection() as connection:
                return [
                    tuple(row) for row in connection.execute(self.query, {"token_hash": hashed})
                ]
        with db.psycopg_connection() as connection:
            found = connection.execute(self.pg_text, {"token_hash": hashed}).fetchall()
        return [(row[0], read_time(row[1]), *row[2:]) for row in found]


CALLER = CallerLookup()


def authenticate(
    ctx: AppContext, token: str, lookup: CallerLookup = CALLER
) -> tuple[Caller, tuple[Any, ...]]:
    """The caller, and the `extra` columns of `lookup`. No cache: a revoked device or a
    deleted account is refused on its very next request. Call from the route's thread."""
    caller, rows = authenticate_rows(ctx, token, lookup)
    return caller, rows[0]


def authenticate_rows(
    ctx: AppContext, token: str, lookup: CallerLookup
) -> tuple[Caller, list[tuple[Any, ...]]]:
    """The caller, and the `extra` columns of every row of `lookup` (at least one)."""
    rows = lookup.run(ctx.db, token_hash(_well_formed(token)))
    if not rows:
        raise unauthorized("unknown or signed-out device")
    device_id, last_seen, account_id, role, name, space_id = rows[0][:6]
    now = ctx.clock()
    if now - last_seen > LAST_SEEN_RESOLUTION:
        with ctx.db.write_connection() as connection:
            connection.execute(
                update(Device).where(Device.id == device_id).values(last_seen_at=now)
            )
    return Caller(account_id, Role(role), name, device_id, space_id), [row[6:] for row in rows]


def caller_of(ctx: AppContext, token: str) -> Caller:
    """The caller alone (most routes need nothing more)."""
    return authenticate(ctx, token)[0]
