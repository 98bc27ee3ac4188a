"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a log table.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


def stored_time(value: datetime) -> datetime:
    """A time as it is stored: naive UTC. A naive input is refused, never guessed."""
    if value.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return value.astimezone(UTC).replace(tzinfo=None)


@overload
def read_time(value: datetime) -> datetime: ...
@overload
def read_time(value: datetime | None) -> datetime | None: ...
def read_time(value: datetime | None) -> datetime | None:
    """A stored time as it is read back: time-zone aware UTC."""
    return None if value is None else value.replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC, always returned time-zone aware (SQLite keeps no zone).
    The hot routes that bypass SQLAlchemy (psycopg pipelines) use the same two functions."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else stored_time(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return read_time(value)
