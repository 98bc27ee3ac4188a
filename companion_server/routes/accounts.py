"""Sign-up, caregiver activation, recovery sign-in, and the caller's own account."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion_server.access import is_active
from companion_server.auth import CurrentCaller, client_ip
from companion_server.context import AppContext, Ctx
from companion_server.db.models import Account, Link, Space
from companion_server.errors import ApiError, not_found, responses, unauthorized
from companion_server.security import code_hash, same_hash, secret_hash
from companion_server.services import invitations
from companion_server.services.accounts import create_account, erase_account, issue_device, set_keys
from companion_server.services.views import availability, key_backup, public_keys
from companion_server.settings import RateLimit
from companion_wire import (
    UUID7_PATTERN,
    AccountKeysOut,
    ActivateIn,
    Availability,
    ErrorCode,
    MeOut,
    RecoverIn,
    RecoverOut,
    RecoveryParamsIn,
    RecoveryParamsOut,
    Role,
    SessionOut,
    SignUpIn,
    b64decode,
    new_id,
)

router = APIRouter(tags=["accounts"])


def _limit(ctx: AppContext, bucket: str, key: str, limit: RateLimit) -> None:
    if not ctx.limiter.allow(bucket, key, limit):
        raise ApiError(429, ErrorCode.RATE_LIMITED, "too many attempts; try again later")


@router.post(
    "/accounts",
    status_code=201,
    response_model=SessionOut,
    responses=responses(404, 409, 400, 413, 429),
)
def sign_up(body: SignUpIn, request: Request, ctx: Ctx) -> SessionOut:
    """A youth (or, with an invitation, a network person) creates an account and a device."""
    _limit(ctx, "signup", client_ip(request), ctx.settings.signup_per_ip)
    now = ctx.clock()
    with ctx.db.write() as session:
        account = create_account(
            session,
            account_id=body.account_id or new_id(),
            role=Role(body.role),
            display_name=body.display_name,
            now=now,
            space_id=body.space_id,
        )
        set_keys(session, account, body.public_keys, body.recovery, body.key_backup)
        session.flush()
        if body.invitation_code is not None:
            invitations.accept(session, account, body.invitation_code, now)
        return issue_device(session, account, body.device_name, now)


@router.post(
    "/accounts/activate", response_model=SessionOut, responses=responses(401, 409, 400, 413, 429)
)
def activate(body: ActivateIn, request: Request, ctx: Ctx) -> SessionOut:
    """A caregiver activates the account the operator made, with the one-time code."""
    _limit(ctx, "signup", client_ip(request), ctx.settings.signup_per_ip)
    limit = ctx.settings.activation_failures_per_email
    if not ctx.limiter.check("activation-failures", body.email, limit):
        raise ApiError(429, ErrorCode.RATE_LIMITED, "too many attempts; try again later")
    now = ctx.clock()
    with ctx.db.write() as session:
        account = session.scalar(
            select(Account).where(Account.email == body.email, Account.role == Role.CAREGIVER)
        )
        if (
            account is None
            or account.activation_expires_at is None
            or account.activation_expires_at <= now
            or not same_hash(account.activation_hash, code_hash(body.activation_code))
        ):
            ctx.limiter.allow("activation-failures", body.email, limit)
            raise unauthorized("unknown email or activation code, or the code expired")
        set_keys(session, account, body.public_keys, body.recovery, body.key_backup)
        account.activation_hash = None
        account.activation_expires_at = None
        return issue_device(session, account, body.device_name, now)


@router.post(
    "/auth/recovery/params",
    response_model=RecoveryParamsOut,
    responses=responses(404, 400, 413, 429),
)
def recovery_params(body: RecoveryParamsIn, request: Request, ctx: Ctx) -> RecoveryParamsOut:
    """Step 1 on a new device: the KDF parameters for the recovery code's account."""
    _limit(ctx, "recovery", client_ip(request), ctx.settings.recovery_per_ip)
    with ctx.db.read() as session:
        stored = session.scalar(
            select(Account.key_backup).where(Account.recovery_lookup == b64decode(body.lookup))
        )
    backup = key_backup(stored)
    if backup is None:
        raise not_found("account for this recovery code")
    return RecoveryParamsOut(kdf=backup.kdf)


@router.post("/auth/recover", response_model=RecoverOut, responses=responses(401, 400, 413, 429))
def recover(body: RecoverIn, request: Request, ctx: Ctx) -> RecoverOut:
    """Step 2: prove knowledge of the code (auth_secret, derived on the device), get a token
    and the key backup. Wrong secrets are limited per lookup, so the code cannot be guessed."""
    _limit(ctx, "recovery", client_ip(request), ctx.settings.recovery_per_ip)
    limit = ctx.settings.recovery_failures_per_lookup
    if not ctx.limiter.check("recovery-failures", body.lookup, limit):
        raise ApiError(429, ErrorCode.RATE_LIMITED, "too many attempts; try again later")
    now = ctx.clock()
    with ctx.db.write() as session:
        account = session.scalar(
            select(Account).where(Account.recovery_lookup == b64decode(body.lookup))
        )
        proof = secret_hash(b64decode(body.auth_secret))
        if account is None or not same_hash(account.auth_hash, proof):
            ctx.limiter.allow("recovery-failures", body.lookup, limit)
            raise unauthorized("recovery code not accepted")
        session_out = issue_device(session, account, body.device_name, now)
        backup = key_backup(account.key_backup)
    assert backup is not None  # set together with auth_hash
    return RecoverOut(**session_out.model_dump(), key_backup=backup)


@router.get("/me", response_model=MeOut, responses=responses(401))
def me(caller: CurrentCaller, ctx: Ctx) -> MeOut:
    with ctx.db.read() as session:
        account = session.get(Account, caller.account_id)
        if account is None:  # deleted between authentication and now
            raise unauthorized()
        return MeOut(
            account_id=account.id,
            display_name=account.display_name,
            role=Role(account.role),
            email=account.email,
            space_id=caller.space_id,
            public_keys=public_keys(account),
            availability=availability(account.availability),
            created_at=account.created_at,
        )


@router.delete("/me", status_code=204, responses=responses(401))
def delete_me(caller: CurrentCaller, ctx: Ctx) -> Response:
    """Erase the caller's account (for a youth: their whole space). Cannot be undone."""
    with ctx.db.write() as session:
        erase_account(session, caller)
    return Response(status_code=204)


@router.put(
    "/me/availability", response_model=Availability, responses=responses(401, 403, 400, 413)
)
def set_availability(body: Availability, caller: CurrentCaller, ctx: Ctx) -> Availability:
    """Caregivers and network persons publish when they can be reached (right to disconnect)."""
    if caller.role is Role.YOUTH:
        raise ApiError(
            403, ErrorCode.FORBIDDEN, "availability is for caregivers and network persons"
        )
    with ctx.db.write() as session:
        account = session.get(Account, caller.account_id)
        if account is None:
            raise unauthorized()
        account.availability = body.model_dump(mode="json")
    return body


@router.get(
    "/accounts/{account_id}/keys", response_model=AccountKeysOut, responses=responses(401, 404)
)
def account_keys(
    account_id: Annotated[str, Path(pattern=UUID7_PATTERN)], caller: CurrentCaller, ctx: Ctx
) -> AccountKeysOut:
    """Public keys of yourself or of someone you share an active care link with."""
    now = ctx.clock()
    with ctx.db.read() as session:
        if account_id != caller.account_id:
            mine = _active_spaces(session, caller.account_id, now)
            theirs = _active_spaces(session, account_id, now)
            if not mine & theirs:
                raise not_found("account")
        account = session.get(Account, account_id)
        keys = public_keys(account) if account is not None else None
        if account is None or keys is None:
            raise not_found("account")
        return AccountKeysOut(
            account_id=account.id,
            display_name=account.display_name,
            role=Role(account.role),
            public_keys=keys,
        )


def _active_spaces(session: Session, account_id: str, now: datetime) -> set[str]:
    """Spaces an account owns or reaches through an active link."""
    owned = set(session.scalars(select(Space.id).where(Space.owner_id == account_id)))
    links = session.scalars(select(Link).where(Link.person_id == account_id))
    return owned | {link.space_id for link in links if is_active(link, now)}
