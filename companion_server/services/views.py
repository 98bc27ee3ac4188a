"""Turning rows into wire models (one place, so every route shows the same shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from companion_server.access import is_active, link_status
from companion_server.db.models import Account, Link
from companion_wire import Availability, KeyBackup, LinkOut, PublicKeys, Role, b64encode


def public_keys(account: Account) -> PublicKeys | None:
    if account.x25519 is None or account.ed25519 is None:
        return None
    return PublicKeys(x25519=b64encode(account.x25519), ed25519=b64encode(account.ed25519))


def key_backup(stored: dict[str, Any] | None) -> KeyBackup | None:
    return None if stored is None else KeyBackup.model_validate(stored)


def availability(stored: dict[str, Any] | None) -> Availability | None:
    return None if stored is None else Availability.model_validate(stored)


def link_role(stored: str) -> Literal[Role.CAREGIVER, Role.NETWORK]:
    """A link's stored role: a link is always to a caregiver or a network person."""
    role = Role(stored)
    if role is Role.CAREGIVER or role is Role.NETWORK:
        return role
    raise ValueError(f"a link cannot have the role {stored!r}")


def link_out(link: Link, person: Account | None, now: datetime) -> LinkOut:
    """A link as its youth or its person sees it; availability only while it is active."""
    return LinkOut(
        id=link.id,
        space_id=link.space_id,
        person_id=link.person_id,
        display_name=person.display_name if person else None,
        role=link_role(link.role),
        status=link_status(link, now),
        starts_at=link.starts_at,
        ends_at=link.ends_at,
        invitation_expires_at=link.invitation_expires_at,
        availability=availability(person.availability) if person and is_active(link, now) else None,
        public_keys=public_keys(person) if person else None,
        created_at=link.created_at,
    )
