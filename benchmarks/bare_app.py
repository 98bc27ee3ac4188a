"""The same-run baseline of benchmarks/server.py: FastAPI with one bare sync route and one
bare async route, served by uvicorn with the same settings as `companion-server serve`; and
of benchmarks/attachments.py: a bare upload and a bare download of the same bytes."""

from __future__ import annotations

import os
import tempfile

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

app = FastAPI()


@app.get("/bare/sync")
def bare_sync() -> dict[str, bool]:
    return {"ok": True}


@app.get("/bare/async")
async def bare_async() -> dict[str, bool]:
    return {"ok": True}


# The same-run baseline of benchmarks/attachments.py: the same bytes in one plain request.
_PAYLOADS: dict[int, bytes] = {}


@app.post("/bare/upload")
async def bare_upload(request: Request, store: bool = False) -> dict[str, int]:
    """The bytes read and dropped; with `store`, written to a file and flushed to disk (what
    the blob store must do too) in a worker thread."""
    parts = [part async for part in request.stream()]
    if store:
        await run_in_threadpool(_store, parts)
    return {"bytes": sum(len(part) for part in parts)}


def _store(parts: list[bytes]) -> None:
    with tempfile.NamedTemporaryFile() as out:
        for part in parts:
            out.write(part)
        out.flush()
        os.fsync(out.fileno())


@app.get("/bare/download")
def bare_download(size: int) -> Response:
    if size not in _PAYLOADS:
        _PAYLOADS[size] = os.urandom(size)
    return Response(_PAYLOADS[size], media_type="application/octet-stream")
