"""The server's HTTP API as typed async calls, over httpx with timeouts.

The httpx transport is pluggable: the app uses the default network transport, tests wrap
the real server in a transport that drops, duplicates or delays requests. Every failure
becomes one of the typed errors in companion.sync.errors, never a raw httpx exception.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from companion.sync.errors import (
    LinkEndedError,
    OfflineError,
    ProtocolError,
    RateLimitedError,
    RefusedError,
    ServerError,
    SignInRequiredError,
)
from companion_wire import (
    API_PREFIX,
    MAX_BODY_BYTES,
    AccessLogOut,
    AccountKeysOut,
    ActivateIn,
    Availability,
    BlobIn,
    BlobOut,
    DeviceOut,
    ErrorCode,
    InvitationIn,
    InvitationOut,
    InvitationPreview,
    KdfParams,
    LinkOut,
    LinkPatch,
    MeOut,
    PullOut,
    PushIn,
    PushOut,
    RecoverIn,
    RecoverOut,
    RecoveryParamsIn,
    RecoveryParamsOut,
    SessionOut,
    SignUpIn,
    SpaceOut,
)

T = TypeVar("T", bound=BaseModel)

# Generous for phones on slow networks, but bounded: a hung request must not hang syncing.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
_SPACES = TypeAdapter(list[SpaceOut])
_DEVICES = TypeAdapter(list[DeviceOut])


def _reason(response: httpx.Response) -> tuple[ErrorCode | None, str]:
    """The server's machine code and human reason, from an ErrorOut or a 422 body."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, response.reason_phrase or f"HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # FastAPI validation errors
        parts = [
            f"{'.'.join(str(p) for p in item.get('loc', []))}: {item.get('msg', '')}"
            for item in detail
            if isinstance(item, dict)
        ]
        return None, "; ".join(parts) or "invalid request"
    raw_code = body.get("code") if isinstance(body, dict) else None
    try:
        code = ErrorCode(raw_code) if isinstance(raw_code, str) else None
    except ValueError:
        code = None
    return code, str(detail) if detail is not None else f"HTTP {response.status_code}"


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def raise_for(response: httpx.Response) -> None:
    """Turn a non-2xx answer into the typed error the engine acts on."""
    status = response.status_code
    if status < 400:
        return
    code, detail = _reason(response)
    if status == 401:
        raise SignInRequiredError(detail)
    if status == 429:
        raise RateLimitedError(detail, _retry_after(response))
    if status >= 500:
        raise ServerError(status, detail, _retry_after(response))
    if code is ErrorCode.LINK_ENDED:
        raise LinkEndedError(status, code, detail)
    raise RefusedError(status, code, detail)


class ApiClient:
    """One per device session. `token` may be set later (after sign-up or recovery)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX, transport=transport, timeout=timeout
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        raw: bytes | None = None,
    ) -> httpx.Response:
        headers = {}
        if auth:
            if self.token is None:
                raise SignInRequiredError("this device has no token yet")
            headers["Authorization"] = f"Bearer {self.token}"
        content = raw
        if raw is not None:
            headers["Content-Type"] = "application/octet-stream"
        if body is not None:
            content = body.model_dump_json(exclude_none=True).encode()
            headers["Content-Type"] = "application/json"
            if len(content) > MAX_BODY_BYTES:
                # Refused here, not sent: a server answering 413 mid-upload often just
                # closes the connection, which would look like being offline.
                raise RefusedError(
                    413,
                    ErrorCode.BODY_TOO_LARGE,
                    f"request body of {len(content)} bytes is over {MAX_BODY_BYTES}; not sent",
                )
        try:
            response = await self._http.request(
                method, path, content=content, params=params, headers=headers
            )
        except httpx.TransportError as exc:  # connect, read, write, timeouts, protocol
            raise OfflineError(f"{type(exc).__name__}: {exc}") from exc
        raise_for(response)
        return response

    @staticmethod
    def _parse(model: type[T], response: httpx.Response) -> T:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(f"unexpected {model.__name__} from the server: {exc}") from exc

    async def sign_up(self, body: SignUpIn) -> SessionOut:
        return self._parse(SessionOut, await self._send("POST", "/accounts", body=body, auth=False))

    async def activate(self, body: ActivateIn) -> SessionOut:
        """A caregiver activates the account the operator made."""
        response = await self._send("POST", "/accounts/activate", body=body, auth=False)
        return self._parse(SessionOut, response)

    async def recovery_params(self, lookup: str) -> KdfParams:
        """404 (unknown code) surfaces as RefusedError with code `not_found`."""
        body = RecoveryParamsIn(lookup=lookup)
        response = await self._send("POST", "/auth/recovery/params", body=body, auth=False)
        return self._parse(RecoveryParamsOut, response).kdf

    async def recover(self, body: RecoverIn) -> RecoverOut:
        response = await self._send("POST", "/auth/recover", body=body, auth=False)
        return self._parse(RecoverOut, response)

    async def me(self) -> MeOut:
        return self._parse(MeOut, await self._send("GET", "/me"))

    async def spaces(self) -> list[SpaceOut]:
        response = await self._send("GET", "/spaces")
        try:
            return _SPACES.validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(f"unexpected spaces list from the server: {exc}") from exc

    async def account_keys(self, account_id: str) -> AccountKeysOut:
        return self._parse(AccountKeysOut, await self._send("GET", f"/accounts/{account_id}/keys"))

    async def devices(self) -> list[DeviceOut]:
        """This account's devices (the youth signs a lost phone out from here)."""
        response = await self._send("GET", "/devices")
        try:
            return _DEVICES.validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(f"unexpected device list from the server: {exc}") from exc

    async def revoke_device(self, device_id: str) -> None:
        await self._send("DELETE", f"/devices/{device_id}")

    async def create_invitation(self, body: InvitationIn) -> InvitationOut:
        return self._parse(InvitationOut, await self._send("POST", "/invitations", body=body))

    async def preview_invitation(self, code: str) -> InvitationPreview:
        """Who invites, with their public keys: check the safety number before accepting."""
        response = await self._send("GET", f"/invitations/{code}", auth=False)
        return self._parse(InvitationPreview, response)

    async def accept_invitation(self, code: str) -> LinkOut:
        return self._parse(LinkOut, await self._send("POST", f"/invitations/{code}/accept"))

    async def revoke_link(self, link_id: str) -> LinkOut:
        return self._parse(LinkOut, await self._send("POST", f"/links/{link_id}/revoke"))

    async def set_link_end(self, link_id: str, body: LinkPatch) -> LinkOut:
        """Move a care link's end date (the youth; a caregiver only earlier, on their own)."""
        return self._parse(LinkOut, await self._send("PATCH", f"/links/{link_id}", body=body))

    async def set_availability(self, hours: Availability) -> Availability:
        """Publish when a caregiver or network person can be reached (right to disconnect)."""
        return self._parse(Availability, await self._send("PUT", "/me/availability", body=hours))

    async def access_log(self, space_id: str, before: int | None, limit: int) -> AccessLogOut:
        """Who opened what in the youth's space, newest first (the youth only)."""
        params = {"limit": limit} | ({"before": before} if before is not None else {})
        response = await self._send("GET", f"/spaces/{space_id}/access-log", params=params)
        return self._parse(AccessLogOut, response)

    async def delete_me(self) -> None:
        """Erase the account on the server: for a youth, the whole space with it."""
        await self._send("DELETE", "/me")

    async def push(self, body: PushIn) -> PushOut:
        return self._parse(PushOut, await self._send("POST", "/sync/push", body=body))

    async def pull(self, space_id: str, cursor: int, limit: int) -> PullOut:
        params = {"space_id": space_id, "cursor": cursor, "limit": limit}
        return self._parse(PullOut, await self._send("GET", "/sync/pull", params=params))

    # files (issue 17): sealed chunks, several back to back per request

    async def declare_blob(self, body: BlobIn) -> BlobOut:
        """Declare a sealed file, or ask again how far its upload got."""
        return self._parse(BlobOut, await self._send("POST", "/blobs", body=body))

    async def put_blob_chunks(self, blob_id: str, first: int, data: bytes) -> BlobOut:
        response = await self._send("PUT", f"/blobs/{blob_id}/chunks/{first}", raw=data)
        return self._parse(BlobOut, response)

    async def complete_blob(self, blob_id: str) -> BlobOut:
        return self._parse(BlobOut, await self._send("POST", f"/blobs/{blob_id}/complete"))

    async def blob_status(self, blob_id: str) -> BlobOut:
        return self._parse(BlobOut, await self._send("GET", f"/blobs/{blob_id}"))

    async def blob_chunks(self, blob_id: str, first: int, count: int) -> bytes:
        params = {"count": count}
        response = await self._send("GET", f"/blobs/{blob_id}/chunks/{first}", params=params)
        return response.content

    async def delete_blob(self, blob_id: str) -> None:
        await self._send("DELETE", f"/blobs/{blob_id}")
