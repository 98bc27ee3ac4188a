"""Start a REAL server (uvicorn on a free loopback port) for end-to-end tests and benchmarks.

`running_server` runs it in a thread of this process (fast; shares a fake clock if given);
`running_server_process` runs `companion-server serve` as a subprocess (separate GIL, as in
production); `running_cluster` runs several of those behind HAProxy (Debian's package), as
docs/operations.md deploys them. All migrate an empty database first and stop on exit.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI

from companion_server.app import create_app
from companion_server.cli import prepare
from companion_server.context import Clock, utc_now
from companion_server.db.engine import Database
from companion_server.settings import Settings

# How long a started server may take to answer /health before the test gives up. It returns
# as soon as the server answers (~2 s here); the bound only has to be far above a start on
# two busy cores (imports and migrations took over 30 s there), since speed is not the test.
STARTUP_TIMEOUT_S = 120.0


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
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", ws_per_message_deflate=False)
    )
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


@dataclass(frozen=True)
class RunningCluster:
    url: str  # the load balancer
    backends: list[RunningServer]  # each API process, reachable on its own port too
    haproxy_pid: int


HAPROXY_CONFIG = """\
global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    timeout check 5s
    timeout tunnel 1h
frontend api
    bind 127.0.0.1:{port}
    # the API sees the real client address (and no client can claim another)
    http-request set-header X-Forwarded-For %[src]
    # metrics are scraped from each process directly, never through the proxy
    http-request deny if {{ path_beg /metrics }}
    default_backend api_processes
backend api_processes
    balance roundrobin
    option httpchk GET /v1/health
{servers}
"""


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or next(
        (path for path in ("/usr/sbin/haproxy",) if os.access(path, os.X_OK)), None
    )


@contextmanager
def running_cluster(database_url: str, processes: int = 2) -> Iterator[RunningCluster]:
    """`processes` API processes on one database behind HAProxy on a free loopback port."""
    binary = haproxy_binary()
    if binary is None:
        raise RuntimeError("HAProxy is not installed (apt-get install haproxy)")
    with ExitStack() as stack:
        backends = [
            stack.enter_context(running_server_process(database_url)) for _ in range(processes)
        ]
        port = free_port()
        servers = "\n".join(
            f"    server api{i} {backend.url.removeprefix('http://')} check inter 1s"
            for i, backend in enumerate(backends)
        )
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        config = folder / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=port, servers=servers))
        proxy = subprocess.Popen([binary, "-f", str(config), "-db"])
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, lambda: proxy.poll() is None)
            yield RunningCluster(url=url, backends=backends, haproxy_pid=proxy.pid)
        finally:
            proxy.terminate()
            proxy.wait(timeout=10)
