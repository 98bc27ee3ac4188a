"""Registering an account made offline, on the device's first contact with the server.

Onboarding (companion/youth/accounts.py) creates the account entirely on the phone and
leaves markers in the store's meta table; these names are that contract. Registration sends
them with POST /v1/accounts and clears them. If an earlier attempt reached the server but its
answer was lost, the ids are taken by our own account: the stored recovery proof then signs
this device in instead (no duplicate account, no dead end).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from companion.store.kv import MetaStore
from companion.sync.api import ApiClient
from companion.sync.errors import RefusedError, SignInRequiredError, SyncError
from companion_wire import ErrorCode, RecoverIn, Role, SessionOut, SignUpIn

PENDING_REGISTRATION = "pending_registration"  # "1" until the server has the account
PENDING_ENROLMENT = "pending_enrolment"  # JSON: public_keys, key_backup, recovery
PENDING_INVITATION = "pending_invitation"  # invitation code typed at sign-up, if any
ACCOUNT_ID = "account_id"
SPACE_ID = "space_id"
DISPLAY_NAME = "display_name"
INVITATION_REFUSED = frozenset(
    {ErrorCode.INVITATION_INVALID, ErrorCode.ROLE_MISMATCH, ErrorCode.ALREADY_LINKED}
)


class RegistrationError(SyncError):
    """The account cannot be registered as made (e.g. its ids belong to someone else)."""


@dataclass(frozen=True)
class Registered:
    session: SessionOut
    invitation_refused: str | None = None  # the server's reason, to show the youth


def needs_registration(meta: MetaStore) -> bool:
    return meta.get(PENDING_REGISTRATION) == "1"


def _sign_up_body(meta: MetaStore, device_name: str, invitation: str | None) -> SignUpIn:
    raw = meta.get(PENDING_ENROLMENT)
    if raw is None:
        raise RegistrationError("the device lost its sign-up data; restore with the code")
    enrolment = json.loads(raw)
    return SignUpIn.model_validate(
        {
            "account_id": meta.get(ACCOUNT_ID),
            "space_id": meta.get(SPACE_ID),
            "display_name": meta.get(DISPLAY_NAME),
            "role": Role.YOUTH,
            "public_keys": enrolment["public_keys"],
            "recovery": enrolment["recovery"],
            "key_backup": enrolment["key_backup"],
            "device_name": device_name,
            "invitation_code": invitation,
        }
    )


async def _sign_up(api: ApiClient, body: SignUpIn) -> SessionOut:
    try:
        return await api.sign_up(body)
    except RefusedError as exc:
        if exc.code is not ErrorCode.ID_IN_USE:
            raise
    # Our own earlier attempt got through: prove the recovery code and get a device token.
    recover = RecoverIn(
        lookup=body.recovery.lookup,
        auth_secret=body.recovery.auth_secret,
        device_name=body.device_name,
    )
    try:
        session = await api.recover(recover)
    except SignInRequiredError:
        raise RegistrationError("this account's ids are already used by another account") from None
    if session.account_id != body.account_id:
        raise RegistrationError("this account's ids are already used by another account")
    return session


async def register(
    api: ApiClient,
    meta: MetaStore,
    *,
    device_name: str,
    keep: Callable[[SessionOut], None],
) -> Registered:
    """Send the pending account, `keep` the new session, then clear the markers. A crash in
    between repeats the sign-up, which lands in the id-in-use path and signs in."""
    invitation = meta.get(PENDING_INVITATION)
    refused: str | None = None
    try:
        session = await _sign_up(api, _sign_up_body(meta, device_name, invitation))
    except RefusedError as exc:
        if invitation is None or exc.code not in INVITATION_REFUSED:
            raise
        refused = exc.detail  # the account matters more than the link: register without it
        session = await _sign_up(api, _sign_up_body(meta, device_name, None))
    keep(session)
    meta.set(PENDING_REGISTRATION, "0")
    meta.delete(PENDING_ENROLMENT)
    meta.delete(PENDING_INVITATION)
    return Registered(session, refused)
