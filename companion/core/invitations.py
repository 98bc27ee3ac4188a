"""Before anyone accepts an invitation: who invites, and is it really their key?

The code (typed, or the QR payload `companion://join?code=ABCD-EFGH&fp=<safety number>` the
inviter's own device made) is looked up on the server (GET /v1/invitations/{code}); the
invited person sees the inviter's name, role and safety number computed here from the
public keys the server returned. A QR code carries the inviter's own number: if the
server's keys give another one, the keys were swapped somewhere in between, and the app
says so before anything is accepted; if they match, the inviter is verified at once
(docs/security.md). Both apps use this: a youth invited by a caregiver, a caregiver or
network person invited by a youth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from pydantic import TypeAdapter, ValidationError

from companion.core.errors import InvalidInput, from_sync_error
from companion.crypto.errors import FingerprintMismatchError
from companion.crypto.fingerprint import safety_number, verify_fingerprint
from companion.crypto.keys import PublicKeys
from companion.sync.api import ApiClient
from companion.sync.errors import RefusedError, SyncError
from companion_wire import InvitationCode, Role

QR_SCHEME = "companion"
_INVITATION_CODE = TypeAdapter(InvitationCode)


def normalise_invitation(text: str) -> str:
    """Invitation codes are read aloud and typed: case, spaces and dashes do not matter, and
    a code the server could never know is caught here, before any network call."""
    compact = re.sub(r"[\s\-]", "", text or "")
    try:
        return _INVITATION_CODE.validate_python(compact)
    except ValidationError:
        raise InvalidInput("invitation_format", field="invitation") from None


@dataclass(frozen=True)
class InvitationText:
    code: str  # normalised: upper case, no dashes
    fingerprint: str | None  # the inviter's number from a QR code, if it came from one


@dataclass(frozen=True)
class Inviter:
    account_id: str
    keys: PublicKeys  # as the server gave them: trusted only if `fingerprint_matches`
    fingerprint: str | None  # the number the QR code carried
    name: str
    role: Role  # the inviter's own role (caregiver, network)
    invited_as: Role  # the role the invitation gives
    safety_number: str
    expires_at: datetime
    # True: the QR's number matches the keys; False: it does not (do not accept);
    # None: a typed code carries no number to compare (compare aloud in person)
    fingerprint_matches: bool | None


def read_invitation(text: str) -> InvitationText:
    """A typed code, or the text of the invitation's QR code."""
    raw = (text or "").strip()
    if raw.lower().startswith(f"{QR_SCHEME}:"):
        query = parse_qs(urlsplit(raw).query)
        codes, numbers = query.get("code", []), query.get("fp", [])
        if len(codes) != 1:
            raise InvalidInput("invitation_format", field="invitation")
        return InvitationText(normalise_invitation(codes[0]), numbers[0] if numbers else None)
    return InvitationText(normalise_invitation(raw), None)


async def preview_invitation(api: ApiClient, invitation: InvitationText) -> Inviter:
    """Ask the server who made this invitation; raises ServiceErrors the views translate
    (unknown or expired code, offline, rate limited)."""
    try:
        preview = await api.preview_invitation(invitation.code)
    except RefusedError as error:
        if error.status in (400, 404, 410, 422):
            raise InvalidInput("invitation_unknown", field="invitation") from None
        raise from_sync_error(error) from None
    except SyncError as error:
        raise from_sync_error(error) from None
    keys = PublicKeys.from_wire(preview.inviter_public_keys.model_dump())
    matches: bool | None = None
    if invitation.fingerprint is not None:
        try:
            verify_fingerprint(invitation.fingerprint, keys)
            matches = True
        except FingerprintMismatchError:
            matches = False
    return Inviter(
        preview.inviter_id,
        keys,
        invitation.fingerprint,
        preview.inviter_name,
        preview.inviter_role,
        preview.role,
        safety_number(keys),
        preview.expires_at,
        matches,
    )
