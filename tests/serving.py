"""Start a REAL server (uvicorn on a free loopback port) for end-to-end tests and benchmarks.

`running_server` runs it in a thread of this process (fast; shares a fake clock if given);
`running_server_process` runs `companion-server serve` as a subprocess (separate GIL, as in
production). Both migrate an empty database first and stop the server on exit.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import httpx
import uvicorn
from fastapi import FastAPI

from companion_server.app import create_app
from companion_server.cli import prepare
from companion_server.context import Clock, utc_now
from companion_server.db.engine import Database
from companion_server.settings import Settings

STARTUP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class RunningServer:
    url: str  # e.g. http://127.0.0.1:54321 (routes are under /v1)
    database_url: str
    app: FastAPI | None  # None for a subprocess server
    pid: int | None = None  # the subprocess server's process id (benchmarks read its CPU time)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, alive: Callable[[], bool]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server stopped while starting")
        try:
            if httpx.get(f"{url}/v1/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the server at {url} did not become healthy in {STARTUP_TIMEOUT_S}s")


@contextmanager
def running_server(
    database_url: str, *, settings: Settings | None = None, clock: Clock = utc_now
) -> Iterator[RunningServer]:
    """A uvicorn server in a background thread of this process, on a free loopback port."""
    settings = replace(settings or Settings(), database_url=database_url)
    database = Database(database_url, settings.db_pool_size)
    problem = prepare(database)
    if problem:
        database.dispose()
        raise RuntimeError(problem)
    app = create_app(settings, database=database, clock=clock)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True, name="uvicorn"
    )
    thread.start()
    try:
        _wait_healthy(url, thread.is_alive)
        yield RunningServer(url=url, database_url=database_url, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        database.dispose()


@contextmanager
def running_server_process(
    database_url: str, *, log_level: str = "warning"
) -> Iterator[RunningServer]:
    """`companion-server serve` in a subprocess on a free loopback port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "companion_server.cli",
        "serve",
        "--database-url",
        database_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        log_level,
    ]
    process = subprocess.Popen(command, env=os.environ.copy())
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, lambda: process.poll() is None)
        yield RunningServer(url=url, database_url=database_url, app=None, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
