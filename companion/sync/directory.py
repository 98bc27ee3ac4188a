"""Who owns each space and which public keys belong to whom, cached on the device.

Sealing a record needs the X25519 key of every recipient, and opening one needs the author's
keys to verify the signature. Keys are fetched from the server once and then kept in the
encrypted store: a key already known is never replaced by what the server says later (the
server must not be able to swap someone's keys silently; pairing verifies them in person).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass

from companion.crypto.errors import CryptoError
from companion.crypto.keys import AccountKeys, PublicKeys
from companion.store.kv import MetaStore
from companion.sync.api import ApiClient
from companion.sync.errors import ProtocolError
from companion_wire import Role, SpaceOut

KEYS_PREFIX = "sync.keys."
SPACES_KEY = "sync.spaces"


@dataclass(frozen=True)
class SpaceInfo:
    space_id: str
    owner_id: str
    my_role: Role
    version: int | None  # None when this account's link is no longer active


class Directory:
    def __init__(
        self, meta: MetaStore, api: ApiClient, *, me_id: str, my_keys: AccountKeys
    ) -> None:
        self._meta = meta
        self._api = api
        self._me_id = me_id
        self._keys: dict[str, PublicKeys] = {me_id: my_keys.public}
        self._spaces: dict[str, SpaceInfo] = self._load_spaces()

    # --- spaces ---------------------------------------------------------------------------

    def _load_spaces(self) -> dict[str, SpaceInfo]:
        raw = self._meta.get(SPACES_KEY)
        if raw is None:
            return {}
        return {
            item["space_id"]: SpaceInfo(
                item["space_id"], item["owner_id"], Role(item["my_role"]), item.get("version")
            )
            for item in json.loads(raw)
        }

    def _save_spaces(self) -> None:
        self._meta.set(
            SPACES_KEY,
            json.dumps(
                [
                    {
                        "space_id": s.space_id,
                        "owner_id": s.owner_id,
                        "my_role": s.my_role.value,
                        "version": s.version,
                    }
                    for s in self._spaces.values()
                ]
            ),
        )

    def remember_space(self, space_id: str, owner_id: str, role: Role) -> None:
        """Known before any server answer: the youth's own space, made on the device."""
        if space_id not in self._spaces:
            self._spaces[space_id] = SpaceInfo(space_id, owner_id, role, None)
            self._save_spaces()

    def set_spaces(self, spaces: Iterable[SpaceOut]) -> list[SpaceInfo]:
        """Replace the cached list with the server's; returns it."""
        self._spaces = {
            s.space_id: SpaceInfo(s.space_id, s.owner_id, s.my_role, s.version) for s in spaces
        }
        self._save_spaces()
        return list(self._spaces.values())

    def forget_space(self, space_id: str) -> None:
        if self._spaces.pop(space_id, None) is not None:
            self._save_spaces()

    def spaces(self) -> list[SpaceInfo]:
        return list(self._spaces.values())

    def space(self, space_id: str) -> SpaceInfo | None:
        return self._spaces.get(space_id)

    # --- keys -----------------------------------------------------------------------------

    def pin(self, account_id: str, keys: PublicKeys) -> None:
        """Keep keys verified in person (safety number) or first seen from the server."""
        self._keys[account_id] = keys
        self._meta.set(KEYS_PREFIX + account_id, json.dumps(keys.to_wire()))

    def cached(self, account_id: str) -> PublicKeys | None:
        known = self._keys.get(account_id)
        if known is not None:
            return known
        raw = self._meta.get(KEYS_PREFIX + account_id)
        if raw is None:
            return None
        known = PublicKeys.from_wire(json.loads(raw))
        self._keys[account_id] = known
        return known

    async def public_keys(self, account_id: str) -> PublicKeys:
        """Cached keys, else the server's (then pinned). Raises RefusedError if the server
        will not say (no active link in common), ProtocolError if its answer is unusable."""
        known = self.cached(account_id)
        if known is not None:
            return known
        answer = await self._api.account_keys(account_id)
        try:
            keys = PublicKeys.from_wire(answer.public_keys.model_dump())
        except CryptoError as exc:
            raise ProtocolError(f"unusable public keys for {account_id}: {exc}") from exc
        await asyncio.to_thread(self.pin, account_id, keys)
        return keys
