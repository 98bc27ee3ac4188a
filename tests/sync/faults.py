"""A fault-injecting httpx transport around the real server, and a log of what it committed.

Faults apply to the next requests of one device, in order: drop the request (the server
never sees it), drop the response after the server committed, deliver it twice, hold it back
and deliver it later (after newer requests: a reorder), or crash the client right after the
server committed. The log keeps every push the server applied, decoded, for the oracles.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import httpx


class Fault(Enum):
    DROP_REQUEST = "drop_request"
    DROP_RESPONSE = "drop_response"
    DUPLICATE = "duplicate"
    DELAY = "delay"  # delivered later, out of order, by `release_delayed`
    CRASH = "crash"  # the server commits, then the client process dies


class SimulatedCrash(Exception):
    """Raised into the client right after the server committed: the app was killed."""


@dataclass(frozen=True)
class Applied:
    """A mutation the server applied (whether or not its answer reached the client)."""

    token: str
    mutation_id: int
    op: str
    record: dict
    version: int | None


class CommitLog:
    """Everything the server acknowledged, as observed on the wire; replays are deduplicated."""

    def __init__(self) -> None:
        self.applied: dict[tuple[str, int], Applied] = {}
        self.pushes: list[tuple[str, bytes, bytes]] = []  # (token, request body, response)

    def observe(self, request: httpx.Request, body: bytes, response: httpx.Response) -> None:
        if request.url.path != "/v1/sync/push" or response.status_code != 200:
            return
        token = request.headers.get("authorization", "")
        self.pushes.append((token, body, response.content))
        sent = {m["mutation_id"]: m for m in json.loads(body)["mutations"]}
        for result in response.json()["results"]:
            if result["status"] != "applied":
                continue
            mutation = sent[result["mutation_id"]]
            key = (token, result["mutation_id"])
            self.applied.setdefault(
                key,
                Applied(
                    token,
                    result["mutation_id"],
                    mutation["op"],
                    mutation["record"],
                    result.get("version"),
                ),
            )


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps the transport of the current server (`server()` changes when it restarts)."""

    def __init__(self, server: Callable[[], httpx.AsyncBaseTransport], log: CommitLog) -> None:
        self._server = server
        self._log = log
        self.plan: deque[Fault] = deque()
        self.delayed: list[tuple[httpx.Request, bytes]] = []

    async def _forward(self, request: httpx.Request, body: bytes) -> httpx.Response:
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        response = await self._server().handle_async_request(copy)
        content = await response.aread()
        answered = httpx.Response(response.status_code, headers=response.headers, content=content)
        self._log.observe(copy, body, answered)
        return answered

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        fault = self.plan.popleft() if self.plan else None
        if fault is Fault.DROP_REQUEST:
            raise httpx.ConnectError("injected: request dropped", request=request)
        if fault is Fault.DELAY:
            self.delayed.append((request, body))
            raise httpx.ReadTimeout("injected: request held back", request=request)
        response = await self._forward(request, body)
        if fault is Fault.DUPLICATE:
            response = await self._forward(request, body)
        if fault is Fault.DROP_RESPONSE:
            raise httpx.ReadError(
                "injected: response lost after the server committed", request=request
            )
        if fault is Fault.CRASH:
            raise SimulatedCrash("injected: the app was killed after the server committed")
        return response

    async def release_delayed(self) -> None:
        """Deliver held-back requests now, after everything sent since (answers are lost)."""
        held, self.delayed = self.delayed, []
        for request, body in held:
            await self._forward(request, body)
