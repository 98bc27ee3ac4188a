"""One generic repository for every record kind; the kind's `KindSpec` supplies the differences.

This is the one place that stamps a change: services say what a record holds (`add`) or
what changes (`change`); the repository fills in who wrote it (this device's account) and
when (the store's hybrid logical clock) and writes its outbox row in the same transaction.
Deleting leaves a tombstone (deleted=True, content kept so the sync engine can resolve
edit-versus-delete conflicts); `get` returns tombstones, lists skip them unless asked.
Tombstones leave the search index at once; the sync engine purges them once the server has
the delete.
"""

from __future__ import annotations

import builtins
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import DiaryEntry, Record
from companion.store.codec import READ_COLUMNS, WRITE_COLUMNS, decoder, stamped, values
from companion.store.database import Database
from companion.store.errors import (
    DuplicateRecordError,
    InvalidQueryError,
    InvalidRecordError,
    NotFoundError,
)
from companion.store.kinds import KindSpec, Order
from companion.store.outbox import Outbox, OutboxOp

T = TypeVar("T", bound=Record)

MAX_LIMIT = 1000
MAX_SEARCH_TOKENS = 16

_INSERT = (
    f"INSERT INTO records ({', '.join(WRITE_COLUMNS)}, dirty) "
    f"VALUES ({', '.join('?' * len(WRITE_COLUMNS))}, 1) ON CONFLICT (id) DO NOTHING"
)
_UPDATE = (
    "UPDATE records SET "
    + ", ".join(f"{c} = ?" for c in WRITE_COLUMNS[2:])
    + ", dirty = 1 WHERE id = ? AND kind = ? AND deleted = 0"
)
_TOKEN = re.compile(r"[^\W_]+")


def _page(limit: object, offset: object) -> tuple[int, int]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQueryError(f"limit must be an integer from 1 to {MAX_LIMIT}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidQueryError("offset must be a non-negative integer")
    return limit, offset


def match_expression(text: str) -> str | None:
    """User text as a safe FTS5 query: every word quoted (so `"`, `*`, AND, - are just text),
    all words required, the last one as a prefix so results follow typing."""
    if not isinstance(text, str):
        raise InvalidQueryError("search text must be a string")
    words = _TOKEN.findall(unicodedata.normalize("NFC", text))[:MAX_SEARCH_TOKENS]
    if not words:
        return None
    return " ".join(f'"{w}"' for w in words) + "*"


class Repository(Generic[T]):
    def __init__(
        self,
        db: Database,
        spec: KindSpec[T],
        clock: HybridClock,
        outbox: Outbox,
        author: Callable[[], str],
    ) -> None:
        """`author()` is the account that writes on this device (read when a record is added)."""
        self._db = db
        self._spec = spec
        self._model = spec.model
        self._clock = clock
        self._outbox = outbox
        self._author = author
        self._decode = decoder(spec.model)

    def add(self, **fields: Any) -> T:
        """Store a new record made of `fields` (its content, space and sharing), written by
        this device's account now. Raises pydantic's ValidationError for content the kind
        does not allow (services turn it into a message), DuplicateRecordError for a taken id.
        """
        record = self._model(**fields, author_id=self._author(), updated_hlc=self._clock.now())
        return self._insert(record)

    def add_many(self, contents: Iterable[Mapping[str, Any]]) -> builtins.list[T]:
        """`add` for several records in one transaction (a goal's steps, a starter set):
        all stored or none."""
        author = self._author()
        records = [
            self._model(**fields, author_id=author, updated_hlc=self._clock.now())
            for fields in contents
        ]
        return self._insert_many(records)

    def change(self, record: T, **changes: Any) -> T:
        """Store `record` with `changes` applied, stamped now; the author stays who wrote it.
        Raises ValidationError for content the kind does not allow, NotFoundError when the
        record is unknown or deleted meanwhile."""
        data = record.model_dump()
        data.update(changes, updated_hlc=self._clock.now())
        if type(record) is not self._model:
            raise InvalidRecordError(f"expected a {self._model.__name__}")
        return self._replace(self._model.model_validate(data))

    def _prepare(self, item: T) -> T:
        if type(item) is not self._model:
            raise InvalidRecordError(
                f"expected a {self._model.__name__}, got {type(item).__name__}"
            )
        if item.deleted:
            raise InvalidRecordError("write a live record; use delete() to delete")
        return stamped(item, self._clock.now())

    def create(self, item: T) -> T:
        """Validate, stamp and store a new record with its outbox row; returns what was stored.
        (Records made elsewhere: imports, tests. Services use `add`.)"""
        return self._insert(self._prepare(item))

    def _insert(self, record: T) -> T:
        row = values(record, self._spec)
        with self._db.transaction():
            if self._db.execute(_INSERT, row).rowcount != 1:
                raise DuplicateRecordError(f"a record with id {record.id} already exists")
            self._outbox.add(record.id, self._spec.kind, OutboxOp.UPSERT)
        return record

    def create_many(self, items: Iterable[T]) -> builtins.list[T]:
        """Batch create in one transaction (imports): all stored or none."""
        return self._insert_many([self._prepare(item) for item in items])

    def _insert_many(self, stored: builtins.list[T]) -> builtins.list[T]:
        if len({r.id for r in stored}) != len(stored):
            raise DuplicateRecordError("the batch contains the same id twice")
        with self._db.transaction():
            cursor = self._db.executemany(_INSERT, [values(r, self._spec) for r in stored])
            if cursor.rowcount != len(stored):
                raise DuplicateRecordError("a record with one of these ids already exists")
            self._outbox.add_many(self._spec.kind, OutboxOp.UPSERT, [r.id for r in stored])
        return stored

    def update(self, item: T) -> T:
        """Store a new version of a live record; raises NotFoundError for unknown or deleted.
        (Services use `change`.)"""
        return self._replace(self._prepare(item))

    def _replace(self, record: T) -> T:
        row = values(record, self._spec)
        with self._db.transaction():
            cursor = self._db.execute(_UPDATE, (*row[2:], record.id, self._spec.kind.value))
            if cursor.rowcount == 0:
                raise NotFoundError(f"no live {self._spec.kind.value} with id {record.id}")
            self._outbox.add(record.id, self._spec.kind, OutboxOp.UPSERT)
        return record

    def delete(self, record_id: str) -> None:
        """Tombstone a record; deleting a tombstone again is a no-op (double taps are fine)."""
        with self._db.transaction():
            cursor = self._db.execute(
                "UPDATE records SET deleted = 1, updated_hlc = ?, dirty = 1 "
                "WHERE id = ? AND kind = ? AND deleted = 0",
                (self._clock.now(), record_id, self._spec.kind.value),
            )
            if cursor.rowcount == 1:
                self._outbox.add(record_id, self._spec.kind, OutboxOp.DELETE)
                return
            if not self._db.query(
                "SELECT 1 FROM records WHERE id = ? AND kind = ?",
                (record_id, self._spec.kind.value),
            ):
                raise NotFoundError(f"no {self._spec.kind.value} with id {record_id}")

    def get(self, record_id: str) -> T | None:
        """The record, tombstones included (check `.deleted`); None when unknown."""
        rows = self._db.query(
            f"SELECT {READ_COLUMNS} FROM records WHERE id = ? AND kind = ?",
            (record_id, self._spec.kind.value),
        )
        return self._decode(rows[0]) if rows else None

    def every(self, **filters: Any) -> Iterator[T]:
        """All records matching `filters` (as `list` takes them: live ones unless
        `include_deleted`), page by page in the kind's order. Chat-like kinds (messages,
        comments) page back from the newest, so across pages they are not in reading order:
        callers that need it sort."""
        offset = 0
        while True:
            page = self.list(limit=MAX_LIMIT, offset=offset, **filters)
            yield from page
            if len(page) < MAX_LIMIT:
                return
            offset += MAX_LIMIT

    def list(
        self,
        *,
        space_id: str | None = None,
        domain: LifeDomain | str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        include_deleted: bool = False,
        limit: int = 50,
        offset: int = 0,
        **kind_filters: Any,
    ) -> builtins.list[T]:
        """A page of records in the kind's order; `since` inclusive, `until` exclusive.

        Orders: diary, moods, goals, conversations, documents newest first; reminders
        soonest due first; steps by position; messages and comments the latest `limit`
        (paged back with `offset`) in reading order.
        """
        limit, offset = _page(limit, offset)
        spec = self._spec
        where, params = ["kind = ?"], [spec.kind.value]
        if not include_deleted:
            where.append("deleted = 0")
        if space_id is not None:
            where.append("space_id = ?")
            params.append(space_id)
        if domain is not None:
            if spec.domains_field is None:
                raise InvalidQueryError(f"{spec.kind.value} lists have no life domain")
            try:
                params.append(LifeDomain(domain).value)
            except ValueError:
                raise InvalidQueryError(f"unknown life domain {domain!r}") from None
            where.append("EXISTS (SELECT 1 FROM json_each(records.domains) WHERE value = ?)")
        for name, op, bound in (("since", ">=", since), ("until", "<", until)):
            if bound is not None:
                where.append(f"at {op} ?")
                params.append(spec.bound(name, bound))
        for name, value in kind_filters.items():
            column = spec.filter_column(name)
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))
        rows = self._db.query(
            f"SELECT {READ_COLUMNS} FROM records WHERE {' AND '.join(where)} "
            f"ORDER BY {spec.order.sql} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        if spec.order is Order.LATEST_IN_READING_ORDER:
            rows.reverse()
        return builtins.list(map(self._decode, rows))


class DiaryRepository(Repository[DiaryEntry]):
    def search(
        self, query: str, limit: int = 50, *, space_id: str | None = None
    ) -> builtins.list[DiaryEntry]:
        """Entries containing every word (accents ignored), newest first, tombstones excluded."""
        limit, _ = _page(limit, 0)
        expression = match_expression(query)
        if expression is None:
            return []
        where, params = ["kind = 'diary_entry'", "deleted = 0"], [expression]
        if space_id is not None:
            where.append("space_id = ?")
            params.append(space_id)
        rows = self._db.query(
            f"SELECT {READ_COLUMNS} FROM records WHERE row_id IN "
            "(SELECT rowid FROM diary_fts WHERE diary_fts MATCH ?) "
            f"AND {' AND '.join(where)} ORDER BY at DESC, id DESC LIMIT ?",
            (*params, limit),
        )
        return builtins.list(map(self._decode, rows))
