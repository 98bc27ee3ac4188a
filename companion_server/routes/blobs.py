"""Blobs: the sealed files attachment records refer to (services/blobs.py says who may do
what). Chunks travel as raw bytes, several back to back per request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from companion_server.auth import DeviceToken, caller_of
from companion_server.context import Ctx
from companion_server.errors import responses
from companion_server.services import blobs as service
from companion_server.wire_route import WireRoute
from companion_wire import MAX_BLOB_RUN, UUID7_PATTERN, BlobIn, BlobOut, blob_chunks
from companion_wire.limits import MAX_BLOB_BYTES

router = APIRouter(tags=["blobs"], route_class=WireRoute)

BlobId = Annotated[str, Path(pattern=UUID7_PATTERN)]
ChunkIndex = Annotated[int, Path(ge=0, lt=blob_chunks(MAX_BLOB_BYTES))]
OCTETS = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
}


@router.post("/blobs", response_model=BlobOut, responses=responses(401, 403, 409, 413))
def declare(body: BlobIn, token: DeviceToken, ctx: Ctx) -> BlobOut:
    """Declare a file's ciphertext (size, SHA-256) before sending its chunks. Declaring the
    same again answers which chunks the server already holds: how an upload resumes. 413
    `blob_too_large` over the per-file limit, `quota_exceeded` over the space's quota."""
    return service.declare(ctx, caller_of(ctx, token), body)


@router.get("/blobs/{blob_id}", response_model=BlobOut, responses=responses(401, 403, 404))
def status(blob_id: BlobId, token: DeviceToken, ctx: Ctx) -> BlobOut:
    """Size, chunk count, the chunks held, and whether the blob is complete."""
    return service.status(ctx, caller_of(ctx, token), blob_id)


@router.put(
    "/blobs/{blob_id}/chunks/{index}",
    response_model=BlobOut,
    responses=responses(401, 403, 404, 409, 413),
    openapi_extra={"requestBody": {"required": True, **OCTETS}},
)
async def put_chunks(
    blob_id: BlobId, index: ChunkIndex, request: Request, token: DeviceToken, ctx: Ctx
) -> BlobOut:
    """Chunks `index`, `index + 1`, ... back to back (at most `MAX_BLOB_RUN`), each exactly
    its sealed size: 422 `blob_mismatch` otherwise. Sending a chunk again replaces it."""
    data = await request.body()
    return await run_in_threadpool(
        lambda: service.put_chunks(ctx, caller_of(ctx, token), blob_id, index, data)
    )


@router.post(
    "/blobs/{blob_id}/complete", response_model=BlobOut, responses=responses(401, 403, 404, 409)
)
def complete(blob_id: BlobId, token: DeviceToken, ctx: Ctx) -> BlobOut:
    """Finish an upload: 409 `blob_incomplete` names missing chunks; 422 `blob_mismatch`
    when the chunks do not hash to the declared SHA-256 (they are dropped)."""
    return service.complete(ctx, caller_of(ctx, token), blob_id)


@router.get(
    "/blobs/{blob_id}/chunks/{index}",
    responses={**responses(401, 403, 404, 409), 200: OCTETS},
    response_class=Response,
)
def read_chunks(
    blob_id: BlobId,
    index: ChunkIndex,
    token: DeviceToken,
    ctx: Ctx,
    count: Annotated[int, Query(ge=1, le=MAX_BLOB_RUN)] = 1,
) -> Response:
    """`count` chunks from `index` (fewer at the end), back to back. 403 once the file's
    record is no longer shared with you; 409 `blob_incomplete` before the upload finished."""
    data = service.read_chunks(ctx, caller_of(ctx, token), blob_id, index, count)
    return Response(content=data, media_type="application/octet-stream")


@router.delete("/blobs/{blob_id}", status_code=204, responses=responses(401, 403, 404))
def remove(blob_id: BlobId, token: DeviceToken, ctx: Ctx) -> Response:
    """The uploader or the space's youth deletes a blob."""
    service.remove(ctx, caller_of(ctx, token), blob_id)
    return Response(status_code=204)
