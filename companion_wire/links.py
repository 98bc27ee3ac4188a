"""Invitations, spaces, care links and the access log on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from companion_wire.accounts import Availability, PublicKeys
from companion_wire.enums import LinkStatus, RecordKind, Role
from companion_wire.fields import Id, Wire, WireTime


class InvitationIn(Wire):
    """A youth invites a caregiver or network person; a caregiver invites a youth."""

    role: Role
    link_ends_at: WireTime | None = None  # end of the care period the link will have


class InvitationOut(Wire):
    # `ABCD-EFGH`. The inviter's app shows it with a QR code of
    # `companion://join?code=ABCD-EFGH&fp=<its own safety digits>`, made on the device: the
    # server is not the one to vouch for the inviter's keys.
    code: str
    role: Role
    expires_at: datetime
    link_id: Id | None = None  # the pending (invited) link, for invitations made by a youth


class InvitationPreview(Wire):
    """What the invited person sees before accepting; the app checks the fingerprint."""

    inviter_id: Id
    inviter_name: str
    inviter_role: Role
    inviter_public_keys: PublicKeys
    role: Role
    expires_at: datetime


class LinkOut(Wire):
    """A care link; `status` is computed at read time (a passed `ends_at` reads `ended`)."""

    id: Id
    space_id: Id
    person_id: Id | None = None  # None while the invitation is not accepted yet
    display_name: str | None = None
    role: Literal[Role.CAREGIVER, Role.NETWORK]
    status: LinkStatus
    starts_at: datetime
    ends_at: datetime | None = None
    invitation_expires_at: datetime | None = None  # for status `invited`
    availability: Availability | None = None
    # the person's public keys as the server has them: the app compares them with the ones
    # it verified (a difference is shown, never used)
    public_keys: PublicKeys | None = None
    created_at: datetime


class LinkPatch(Wire):
    """Set (or, youth only, clear) the end of a care period; the linked person may shorten it."""

    ends_at: WireTime | None


class SpaceOut(Wire):
    space_id: Id
    owner_id: Id
    owner_name: str
    my_role: Role  # youth for the owner, else the role of the caller's link
    # the newest version the caller may know of (for a linked person: of what they hold);
    # None once the caller's access ended
    version: int | None
    links: list[LinkOut]  # owner: every link; linked person: their own link(s)
    owner_keys: PublicKeys | None = None  # the youth's public keys as the server has them


class AccessLogEntry(Wire):
    id: int
    account_id: Id
    display_name: str | None  # None once that account is deleted
    record_id: Id
    kind: RecordKind
    route: str = Field(max_length=16, description="how it was delivered, e.g. pull")
    at: datetime


class AccessLogOut(Wire):
    entries: list[AccessLogEntry]
    next_before: int | None  # pass as `before` for the next (older) page
