"""Encrypted local store (SQLCipher): records, outbox, sync cursors, diary search."""

from companion.store.binding import default_connector
from companion.store.connection import OpenMode, SqlCipherConnector, StoreConnector
from companion.store.errors import (
    ConstraintError,
    CorruptDatabaseError,
    DatabaseLockedError,
    DiskFullError,
    DuplicateRecordError,
    InvalidKeyError,
    InvalidQueryError,
    InvalidRecordError,
    NotFoundError,
    SchemaTooNewError,
    StoreError,
    WrongKeyError,
)
from companion.store.held import HeldStore, HeldVersion
from companion.store.marks import Mark, MarkStore
from companion.store.outbox import Outbox, OutboxItem, OutboxOp
from companion.store.repository import DiaryRepository, Repository
from companion.store.store import ACCOUNT_KEY, Store, SyncInfo

__all__ = [
    "ACCOUNT_KEY",
    "ConstraintError",
    "CorruptDatabaseError",
    "DatabaseLockedError",
    "DiaryRepository",
    "DiskFullError",
    "DuplicateRecordError",
    "HeldStore",
    "HeldVersion",
    "InvalidKeyError",
    "InvalidQueryError",
    "InvalidRecordError",
    "Mark",
    "MarkStore",
    "NotFoundError",
    "OpenMode",
    "Outbox",
    "OutboxItem",
    "OutboxOp",
    "Repository",
    "SchemaTooNewError",
    "SqlCipherConnector",
    "Store",
    "StoreConnector",
    "StoreError",
    "SyncInfo",
    "WrongKeyError",
    "default_connector",
]
