"""Accounts and devices: creating them, signing devices in, and erasing an account."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from companion_server.auth import Caller
from companion_server.db.models import Account, Device, Space
from companion_server.errors import ApiError
from companion_server.security import code_hash, new_code, new_token, secret_hash, token_hash
from companion_wire import (
    ErrorCode,
    KeyBackup,
    PublicKeys,
    RecoveryCredentials,
    Role,
    SessionOut,
    b64decode,
    new_id,
)

ACTIVATION_CODE_LENGTH = 16  # 80 bits; shown once, expires, failures rate limited


def issue_device(session: Session, account: Account, name: str, now: datetime) -> SessionOut:
    """A new device for `account`; its token is returned once and stored only as a hash."""
    token = new_token()
    device = Device(
        id=new_id(),
        account_id=account.id,
        name=name,
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
    )
    session.add(device)
    space_id = session.scalar(select(Space.id).where(Space.owner_id == account.id))
    return SessionOut(
        account_id=account.id,
        device_id=device.id,
        token=token,
        role=Role(account.role),
        space_id=space_id,
    )


def set_keys(
    session: Session,
    account: Account,
    keys: PublicKeys,
    recovery: RecoveryCredentials,
    backup: KeyBackup,
) -> None:
    """Store public keys, the recovery lookup and auth hash, and the opaque key backup."""
    lookup = b64decode(recovery.lookup)
    taken = session.scalar(select(Account.id).where(Account.recovery_lookup == lookup))
    if taken is not None and taken != account.id:
        raise ApiError(409, ErrorCode.ID_IN_USE, "this recovery code is already in use")
    account.x25519 = b64decode(keys.x25519)
    account.ed25519 = b64decode(keys.ed25519)
    account.recovery_lookup = lookup
    account.auth_hash = secret_hash(b64decode(recovery.auth_secret))
    account.key_backup = backup.model_dump(mode="json")


def create_account(
    session: Session,
    *,
    account_id: str,
    role: Role,
    display_name: str,
    now: datetime,
    space_id: str | None = None,
) -> Account:
    """A new account (and, for a youth, their space); 409 when a client-chosen id is taken."""
    if session.get(Account, account_id) is not None:
        raise ApiError(409, ErrorCode.ID_IN_USE, "account_id is already in use")
    account = Account(id=account_id, role=role.value, display_name=display_name, created_at=now)
    session.add(account)
    if role is Role.YOUTH:
        space_id = space_id or new_id()
        if session.get(Space, space_id) is not None:
            raise ApiError(409, ErrorCode.ID_IN_USE, "space_id is already in use")
        session.flush()  # the space refers to the account
        session.add(Space(id=space_id, owner_id=account_id, version=0, created_at=now))
    return account


def erase_account(session: Session, caller: Caller) -> None:
    """Delete the caller's account; the database cascades do the rest.

    A youth's space goes with them: records, links, invitations, access log and stored push
    answers. For a caregiver or network person: devices, links, invitations, keys and
    backup go; what they wrote in a youth's space stays there (it is part of the youth's
    story) and the youth's access log keeps its rows, shown without a name.
    """
    if caller.space_id is not None:
        session.execute(delete(Space).where(Space.id == caller.space_id))
    session.execute(delete(Account).where(Account.id == caller.account_id))


def create_caregiver_account(
    session: Session, name: str, email: str, now: datetime, ttl: timedelta
) -> str:
    """The operator makes a caregiver account; returns its one-time activation code.

    Asking again for an account that is not activated yet issues a new code (the old one
    stops working); an activated account is refused.
    """
    account = session.scalar(select(Account).where(Account.email == email))
    if account is not None and (account.role != Role.CAREGIVER or account.x25519 is not None):
        raise ApiError(409, ErrorCode.ID_IN_USE, "this email already has an active account")
    if account is None:
        account = Account(id=new_id(), role=Role.CAREGIVER.value, email=email, created_at=now)
        session.add(account)
    code = new_code(ACTIVATION_CODE_LENGTH)
    account.display_name = name
    account.activation_hash = code_hash(code)
    account.activation_expires_at = now + ttl
    return code
