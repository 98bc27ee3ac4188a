"""Which public keys this device trusts for whom (docs/security.md).

The server hands out public keys but is not trusted with them. A key is *trusted* only once
this account verified it: by comparing safety numbers in person, or through the commitment
an invitation handed over in person carried (`ContactKey` records in the store, which sync
to the account's other and future devices). Before that, the first key the server gave is
kept (pinned) so people can compare it, and a different key offered later is remembered as
a change for them to verify again; nothing the server says replaces a pin.
"""

from __future__ import annotations

import json
import weakref
from enum import StrEnum

from companion.crypto.keys import PublicKeys
from companion.domain.models import ContactKey
from companion.store import Store
from companion_wire import RecordKind

KEYS_PREFIX = "sync.keys."
CHANGED_PREFIX = "sync.keys_changed."


class KeyStatus(StrEnum):
    UNKNOWN = "unknown"  # no key seen yet
    UNVERIFIED = "unverified"  # a key is pinned, nobody compared it yet
    VERIFIED = "verified"  # this account checked the key it uses
    CHANGED = "changed"  # the server now offers another key than the verified one


_RINGS: weakref.WeakKeyDictionary[Store, KeyRing] = weakref.WeakKeyDictionary()


class KeyRing:
    """One per store (`KeyRing.of`): the sync engine and the app's verification service
    then see the same trust at once, whoever wrote or pulled a verification."""

    @classmethod
    def of(cls, store: Store, *, me_id: str, my_keys: PublicKeys) -> KeyRing:
        ring = _RINGS.get(store)
        if ring is None or ring._me_id != me_id:
            ring = _RINGS[store] = cls(store, me_id=me_id, my_keys=my_keys)
        return ring

    def __init__(self, store: Store, *, me_id: str, my_keys: PublicKeys) -> None:
        self._store = store
        self._meta = store.meta
        self._me_id = me_id
        self._my_keys = my_keys
        self._keys: dict[str, PublicKeys] = {me_id: my_keys}
        self._verified: dict[str, PublicKeys] | None = None  # read from the store when asked

    def pin(self, account_id: str, keys: PublicKeys) -> None:
        """Keep the first keys seen for someone (to compare later); never replaces a pin."""
        if self.cached(account_id) is not None:
            return
        self._keys[account_id] = keys
        self._meta.set(KEYS_PREFIX + account_id, json.dumps(keys.to_wire()))

    def cached(self, account_id: str) -> PublicKeys | None:
        """The keys this device uses for someone: verified ones, else the pinned ones."""
        verified = self.verified_keys().get(account_id)
        if verified is not None:
            return verified
        known = self._keys.get(account_id)
        if known is not None:
            return known
        raw = self._meta.get(KEYS_PREFIX + account_id)
        if raw is None:
            return None
        known = PublicKeys.from_wire(json.loads(raw))
        self._keys[account_id] = known
        return known

    def trusted(self, account_id: str) -> PublicKeys | None:
        """Keys content may be sealed for, or accepted from: this account's own, or ones it
        verified. None: nothing goes to or comes from that person yet."""
        if account_id == self._me_id:
            return self._my_keys
        return self.verified_keys().get(account_id)

    def status(self, account_id: str) -> KeyStatus:
        verified = self.verified_keys().get(account_id)
        changed = self.changed_keys(account_id)
        if verified is not None:
            return KeyStatus.CHANGED if changed not in (None, verified) else KeyStatus.VERIFIED
        return KeyStatus.UNVERIFIED if self.cached(account_id) is not None else KeyStatus.UNKNOWN

    def candidate(self, account_id: str) -> PublicKeys | None:
        """The keys to compare in person now: a change the server announced, else the pin."""
        return self.changed_keys(account_id) or self.cached(account_id)

    def changed_keys(self, account_id: str) -> PublicKeys | None:
        raw = self._meta.get(CHANGED_PREFIX + account_id)
        return PublicKeys.from_wire(json.loads(raw)) if raw is not None else None

    def offer(self, account_id: str, keys: PublicKeys) -> KeyStatus:
        """What the server says someone's keys are (it lists them with every link): pinned
        if new, remembered as a change if they differ from what this device uses."""
        if account_id == self._me_id:
            return KeyStatus.VERIFIED
        known = self.cached(account_id)
        if known is None:
            self.pin(account_id, keys)
        elif known != keys:
            self._meta.set(CHANGED_PREFIX + account_id, json.dumps(keys.to_wire()))
        elif self.changed_keys(account_id) is not None:
            self._meta.delete(CHANGED_PREFIX + account_id)  # the server went back to them
        return self.status(account_id)

    def verified_keys(self) -> dict[str, PublicKeys]:
        """Person -> the keys this account last verified for them (its ContactKey records)."""
        if self._verified is None:
            newest: dict[str, ContactKey] = {}
            for record in self._store.repository_for(RecordKind.CONTACT_KEY).every():
                if not isinstance(record, ContactKey) or record.author_id != self._me_id:
                    continue
                before = newest.get(record.person_id)
                if before is None or before.verified_at < record.verified_at:
                    newest[record.person_id] = record
            self._verified = {
                person: PublicKeys.from_wire({"x25519": key.x25519, "ed25519": key.ed25519})
                for person, key in newest.items()
            }
        return self._verified

    def verifications_changed(self) -> None:
        """A ContactKey was written or pulled: read them again when next asked."""
        self._verified = None
        for account_id, keys in list(self.verified_keys().items()):
            if self.changed_keys(account_id) == keys:
                self._meta.delete(CHANGED_PREFIX + account_id)
