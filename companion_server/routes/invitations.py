"""Invitation codes: make one, preview it (before signing up), accept it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request

from companion_server.auth import CurrentCaller, client_ip
from companion_server.context import AppContext, Ctx
from companion_server.db.models import Account
from companion_server.errors import ApiError, responses, unauthorized
from companion_server.nudges import links_changed
from companion_server.services import invitations
from companion_server.services.views import link_out, public_keys
from companion_wire import (
    INVITATION_CODE_PATTERN,
    ErrorCode,
    InvitationIn,
    InvitationOut,
    InvitationPreview,
    LinkOut,
    Role,
    normalise_code,
)

router = APIRouter(tags=["invitations"])

Code = Annotated[str, Path(pattern=INVITATION_CODE_PATTERN, description="e.g. ABCD-EFGH")]


def _limit_lookups(ctx: AppContext, request: Request) -> None:
    if not ctx.limiter.allow(
        "invitation", client_ip(request), ctx.settings.invitation_lookups_per_ip
    ):
        raise ApiError(429, ErrorCode.RATE_LIMITED, "too many attempts; try again later")


@router.post(
    "/invitations",
    status_code=201,
    response_model=InvitationOut,
    responses=responses(401, 403, 400, 413),
)
def create_invitation(body: InvitationIn, caller: CurrentCaller, ctx: Ctx) -> InvitationOut:
    """A youth invites a caregiver or network person; a caregiver invites a youth."""
    with ctx.db.write() as session:
        return invitations.create(
            session,
            caller,
            body,
            ctx.clock(),
            timedelta(hours=ctx.settings.invitation_ttl_hours),
        )


@router.get("/invitations/{code}", response_model=InvitationPreview, responses=responses(404, 429))
def preview_invitation(code: Code, request: Request, ctx: Ctx) -> InvitationPreview:
    """No sign-in needed: who invites you, with their public keys to check the fingerprint."""
    _limit_lookups(ctx, request)
    with ctx.db.read() as session:
        invitation, inviter = invitations.find_valid(session, normalise_code(code), ctx.clock())
        keys = public_keys(inviter)
        assert keys is not None  # find_valid only returns activated inviters
        return InvitationPreview(
            inviter_id=inviter.id,
            inviter_name=inviter.display_name,
            inviter_role=Role(inviter.role),
            inviter_public_keys=keys,
            role=Role(invitation.role),
            expires_at=invitation.expires_at,
        )


@router.post(
    "/invitations/{code}/accept",
    response_model=LinkOut,
    responses=responses(401, 404, 409, 429),
)
def accept_invitation(code: Code, request: Request, caller: CurrentCaller, ctx: Ctx) -> LinkOut:
    """Accept with an existing account; returns the active care link it created."""
    _limit_lookups(ctx, request)
    now = ctx.clock()
    with ctx.db.write() as session:
        account = session.get(Account, caller.account_id)
        if account is None:
            raise unauthorized()
        link = invitations.accept(session, account, normalise_code(code), now)
        person = session.get(Account, link.person_id) if link.person_id else None
        out = link_out(link, person, now)
        nudge = links_changed(session, link.space_id)
    ctx.notifier.publish(nudge)
    return out
