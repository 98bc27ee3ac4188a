"""Files (issue 17): upload and download of a 20 MB file against a plain HTTP transfer of the
same number of bytes on loopback, in the same run. JSON out.

A real `companion-server serve` (uvicorn, one process, SQLite in a temporary folder, blobs
in the folder beside it) and `benchmarks/bare_app.py` under uvicorn with the same settings
run as subprocesses on 127.0.0.1; this process is the client (httpx, one connection pool).

- `plain_upload` / `plain_download`: one POST of the bytes to a bare route that reads the
  body, one GET of them from a bare route: what the wire and uvicorn cost.
  `plain_upload_stored`: the same POST, the bare route also writing the bytes to a file and
  flushing it to disk, as the blob store must (a file reported stored must survive a crash).
- `upload`: the app's path from a file's bytes to a complete blob: seal in 256 KiB chunks
  (XChaCha20-Poly1305, a worker thread), declare, send runs of 7 chunks with 3 in flight,
  complete (the server hashes what it stored). `upload_sealed` is the same without sealing
  (the file was sealed when it was attached, as the app does).
- `download`: fetch runs of 7 chunks, 3 ahead, open every chunk, check the hash, write the
  plaintext and move it into place.

Each measure runs `--rounds` times interleaved (default 5); figures are medians, and each
ratio is the blob throughput over the plain throughput of the same direction (target ≥ 0.7).

Run from the repository root: .venv/bin/python -m benchmarks.attachments
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.server import running_bare_app
from companion.crypto.blobs import seal_bytes
from companion.sync.api import ApiClient
from companion.sync.blobs import download, upload
from companion_wire import new_id
from tests.server.serverkit import key_backup, public_keys, recovery
from tests.serving import running_server_process

MB = 1024 * 1024


async def sign_up(url: str) -> tuple[str, str]:
    body = {
        "display_name": "Bench",
        "role": "youth",
        "public_keys": public_keys(),
        "recovery": recovery(),
        "key_backup": key_backup(),
        "device_name": "bench",
    }
    async with httpx.AsyncClient() as client:
        answer = (await client.post(f"{url}/v1/accounts", json=body)).json()
    return answer["token"], answer["space_id"]


async def timed(job) -> float:  # a coroutine function; seconds it took
    started = time.perf_counter()
    await job()
    return time.perf_counter() - started


async def one_round(
    api: ApiClient, plain: httpx.AsyncClient, bare: str, space_id: str, data: bytes, root: Path
) -> dict[str, float]:
    size = len(data)
    sealed_file = root / "sealed"
    key_holder: dict[str, object] = {}

    async def plain_up() -> None:
        answer = await plain.post(f"{bare}/bare/upload", content=data)
        assert answer.json()["bytes"] == size

    async def plain_up_stored() -> None:
        answer = await plain.post(f"{bare}/bare/upload", params={"store": True}, content=data)
        assert answer.json()["bytes"] == size

    async def plain_down() -> None:
        answer = await plain.get(f"{bare}/bare/download", params={"size": size})
        assert len(answer.content) == size

    async def seal_and_upload() -> None:
        blob_id = new_id()
        key, sealed = await asyncio.to_thread(seal_bytes, data, blob_id)
        await asyncio.to_thread(sealed_file.write_bytes, sealed)
        await upload(api, space_id, key, sealed_file)
        key_holder["key"] = key

    async def upload_sealed() -> None:
        blob_id = new_id()
        key, sealed = await asyncio.to_thread(seal_bytes, data, blob_id)
        await asyncio.to_thread(sealed_file.write_bytes, sealed)
        key_holder["sealed_key"] = key
        seconds = await timed(lambda: upload(api, space_id, key, sealed_file))
        key_holder["sealed_seconds"] = seconds

    async def fetch() -> None:
        target = root / "opened"
        target.unlink(missing_ok=True)
        await download(api, key_holder["key"], target)  # type: ignore[arg-type]

    figures = {
        "plain_upload": await timed(plain_up),
        "plain_upload_stored": await timed(plain_up_stored),
        "upload": await timed(seal_and_upload),
        "plain_download": await timed(plain_down),
        "download": await timed(fetch),
    }
    await upload_sealed()
    figures["upload_sealed"] = float(key_holder["sealed_seconds"])  # type: ignore[arg-type]
    assert (root / "opened").read_bytes() == data
    return figures


async def measure(rounds: int, size: int) -> dict[str, object]:
    data = os.urandom(size)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite:///{root / 'server.db'}"
        with running_server_process(url) as server, running_bare_app() as bare:
            token, space_id = await sign_up(server.url)
            async with (
                ApiClient(server.url, token=token) as api,
                httpx.AsyncClient(timeout=60) as plain,
            ):
                await one_round(api, plain, bare.url, space_id, data, root)  # warm-up
                runs = [
                    await one_round(api, plain, bare.url, space_id, data, root)
                    for _ in range(rounds)
                ]
    seconds = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    throughput = {name: round(size / MB / value, 1) for name, value in seconds.items()}
    return {
        "file_mib": round(size / MB, 2),
        "rounds": rounds,
        "median_seconds": {k: round(v, 4) for k, v in seconds.items()},
        "mib_per_s": throughput,
        "ratio_upload": round(seconds["plain_upload"] / seconds["upload"], 2),
        "ratio_upload_sealed": round(seconds["plain_upload"] / seconds["upload_sealed"], 2),
        "ratio_upload_sealed_to_stored": round(
            seconds["plain_upload_stored"] / seconds["upload_sealed"], 2
        ),
        "ratio_download": round(seconds["plain_download"] / seconds["download"], 2),
        "target_ratio": 0.7,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mib", type=float, default=20.0)
    args = parser.parse_args()
    result = asyncio.run(measure(args.rounds, int(args.mib * MB)))
    result["machine"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
