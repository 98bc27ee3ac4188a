"""Invitation codes: make one, preview it (before signing up), accept it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request

from companion_server.auth import DeviceToken, caller_of
from companion_server.context import AppContext, Ctx
from companion_server.db.models import Account
from companion_server.errors import responses, unauthorized
from companion_server.guards import (
    counting_failures,
    invitation_failures,
    limit_requests,
    refuse_while_locked,
)
from companion_server.nudges import links_changed
from companion_server.services import invitations
from companion_server.services.views import link_out, public_keys
from companion_server.wire_route import WireRoute
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

router = APIRouter(tags=["invitations"], route_class=WireRoute)

Code = Annotated[str, Path(pattern=INVITATION_CODE_PATTERN, description="e.g. ABCD-EFGH")]


@contextmanager
def _guarded_lookup(ctx: AppContext, request: Request) -> Iterator[None]:
    """Lookups are limited per address and network; wrong codes also overall, so guesses
    spread over many addresses run dry too. While any failure bucket is empty, no code is
    looked up (the right one neither: codes are 40 bits)."""
    limit_requests(ctx, "invitation", request)
    failures = invitation_failures(ctx, request)
    refuse_while_locked(ctx, "invitation-failures", failures)
    with counting_failures(ctx, "invitation-failures", failures, ErrorCode.INVITATION_INVALID):
        yield


@router.post(
    "/invitations",
    status_code=201,
    response_model=InvitationOut,
    responses=responses(401, 403, 400, 413),
)
def create_invitation(body: InvitationIn, token: DeviceToken, ctx: Ctx) -> InvitationOut:
    """A youth invites a caregiver or network person; a caregiver invites a youth."""
    caller = caller_of(ctx, token)
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
    with _guarded_lookup(ctx, request), ctx.db.read() as session:
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
def accept_invitation(code: Code, request: Request, token: DeviceToken, ctx: Ctx) -> LinkOut:
    """Accept with an existing account; returns the active care link it created."""
    caller = caller_of(ctx, token)
    now = ctx.clock()
    with _guarded_lookup(ctx, request), ctx.db.write() as session:
        account = session.get(Account, caller.account_id)
        if account is None:
            raise unauthorized()
        link = invitations.accept(session, account, normalise_code(code), now)
        person = session.get(Account, link.person_id) if link.person_id else None
        out = link_out(link, person, now)
        nudge = links_changed(link.space_id)
    ctx.notifier.publish(nudge)
    return out
