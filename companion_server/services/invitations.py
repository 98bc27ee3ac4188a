"""Invitations: short single-use codes that create a care link when accepted.

A youth invites a caregiver or network person into their space: a pending link (status
`invited`) exists from the start, so the youth sees it and can withdraw it. A caregiver
invites a youth: accepting creates the caregiver's link into that youth's space.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion_server.access import is_active, link_status
from companion_server.auth import Caller
from companion_server.db.models import Account, Invitation, Link, Space
from companion_server.errors import ApiError, invalid_field
from companion_server.security import code_hash, group, new_code
from companion_wire import (
    ErrorCode,
    InvitationIn,
    InvitationOut,
    LinkStatus,
    Role,
    new_id,
)

CODE_LENGTH = 8  # 40 bits; single use, expiring, and looked up under a rate limit

# Who may invite whom.
INVITES: dict[Role, frozenset[Role]] = {
    Role.YOUTH: frozenset({Role.CAREGIVER, Role.NETWORK}),
    Role.CAREGIVER: frozenset({Role.YOUTH}),
    Role.NETWORK: frozenset(),
}


def invalid() -> ApiError:
    """One answer for unknown, expired, used and withdrawn codes: nothing to probe."""
    return ApiError(404, ErrorCode.INVITATION_INVALID, "invitation not found or no longer valid")


def create(
    session: Session, caller: Caller, body: InvitationIn, now: datetime, ttl: timedelta
) -> InvitationOut:
    if body.role not in INVITES[caller.role]:
        raise ApiError(
            403, ErrorCode.FORBIDDEN, f"a {caller.role.value} cannot invite a {body.role.value}"
        )
    if body.link_ends_at is not None and body.link_ends_at <= now:
        raise invalid_field(
            ("body", "link_ends_at"), "must be in the future", body.link_ends_at.isoformat()
        )
    inviter = session.get(Account, caller.account_id)
    assert inviter is not None  # the caller's account exists: we just authenticated it
    code = new_code(CODE_LENGTH)
    expires_at = now + ttl
    link_id = None
    if caller.role is Role.YOUTH:
        link_id = new_id()
        session.add(
            Link(
                id=link_id,
                space_id=caller.space_id,
                person_id=None,
                role=body.role.value,
                status=LinkStatus.INVITED.value,
                starts_at=now,
                ends_at=body.link_ends_at,
                invitation_expires_at=expires_at,
                created_at=now,
            )
        )
        session.flush()
    session.add(
        Invitation(
            id=new_id(),
            code_hash=code_hash(code),
            inviter_id=caller.account_id,
            space_id=caller.space_id if caller.role is Role.YOUTH else None,
            link_id=link_id,
            role=body.role.value,
            link_ends_at=body.link_ends_at,
            expires_at=expires_at,
            created_at=now,
        )
    )
    return InvitationOut(
        code=group(code),
        role=body.role,
        expires_at=expires_at,
        link_id=link_id,
    )


def find_valid(session: Session, code: str, now: datetime) -> tuple[Invitation, Account]:
    """The invitation and its inviter, or `invalid()` if it cannot be used any more."""
    invitation = session.scalar(select(Invitation).where(Invitation.code_hash == code_hash(code)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise invalid()
    if invitation.link_id is not None:
        link = session.get(Link, invitation.link_id)
        if link is None or link_status(link, now) is not LinkStatus.INVITED:
            raise invalid()
    inviter = session.get(Account, invitation.inviter_id)
    if inviter is None or inviter.x25519 is None:
        raise invalid()
    return invitation, inviter


def accept(session: Session, account: Account, code: str, now: datetime) -> Link:
    """Use the invitation for `account`; returns the (now active) care link."""
    invitation, inviter = find_valid(session, code, now)
    if account.role != invitation.role:
        raise ApiError(409, ErrorCode.ROLE_MISMATCH, f"this invitation is for a {invitation.role}")
    if invitation.link_id is not None:  # made by a youth: fill in the pending link
        link = session.get(Link, invitation.link_id)
        assert link is not None  # checked by find_valid
        _refuse_second_link(session, link.space_id, account.id, now)
        link.person_id = account.id
        link.status = LinkStatus.ACTIVE.value
        link.starts_at = now
        link.invitation_expires_at = None
    else:  # made by a caregiver: a new link into the accepting youth's space
        space_id = session.scalar(select(Space.id).where(Space.owner_id == account.id))
        assert space_id is not None  # every youth has a space
        _refuse_second_link(session, space_id, inviter.id, now)
        link = Link(
            id=new_id(),
            space_id=space_id,
            person_id=inviter.id,
            role=inviter.role,
            status=LinkStatus.ACTIVE.value,
            starts_at=now,
            ends_at=invitation.link_ends_at,
            created_at=now,
        )
        session.add(link)
    if link.ends_at is not None and link.ends_at <= now:
        raise invalid()
    invitation.used_at = now
    session.flush()
    return link


def _refuse_second_link(session: Session, space_id: str, person_id: str, now: datetime) -> None:
    links = session.scalars(
        select(Link).where(Link.space_id == space_id, Link.person_id == person_id)
    )
    if any(is_active(link, now) for link in links):
        raise ApiError(409, ErrorCode.ALREADY_LINKED, "already linked to this space")
