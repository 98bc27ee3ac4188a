"""`GET /v1/spaces` in one statement: the caller (the token check), their own space, every
link into it, every link of theirs into another youth's space, each with its space, owner
(and their keys), person (and theirs) and, for a linked person, the newest version they
hold of that space (not how busy it is). The answer is built from those rows without
validating it again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from companion_server.access import LinkTerms, is_active, link_status
from companion_server.auth import Caller, CallerLookup, authenticate_rows
from companion_server.context import AppContext
from companion_server.db.models import Account, Link, RecordRead, Space
from companion_server.db.types import read_time
from companion_server.services.views import availability
from companion_wire import LinkOut, PublicKeys, Role, SpaceOut, b64encode

_LinkSpace = aliased(Space)
_Owner = aliased(Account)
_Person = aliased(Account)
# The newest version of a space the caller holds a wrap or notice of (a linked person's).
_held = (
    select(func.max(RecordRead.version))
    .where(RecordRead.space_id == Link.space_id, RecordRead.reader_id == Account.id)
    .correlate(Link, Account)
    .scalar_subquery()
)

SPACES = CallerLookup(
    Space.version,
    Link.id,
    Link.space_id,
    Link.person_id,
    Link.role,
    Link.status,
    Link.starts_at,
    Link.ends_at,
    Link.invitation_expires_at,
    Link.created_at,
    _held,
    _Owner.id,
    _Owner.display_name,
    _Person.display_name,
    _Person.availability,
    _Person.x25519,
    _Person.ed25519,
    _Owner.x25519,
    _Owner.ed25519,
    joined=lambda query: (
        query.outerjoin(Link, or_(Link.space_id == Space.id, Link.person_id == Account.id))
        .outerjoin(_LinkSpace, _LinkSpace.id == Link.space_id)
        .outerjoin(_Owner, _Owner.id == _LinkSpace.owner_id)
        .outerjoin(_Person, _Person.id == Link.person_id)
        .order_by(Link.id)
    ),
)
_ANSWER = TypeAdapter(list[SpaceOut])


def _keys(x25519: bytes | None, ed25519: bytes | None) -> PublicKeys | None:
    if x25519 is None or ed25519 is None:
        return None
    return PublicKeys.model_construct(x25519=b64encode(x25519), ed25519=b64encode(ed25519))


def _link(row: Sequence[Any], now: datetime) -> tuple[LinkOut, bool]:
    """The link of one row as LinkOut (built, not validated: the rows are the server's own),
    and whether it is active."""
    _version, link_id, space_id, person_id, role, status, starts, ends, expires, created = row[:10]
    person_name, person_availability, person_x25519, person_ed25519 = row[13:17]
    terms = LinkTerms(
        person_id, role, status, read_time(starts), read_time(ends), read_time(expires)
    )
    active = is_active(terms, now)
    out = LinkOut.model_construct(
        id=link_id,
        space_id=space_id,
        person_id=person_id,
        display_name=person_name,
        role=Role(role),
        status=link_status(terms, now),
        starts_at=terms.starts_at,
        ends_at=terms.ends_at,
        invitation_expires_at=terms.invitation_expires_at,
        availability=availability(person_availability) if active else None,
        public_keys=_keys(person_x25519, person_ed25519),
        created_at=read_time(created),
    )
    return out, active


def list_spaces(ctx: AppContext, token: str) -> bytes:
    """The youth's own space with every link; for others, each space they are linked to,
    with their own link(s) only (an ended link shows so the app can drop that space)."""
    caller, rows = authenticate_rows(ctx, token, SPACES)
    now = ctx.clock()
    own: list[LinkOut] = []
    theirs: dict[str, tuple[list[LinkOut], list[bool], Sequence[Any]]] = {}
    for row in rows:
        if row[1] is None:  # the caller has no links at all
            continue
        link, active = _link(row, now)
        if row[2] == caller.space_id:
            own.append(link)
        elif row[11] is not None:  # a space whose owner still exists
            links, actives, _ = theirs.setdefault(row[2], ([], [], row))
            links.append(link)
            actives.append(active)
    out = [] if caller.space_id is None else [_own_space(caller, rows[0][0], own)]
    for space_id, (links, actives, first) in theirs.items():
        active_link = next((link for link, on in zip(links, actives, strict=True) if on), None)
        out.append(
            SpaceOut.model_construct(
                space_id=space_id,
                owner_id=first[11],
                owner_name=first[12],
                my_role=Role((active_link or links[-1]).role),
                version=int(first[10] or 0) if active_link else None,
                links=links,
                owner_keys=_keys(first[17], first[18]),
            )
        )
    return _ANSWER.dump_json(out)


def _own_space(caller: Caller, version: int, links: list[LinkOut]) -> SpaceOut:
    assert caller.space_id is not None
    return SpaceOut.model_construct(
        space_id=caller.space_id,
        owner_id=caller.account_id,
        owner_name=caller.display_name,
        my_role=Role.YOUTH,
        version=version,
        links=links,
        owner_keys=None,
    )
