"""Authorization rules (DESIGN §5), as plain functions every route uses.

Link state is computed at the moment of the request from status, starts_at and ends_at,
so a care period that ends needs no job: the next request after `ends_at` is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, select

from companion_server.auth import Caller
from companion_server.db.models import Link, Space
from companion_server.errors import ApiError, link_ended, no_access
from companion_wire import LinkStatus, RecordKind, Role

# What a caregiver or network person may bring to a youth's appointments: propose one, add
# points to discuss, write what was agreed. Answers, the plan and the alarm are the youth's.
MEETING_KINDS = frozenset(
    {RecordKind.APPOINTMENT, RecordKind.DISCUSSION_POINT, RecordKind.AGREEMENT}
)
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
            RecordKind.CONTACT_KEY,  # that they verified the youth's keys (never shared)
            RecordKind.ATTACHMENT,  # a PDF report, a photo in the chat (issue 17)
            *MEETING_KINDS,
        }
    ),
    Role.NETWORK: frozenset(
        {
            RecordKind.CONVERSATION,
            RecordKind.MESSAGE,
            RecordKind.CONTACT_KEY,
            RecordKind.ATTACHMENT,  # a photo in the chat
            *MEETING_KINDS,
        }
    ),
}


class LinkTerms(NamedTuple):
    """The columns of a link that decide access (the hot routes read these, not ORM links)."""

    person_id: str | None
    role: str
    status: str
    starts_at: datetime
    ends_at: datetime | None
    invitation_expires_at: datetime | None


@dataclass
class SpaceRow:
    """The columns of a space the hot routes need; a push bumps `version` under the row lock."""

    id: str
    owner_id: str
    version: int


def link_status(link: Link | LinkTerms, now: datetime) -> LinkStatus:
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


def is_active(link: Link | LinkTerms, now: datetime) -> bool:
    return link_status(link, now) is LinkStatus.ACTIVE


@dataclass(frozen=True)
class SpaceAccess:
    """How the caller may act in one space: as its youth, or through an active link."""

    space: Space | SpaceRow
    role: Role

    @property
    def is_owner(self) -> bool:
        return self.role is Role.YOUTH


def access_from(
    space: Space | SpaceRow | None,
    links: Sequence[Link | LinkTerms],
    caller: Caller,
    now: datetime,
) -> SpaceAccess | ApiError:
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


# A row of `spaces_with_links`: space id, owner id, version, then the link's person id,
# role, status, starts_at, ends_at and invitation_expires_at (NULLs: no link of the caller).
SpaceLinkRow = Sequence[Any]


def spaces_with_links(space_ids: Iterable[str], person_id: str) -> Select[*tuple[Any, ...]]:
    """One statement for spaces and the caller's links in them (a space without any link
    comes back once, with the link columns NULL), in space id order."""
    return (
        select(
            Space.id,
            Space.owner_id,
            Space.version,
            Link.person_id,
            Link.role,
            Link.status,
            Link.starts_at,
            Link.ends_at,
            Link.invitation_expires_at,
        )
        .select_from(Space)
        .outerjoin(Link, (Link.space_id == Space.id) & (Link.person_id == person_id))
        .where(Space.id.in_(list(space_ids)))
        .order_by(Space.id)
    )


def access_by_space(
    rows: Iterable[SpaceLinkRow], space_ids: Iterable[str], caller: Caller, now: datetime
) -> dict[str, SpaceAccess | ApiError]:
    """Access per asked space from the rows of `spaces_with_links`."""
    spaces: dict[str, SpaceRow] = {}
    links: dict[str, list[LinkTerms]] = defaultdict(list)
    for row in rows:
        space_id = row[0]
        if space_id not in spaces:
            spaces[space_id] = SpaceRow(space_id, row[1], row[2])
        if row[3] is not None:
            links[space_id].append(LinkTerms(*row[3:]))
    return {sid: access_from(spaces.get(sid), links[sid], caller, now) for sid in space_ids}


def can_read(owner: bool, caller_id: str, author_id: str, shared_with: list[str]) -> bool:
    """The youth reads everything in their space; others what they wrote or were given."""
    return owner or author_id == caller_id or caller_id in shared_with


def conversation_participants(owner_id: str, author_id: str, shared_with: list[str]) -> set[str]:
    return {owner_id, author_id, *shared_with}
