"""Spaces, care links and the access log: what the youth sees under "my network & privacy"."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion_server.access import link_status
from companion_server.auth import Caller, DeviceToken, caller_of
from companion_server.context import Ctx
from companion_server.db.models import AccessLog, Account, Link
from companion_server.errors import ApiError, no_access, not_found, responses
from companion_server.nudges import links_changed
from companion_server.services import space_list
from companion_server.services.views import link_out
from companion_server.wire_route import WireRoute
from companion_wire import (
    MAX_ACCESS_LOG_LIMIT,
    MAX_INT64,
    UUID7_PATTERN,
    AccessLogEntry,
    AccessLogOut,
    ErrorCode,
    LinkOut,
    LinkPatch,
    LinkStatus,
    RecordKind,
    SpaceOut,
)

router = APIRouter(tags=["spaces"], route_class=WireRoute)

SpaceId = Annotated[str, Path(pattern=UUID7_PATTERN)]
LinkId = Annotated[str, Path(pattern=UUID7_PATTERN)]


def _people(session: Session, links: list[Link]) -> dict[str, Account]:
    ids = {link.person_id for link in links if link.person_id}
    return {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}


def _links_out(session: Session, links: list[Link], now: datetime) -> list[LinkOut]:
    people = _people(session, links)
    return [link_out(link, people.get(link.person_id or ""), now) for link in links]


@router.get("/spaces", response_model=list[SpaceOut], responses=responses(401))
def list_spaces(token: DeviceToken, ctx: Ctx) -> Response:
    """The youth's own space with every link; for others, each space they are linked to,
    with their own link(s) only (an ended link shows so the app can drop that space)."""
    return Response(space_list.list_spaces(ctx, token), media_type="application/json")


@router.get("/spaces/{space_id}/links", response_model=list[LinkOut], responses=responses(401, 403))
def space_links(space_id: SpaceId, token: DeviceToken, ctx: Ctx) -> list[LinkOut]:
    """The youth sees every link of their space; a linked person only their own."""
    caller = caller_of(ctx, token)
    now = ctx.clock()
    with ctx.db.read() as session:
        query = select(Link).where(Link.space_id == space_id).order_by(Link.id)
        if caller.space_id != space_id:
            query = query.where(Link.person_id == caller.account_id)
        links = list(session.scalars(query))
        if caller.space_id != space_id and not links:
            raise no_access()
        return _links_out(session, links, now)


def _link_for(session: Session, caller: Caller, link_id: str) -> tuple[Link, bool]:
    """The link and whether the caller is its youth; 404 for anyone not party to it."""
    link = session.get(Link, link_id)
    if link is None:
        raise not_found("link")
    is_youth = link.space_id == caller.space_id
    if not is_youth and link.person_id != caller.account_id:
        raise not_found("link")
    return link, is_youth


@router.patch(
    "/links/{link_id}", response_model=LinkOut, responses=responses(401, 403, 404, 409, 400, 413)
)
def set_link_end(link_id: LinkId, body: LinkPatch, token: DeviceToken, ctx: Ctx) -> LinkOut:
    """Set the end of the care period. The youth may set, move or clear it; the linked
    person may only bring it closer. An end in the past ends the link now."""
    caller = caller_of(ctx, token)
    now = ctx.clock()
    with ctx.db.write() as session:
        link, is_youth = _link_for(session, caller, link_id)
        if LinkStatus(link.status) in (LinkStatus.ENDED, LinkStatus.REVOKED):
            raise ApiError(409, ErrorCode.CONFLICT, "this link has already ended")
        if not is_youth:
            current = link_status(link, now)
            shortens = body.ends_at is not None and (
                link.ends_at is None or body.ends_at <= link.ends_at
            )
            if current is not LinkStatus.ACTIVE or not shortens:
                raise ApiError(
                    403, ErrorCode.FORBIDDEN, "you can only bring the end of your link closer"
                )
        ends_at = body.ends_at
        if ends_at is not None and ends_at <= now:  # links start when made: never in the future
            ends_at = now
            link.status = LinkStatus.ENDED.value
        link.ends_at = ends_at
        person = session.get(Account, link.person_id) if link.person_id else None
        out = link_out(link, person, now)
        nudge = links_changed(link.space_id)
    ctx.notifier.publish(nudge)
    return out


@router.post("/links/{link_id}/revoke", response_model=LinkOut, responses=responses(401, 403, 404))
def revoke_link(link_id: LinkId, token: DeviceToken, ctx: Ctx) -> LinkOut:
    """The youth ends a link now (or withdraws a pending invitation). Idempotent."""
    caller = caller_of(ctx, token)
    now = ctx.clock()
    with ctx.db.write() as session:
        link, is_youth = _link_for(session, caller, link_id)
        if not is_youth:
            raise ApiError(
                403, ErrorCode.FORBIDDEN, "only the youth revokes; set an end date to leave"
            )
        link.status = LinkStatus.REVOKED.value
        person = session.get(Account, link.person_id) if link.person_id else None
        out = link_out(link, person, now)
        nudge = links_changed(link.space_id)
    ctx.notifier.publish(nudge)
    return out


@router.get(
    "/spaces/{space_id}/access-log", response_model=AccessLogOut, responses=responses(401, 403)
)
def access_log(
    space_id: SpaceId,
    token: DeviceToken,
    ctx: Ctx,
    before: Annotated[int | None, Query(ge=1, le=MAX_INT64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ACCESS_LOG_LIMIT)] = 100,
) -> AccessLogOut:
    """Who received which of the youth's records, when: newest first. The youth only."""
    caller = caller_of(ctx, token)
    if caller.space_id != space_id:
        raise no_access()
    with ctx.db.read() as session:
        query = (
            select(AccessLog, Account.display_name)
            .outerjoin(Account, Account.id == AccessLog.account_id)
            .where(AccessLog.space_id == space_id)
            .order_by(AccessLog.id.desc())
            .limit(limit + 1)
        )
        if before is not None:
            query = query.where(AccessLog.id < before)
        rows = session.execute(query).all()
    entries = [
        AccessLogEntry(
            id=entry.id,
            account_id=entry.account_id,
            display_name=name,
            record_id=entry.record_id,
            kind=RecordKind(entry.kind),
            route=entry.route,
            at=entry.at,
        )
        for entry, name in rows[:limit]
    ]
    return AccessLogOut(entries=entries, next_before=entries[-1].id if len(rows) > limit else None)
