"""Authorization rules (DESIGN §5), as plain functions every route uses.

Link state is computed at the moment of the request from status, starts_at and ends_at,
so a care period that ends needs no job: the next request after `ends_at` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.domain.models import LinkStatus, RecordKind, Role
from companion_server.auth import Caller
from companion_server.db.models import Link, Space
from companion_server.errors import link_ended, no_access

# Which kinds each role may create in a space it can write to (the youth: everything).
CREATE_KINDS: dict[Role, frozenset[RecordKind]] = {
    Role.YOUTH: frozenset(RecordKind),
    Role.CAREGIVER: frozenset(
        {
            RecordKind.GOAL,
            RecordKind.GOAL_STEP,
            RecordKind.REMINDER,
            RecordKind.DOCUMENT,
            RecordKind.CONVERSATION,
            RecordKind.MESSAGE,
        }
    ),
    Role.NETWORK: frozenset({RecordKind.CONVERSATION, RecordKind.MESSAGE}),
}


def link_status(link: Link, now: datetime) -> LinkStatus:
    """The status as of `now`: an active link past its end date reads `ended`."""
    status = LinkStatus(link.status)
    if status is LinkStatus.ACTIVE and (
        now < link.starts_at or (link.ends_at is not None and now >= link.ends_at)
    ):
        return LinkStatus.ENDED
    if (
        status is LinkStatus.INVITED
        and link.invitation_expires_at is not None
        and now >= link.invitation_expires_at
    ):
        return LinkStatus.ENDED
    return status


def is_active(link: Link, now: datetime) -> bool:
    return link_status(link, now) is LinkStatus.ACTIVE


@dataclass(frozen=True)
class SpaceAccess:
    """How the caller may act in one space: as its youth, or through an active link."""

    space: Space
    role: Role

    @property
    def is_owner(self) -> bool:
        return self.role is Role.YOUTH


def access_from(space: Space | None, links: list[Link], caller: Caller, now: datetime):
    """SpaceAccess, or the ApiError to raise: `link ended` only to someone who had a link."""
    if space is None:
        return no_access()
    if space.owner_id == caller.account_id:
        return SpaceAccess(space, Role.YOUTH)
    mine = [link for link in links if link.person_id == caller.account_id]
    for link in mine:
        if is_active(link, now):
            return SpaceAccess(space, Role(link.role))
    return link_ended() if mine else no_access()


def space_access(session: Session, caller: Caller, space_id: str, now: datetime) -> SpaceAccess:
    space = session.get(Space, space_id)
    links = (
        list(
            session.scalars(
                select(Link).where(Link.space_id == space_id, Link.person_id == caller.account_id)
            )
        )
        if space is not None
        else []
    )
    result = access_from(space, links, caller, now)
    if isinstance(result, SpaceAccess):
        return result
    raise result


def can_read(owner: bool, caller_id: str, author_id: str, shared_with: list[str]) -> bool:
    """The youth reads everything in their space; others what they wrote or were given."""
    return owner or author_id == caller_id or caller_id in shared_with


def conversation_participants(owner_id: str, author_id: str, shared_with: list[str]) -> set[str]:
    return {owner_id, author_id, *shared_with}
