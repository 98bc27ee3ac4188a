"""Which SQLCipher binding opens the store on this platform.

Desktops use `sqlcipher3`; Android and iOS have no build of it and use APSW with SQLite3
Multiple Ciphers, which reads the same files. COMPANION_STORE_BINDING forces one (tests run
the store suite on both; the phone CI profile runs it on the phone binding).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from companion.phone.platform import on_phone
from companion.store.connection import SqlCipherConnector, StoreConnector
from companion.store.errors import StoreError

BINDING_ENV = "COMPANION_STORE_BINDING"
SQLCIPHER3 = "sqlcipher3"
SQLITE3MC = "sqlite3mc"


def _sqlite3mc() -> StoreConnector:
    from companion.store.sqlite3mc import Sqlite3mcConnector

    return Sqlite3mcConnector()


CONNECTORS: dict[str, Callable[[], StoreConnector]] = {
    SQLCIPHER3: SqlCipherConnector,
    SQLITE3MC: _sqlite3mc,
}


def binding_name() -> str:
    """The forced binding if COMPANION_STORE_BINDING is set, else the platform's."""
    forced = os.environ.get(BINDING_ENV, "").strip().lower()
    if forced:
        if forced not in CONNECTORS:
            choices = ", ".join(CONNECTORS)
            raise StoreError(f"{BINDING_ENV} must be one of {choices}, not {forced!r}")
        return forced
    if on_phone():
        return SQLITE3MC
    return SQLCIPHER3


def default_connector() -> StoreConnector:
    """A connector for this platform's binding (imports the binding now, not before)."""
    return CONNECTORS[binding_name()]()
