"""Accounts, keys, recovery, sessions, devices and availability on the wire."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Literal
from zoneinfo import available_timezones

from pydantic import Field, field_validator, model_validator

from companion_wire.enums import Role
from companion_wire.fields import (
    ActivationCode,
    BackupCiphertext,
    Email,
    Id,
    InvitationCode,
    Key32,
    Name,
    Nonce24,
    Salt16,
    Token,
    Wire,
)
from companion_wire.limits import MAX_SLOTS


class PublicKeys(Wire):
    """An account's public keys, shared by all its devices."""

    x25519: Key32
    ed25519: Key32


class KdfParams(Wire):
    alg: Literal["argon2id13"] = "argon2id13"
    salt: Salt16
    opslimit: int = Field(ge=1, le=64)
    memlimit: int = Field(ge=8192, le=2**32)


class KeyBackup(Wire):
    """Account private keys sealed under a key derived from the recovery code; opaque here."""

    kdf: KdfParams
    nonce: Nonce24
    ciphertext: BackupCiphertext


class RecoveryCredentials(Wire):
    """Derived from the recovery code on the device; the code itself never leaves it."""

    lookup: Key32
    auth_secret: Key32


class SignUpIn(Wire):
    """A youth (or an invited network person) signs up from the app.

    Offline first: the app may choose its own `account_id` and (youth) `space_id` as UUIDv7
    before it ever reached the server; the server takes them if unused (409 `id_in_use`).
    A network person signs up with an `invitation_code` and without a `space_id`.
    """

    account_id: Id | None = None
    space_id: Id | None = None
    display_name: Name
    role: Literal[Role.YOUTH, Role.NETWORK]
    public_keys: PublicKeys
    recovery: RecoveryCredentials
    key_backup: KeyBackup
    device_name: Name
    invitation_code: InvitationCode | None = None

    @model_validator(mode="after")
    def _network_needs_invitation(self) -> SignUpIn:
        if self.role is Role.NETWORK:
            if self.invitation_code is None:
                raise ValueError("a network person signs up with an invitation code")
            if self.space_id is not None:
                raise ValueError("only a youth has a space")
        return self


class ActivateIn(Wire):
    """A caregiver account made by the operator is activated from the app."""

    email: Email
    activation_code: ActivationCode
    public_keys: PublicKeys
    recovery: RecoveryCredentials
    key_backup: KeyBackup
    device_name: Name


class SessionOut(Wire):
    account_id: Id
    device_id: Id
    token: Token  # send as `Authorization: Bearer <token>`; shown once, stored hashed
    role: Role
    space_id: Id | None = None  # the youth's own space


class RecoveryParamsIn(Wire):
    lookup: Key32


class RecoveryParamsOut(Wire):
    kdf: KdfParams


class RecoverIn(Wire):
    lookup: Key32
    auth_secret: Key32
    device_name: Name


class RecoverOut(SessionOut):
    key_backup: KeyBackup


class Slot(Wire):
    """A weekly time slot; `end` is after `start`."""

    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    start: str = Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$", description="HH:MM")
    end: str = Field(pattern=r"^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$", description="HH:MM")

    @model_validator(mode="after")
    def _ordered(self) -> Slot:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Availability(Wire):
    """When a caregiver or network person can be reached (right to disconnect).
    `timezone` is an IANA time zone name known to the server (e.g. Europe/Brussels)."""

    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/Brussels"])
    slots: list[Slot] = Field(default_factory=list, max_length=MAX_SLOTS)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in _zones():
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Brussels)"
            )
        return value


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class MeOut(Wire):
    account_id: Id
    display_name: str
    role: Role
    email: str | None = None
    space_id: Id | None = None
    public_keys: PublicKeys | None = None
    availability: Availability | None = None
    created_at: datetime


class DeviceOut(Wire):
    id: Id
    name: str
    created_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    current: bool  # the device making this request


class AccountKeysOut(Wire):
    account_id: Id
    display_name: str
    role: Role
    public_keys: PublicKeys
