"""This device's sign-in with the server: the bearer token (a secret) and the device id.

The token is a credential, so it lives in the key vault, not in the database; the device
id is not secret and sits in the store's meta table.
"""

from __future__ import annotations

from companion.crypto.vault_base import KeyVault
from companion.store.kv import MetaStore
from companion_wire import SessionOut

TOKEN_SECRET = "device_token"
DEVICE_ID_KEY = "sync.device_id"


class DeviceSession:
    def __init__(self, vault: KeyVault, meta: MetaStore) -> None:
        self._vault = vault
        self._meta = meta

    @property
    def token(self) -> str | None:
        raw = self._vault.get(TOKEN_SECRET)
        return raw.decode("ascii") if raw is not None else None

    @property
    def device_id(self) -> str | None:
        return self._meta.get(DEVICE_ID_KEY)

    def save(self, session: SessionOut) -> None:
        """Keep a new sign-in (after sign-up or recovery)."""
        self._vault.set(TOKEN_SECRET, session.token.encode("ascii"))
        self._meta.set(DEVICE_ID_KEY, session.device_id)

    def clear(self) -> None:
        """Forget a token the server refused, so nobody keeps sending it."""
        self._vault.delete(TOKEN_SECRET)
