"""Verifying the people this account shares with (DESIGN §4, docs/security.md).

The server hands out public keys and could hand out its own. So content is sealed only for
keys this account verified, and accepted only from them: two people compare one safety
number on their two screens (in person, or at the next appointment), or the code that was
handed over in person carried the inviter's number. A verification is a private record
(`ContactKey`) in the space it concerns, so it comes back with everything else on a new
device. When the server later offers other keys for a verified person, they are not used:
the person is shown as changed until they are compared again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from companion.core.errors import InvalidInput, NotFound
from companion.core.invitations import Inviter
from companion.crypto.errors import FingerprintMismatchError
from companion.crypto.fingerprint import (
    combined_safety_number,
    invitation_payload,
    safety_number,
    verify_fingerprint,
)
from companion.crypto.keys import PublicKeys, encode_b64
from companion.domain.models import ContactKey, VerificationMethod
from companion.store import Store
from companion.sync.keyring import KeyRing, KeyStatus
from companion_wire import RecordKind


@dataclass(frozen=True)
class PersonKeys:
    person_id: str
    status: KeyStatus
    # both people's numbers side by side (ten groups), the same on both screens; None while
    # this device knows no key of theirs yet (before the first sync after linking)
    safety_number: str | None


class Verification:
    def __init__(
        self, store: Store, me_id: str, my_keys: PublicKeys, now: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._me_id = me_id
        self._my_keys = my_keys
        self._now = now
        self._ring = KeyRing.of(store, me_id=me_id, my_keys=my_keys)

    def my_number(self) -> str:
        """This account's own number (what an invitation's QR code carries)."""
        return safety_number(self._my_keys)

    def invitation_payload(self, code: str) -> str:
        return invitation_payload(code, self._my_keys)

    def of(self, person_id: str) -> PersonKeys:
        """Where this account stands with someone's keys, and the number to compare."""
        self._ring.verifications_changed()  # another device of this account may have verified
        candidate = self._ring.candidate(person_id)
        number = combined_safety_number(self._my_keys, candidate) if candidate else None
        return PersonKeys(person_id, self._ring.status(person_id), number)

    def statuses(self, person_ids: list[str]) -> dict[str, KeyStatus]:
        self._ring.verifications_changed()
        return {person: self._ring.status(person) for person in person_ids}

    def confirm(self, person_id: str, space_id: str) -> ContactKey:
        """The two screens showed the same number: trust the keys it was made from."""
        return self._keep(person_id, space_id, VerificationMethod.IN_PERSON)

    def confirm_invitation(self, person_id: str, space_id: str, fingerprint: str) -> ContactKey:
        """The inviter's number came with the code handed over in person: trust their keys
        if they match it. InvalidInput("fingerprint_mismatch") when they do not: then
        nothing is trusted and the person must not be linked."""
        candidate = self._ring.candidate(person_id)
        if candidate is None:
            raise NotFound(person_id)
        try:
            verify_fingerprint(fingerprint, candidate)
        except FingerprintMismatchError:
            raise InvalidInput("fingerprint_mismatch", field="fingerprint") from None
        return self._keep(person_id, space_id, VerificationMethod.INVITATION)

    def confirm_inviter(self, inviter: Inviter, space_id: str) -> ContactKey:
        """An invitation handed over in person carried its inviter's number (a QR code),
        and the keys the server gave match it: trust them."""
        if inviter.fingerprint is None:
            raise InvalidInput("fingerprint_mismatch", field="fingerprint")
        self._ring.offer(inviter.account_id, inviter.keys)
        return self.confirm_invitation(inviter.account_id, space_id, inviter.fingerprint)

    def _keep(self, person_id: str, space_id: str, method: VerificationMethod) -> ContactKey:
        if person_id == self._me_id:
            raise InvalidInput("invalid_choice", field="person")
        keys = self._ring.candidate(person_id)
        if keys is None:
            raise NotFound(person_id)
        repository = self._store.repository_for(RecordKind.CONTACT_KEY)
        record = repository.add(
            space_id=space_id,
            person_id=person_id,
            x25519=encode_b64(keys.x25519),
            ed25519=encode_b64(keys.ed25519),
            verified_at=self._now(),
            method=method,
        )
        self._ring.verifications_changed()
        return record
