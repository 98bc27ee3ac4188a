"""Who owns each space, and whose public keys: what the sync engine asks the server for.

The spaces this account may read come from `GET /v1/spaces` (kept in the store); public keys
come from the server too, but whether they are trusted is the `KeyRing`'s business
(companion.sync.keyring): the server's answers only pin a first key or announce a change.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass

from companion.crypto.errors import CryptoError
from companion.crypto.keys import AccountKeys, PublicKeys
from companion.store import Store
from companion.sync.api import ApiClient
from companion.sync.errors import ProtocolError
from companion.sync.keyring import KeyRing
from companion_wire import PublicKeys as WireKeys
from companion_wire import Role, SpaceOut

SPACES_KEY = "sync.spaces"


@dataclass(frozen=True)
class SpaceInfo:
    space_id: str
    owner_id: str
    my_role: Role
    version: int | None  # None when this account's link is no longer active


class Directory:
    def __init__(self, store: Store, api: ApiClient, *, me_id: str, my_keys: AccountKeys) -> None:
        self._meta = store.meta
        self._api = api
        self.keys = KeyRing.of(store, me_id=me_id, my_keys=my_keys.public)
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
        """Replace the cached list with the server's; returns it. The public keys it lists
        (the youth's, the linked people's) are offered to the key ring: pinned when new,
        noted when changed, never trusted for that."""
        spaces = list(spaces)
        self._spaces = {
            s.space_id: SpaceInfo(s.space_id, s.owner_id, s.my_role, s.version) for s in spaces
        }
        self._save_spaces()
        for space in spaces:
            self._offer(space.owner_id, space.owner_keys)
            for link in space.links:
                if link.person_id is not None:
                    self._offer(link.person_id, link.public_keys)
        return list(self._spaces.values())

    def _offer(self, account_id: str, wire: WireKeys | None) -> None:
        if wire is None:
            return
        try:
            keys = PublicKeys.from_wire(wire.model_dump())
        except CryptoError:
            return  # unusable keys are no keys: nothing to pin or compare
        self.keys.offer(account_id, keys)

    def forget_space(self, space_id: str) -> None:
        if self._spaces.pop(space_id, None) is not None:
            self._save_spaces()

    def spaces(self) -> list[SpaceInfo]:
        return list(self._spaces.values())

    def space(self, space_id: str) -> SpaceInfo | None:
        return self._spaces.get(space_id)

    # --- keys -------------------------------------------------------------------------------

    async def public_keys(self, account_id: str) -> PublicKeys:
        """Known keys, else the server's (then pinned, not trusted). Raises RefusedError if
        the server will not say (no active link in common), ProtocolError if its answer is
        unusable."""
        known = self.keys.cached(account_id)
        if known is not None:
            return known
        answer = await self._api.account_keys(account_id)
        try:
            keys = PublicKeys.from_wire(answer.public_keys.model_dump())
        except CryptoError as exc:
            raise ProtocolError(f"unusable public keys for {account_id}: {exc}") from exc
        await asyncio.to_thread(self.keys.pin, account_id, keys)
        return keys
