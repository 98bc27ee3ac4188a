"""The caller's devices: list them, sign one out (its token stops working at once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from sqlalchemy import select

from companion_server.auth import DeviceToken, caller_of
from companion_server.context import Ctx
from companion_server.db.models import Device
from companion_server.errors import not_found, responses
from companion_server.wire_route import WireRoute
from companion_wire import UUID7_PATTERN, DeviceOut

router = APIRouter(tags=["devices"], route_class=WireRoute)


@router.get("/devices", response_model=list[DeviceOut], responses=responses(401))
def list_devices(token: DeviceToken, ctx: Ctx) -> list[DeviceOut]:
    caller = caller_of(ctx, token)
    with ctx.db.read() as session:
        devices = session.scalars(
            select(Device).where(Device.account_id == caller.account_id).order_by(Device.id)
        )
        return [
            DeviceOut(
                id=device.id,
                name=device.name,
                created_at=device.created_at,
                last_seen_at=device.last_seen_at,
                revoked_at=device.revoked_at,
                current=device.id == caller.device_id,
            )
            for device in devices
        ]


@router.delete("/devices/{device_id}", status_code=204, responses=responses(401, 404))
def revoke_device(
    device_id: Annotated[str, Path(pattern=UUID7_PATTERN)], token: DeviceToken, ctx: Ctx
) -> Response:
    """Revoke one of your devices (a lost phone, or signing out this one)."""
    caller = caller_of(ctx, token)
    with ctx.db.write() as session:
        device = session.get(Device, device_id)
        if device is None or device.account_id != caller.account_id:
            raise not_found("device")
        if device.revoked_at is None:
            device.revoked_at = ctx.clock()
    ctx.notifier.device_revoked(device_id)  # after the commit: its check then fails
    return Response(status_code=204)
