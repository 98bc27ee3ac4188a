"""Sign-up, caregiver activation, recovery sign-in, and the caller's own account."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from companion_server.access import is_active
from companion_server.auth import CallerLookup, DeviceToken, authenticate, caller_of
from companion_server.context import Ctx
from companion_server.db.models import Account, Link, Space
from companion_server.db.types import read_time
from companion_server.errors import ApiError, not_found, responses, unauthorized
from companion_server.guards import counting_failures, limit_requests, refuse_while_locked
from companion_server.ratelimit import Bucket
from companion_server.security import code_hash, same_hash, secret_hash
from companion_server.services import invitations
from companion_server.services.accounts import create_account, erase_account, issue_device, set_keys
from companion_server.services.views import availability, key_backup, public_keys
from companion_server.wire_route import WireRoute
from companion_wire import (
    UUID7_PATTERN,
    AccountKeysOut,
    ActivateIn,
    Availability,
    ErrorCode,
    MeOut,
    PublicKeys,
    RecoverIn,
    RecoverOut,
    RecoveryParamsIn,
    RecoveryParamsOut,
    Role,
    SessionOut,
    SignUpIn,
    b64decode,
    b64encode,
    new_id,
)

router = APIRouter(tags=["accounts"], route_class=WireRoute)


@router.post(
    "/accounts",
    status_code=201,
    response_model=SessionOut,
    responses=responses(404, 409, 400, 413, 429),
)
def sign_up(body: SignUpIn, request: Request, ctx: Ctx) -> SessionOut:
    """A youth (or, with an invitation, a network person) creates an account and a device."""
    limit_requests(ctx, "signup", request)
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
    limit_requests(ctx, "signup", request)
    failures = [
        Bucket("activation-failures", body.email, ctx.settings.activation_failures_per_email)
    ]
    refuse_while_locked(ctx, "activation-failures", failures)
    now = ctx.clock()
    counted = counting_failures(ctx, "activation-failures", failures, ErrorCode.UNAUTHORIZED)
    with counted, ctx.db.write() as session:
        account = session.scalar(
            select(Account).where(Account.email == body.email, Account.role == Role.CAREGIVER)
        )
        if (
            account is None
            or account.activation_expires_at is None
            or account.activation_expires_at <= now
            or not same_hash(account.activation_hash, code_hash(body.activation_code))
        ):
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
    limit_requests(ctx, "recovery", request)
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
    and the key backup.

    Requests are limited per address, network and overall; wrong secrets per account, and
    past that limit a wrong secret is answered 429 instead of 401. The right secret is never
    refused: it proves the 148-bit code (guessing its 256-bit derivation is hopeless), and
    refusing it would let anyone who learned a lookup lock the youth out of recovery."""
    limit_requests(ctx, "recovery", request)
    failures = [
        Bucket("recovery-failures", body.lookup, ctx.settings.recovery_failures_per_account)
    ]
    now = ctx.clock()
    counted = counting_failures(ctx, "recovery-failures", failures, ErrorCode.UNAUTHORIZED)
    with counted, ctx.db.write() as session:
        account = session.scalar(
            select(Account).where(Account.recovery_lookup == b64decode(body.lookup))
        )
        proof = secret_hash(b64decode(body.auth_secret))
        if account is None or not same_hash(account.auth_hash, proof):
            raise unauthorized("recovery code not accepted")
        session_out = issue_device(session, account, body.device_name, now)
        backup = key_backup(account.key_backup)
    assert backup is not None  # set together with auth_hash
    return RecoverOut(**session_out.model_dump(), key_backup=backup)


# The caller and everything `/v1/me` shows, in the one statement that checks the token.
_ME = CallerLookup(
    Account.email, Account.x25519, Account.ed25519, Account.availability, Account.created_at
)


@router.get("/me", response_model=MeOut, responses=responses(401))
def me(token: DeviceToken, ctx: Ctx) -> Response:
    """One database round trip; the answer is written once, not validated again."""
    caller, (email, x25519, ed25519, stored_availability, created_at) = authenticate(
        ctx, token, _ME
    )
    keys = None
    if x25519 is not None and ed25519 is not None:
        keys = PublicKeys(x25519=b64encode(x25519), ed25519=b64encode(ed25519))
    out = MeOut(
        account_id=caller.account_id,
        display_name=caller.display_name,
        role=caller.role,
        email=email,
        space_id=caller.space_id,
        public_keys=keys,
        availability=availability(stored_availability),
        created_at=read_time(created_at),
    )
    return Response(out.model_dump_json(), media_type="application/json")


@router.delete("/me", status_code=204, responses=responses(401))
def delete_me(token: DeviceToken, ctx: Ctx) -> Response:
    """Erase the caller's account (for a youth: their whole space). Cannot be undone."""
    caller = caller_of(ctx, token)
    with ctx.db.write() as session:
        erase_account(session, caller)
    return Response(status_code=204)


@router.put(
    "/me/availability", response_model=Availability, responses=responses(401, 403, 400, 413)
)
def set_availability(body: Availability, token: DeviceToken, ctx: Ctx) -> Availability:
    """Caregivers and network persons publish when they can be reached (right to disconnect)."""
    caller = caller_of(ctx, token)
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
    account_id: Annotated[str, Path(pattern=UUID7_PATTERN)], token: DeviceToken, ctx: Ctx
) -> AccountKeysOut:
    """Public keys of yourself or of someone you share an active care link with."""
    caller = caller_of(ctx, token)
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
