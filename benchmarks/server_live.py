"""The `listeners` phase of benchmarks/server.py: chat latency while 500 idle devices hold
`/v1/live` open, against the same chat without them (same run), and what each costs.

A caregiver pushes one chat message every `CHAT_GAP_S` into a youth's space; the youth's
device listens on `/v1/live`. Chat latency is from sending the push to the youth's device
receiving the nudge for that version (what the person sees); the push's own answer time is
reported beside it. The loaded window lasts longer than the server's re-check interval
(`REFRESH_SECONDS`), so every listener's periodic token and link check falls inside it.
Memory is the server process's resident set before and after the listeners connect.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import httpx
from websockets.asyncio.client import ClientConnection, connect

from companion_server.routes.live import REFRESH_SECONDS

CHAT_GAP_S = 0.05
BASELINE_S = 8.0


def proc_status(pid: int | None) -> dict[str, int]:
    """VmRSS (KiB) and Threads of a process, from /proc (Linux)."""
    out = {"rss_kib": 0, "threads": 0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    out["rss_kib"] = int(line.split()[1])
                elif line.startswith("Threads:"):
                    out["threads"] = int(line.split()[1])
    except (OSError, TypeError):
        pass
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 2)


def _ws(url: str) -> str:
    return url.replace("http://", "ws://") + "/v1/live"


async def _listen(url: str, token: str) -> ClientConnection:
    return await connect(
        _ws(url), additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=60
    )


async def chat(url: str, people: dict[str, dict[str, str]], bodies, seconds: float) -> dict:
    """Push `bodies` one every CHAT_GAP_S for `seconds`; latencies to the youth's nudge."""
    youth, caregiver = people["youth"], people["caregiver"]
    listener = await _listen(url, youth["token"])
    sent: dict[int, float] = {}
    heard: dict[int, float] = {}

    async def receive() -> None:
        async for message in listener:
            heard[json.loads(message)["version"]] = time.perf_counter()

    receiving = asyncio.create_task(receive())
    push_times: list[float] = []
    headers = {
        "Authorization": f"Bearer {caregiver['token']}",
        "content-type": "application/json",
    }
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        until = time.perf_counter() + seconds
        while time.perf_counter() < until:
            start = time.perf_counter()
            response = await http.post("/v1/sync/push", content=next(bodies))
            push_times.append(time.perf_counter() - start)
            response.raise_for_status()
            sent[response.json()["results"][0]["version"]] = start
            await asyncio.sleep(max(0.0, CHAT_GAP_S - (time.perf_counter() - start)))
    await asyncio.sleep(1.0)
    receiving.cancel()
    await listener.close()
    latencies = [heard[v] - t for v, t in sent.items() if v in heard]
    return {
        "messages": len(sent),
        "nudged": len(latencies),
        "chat_p50_ms": round(statistics.median(latencies) * 1000, 2),
        "chat_p99_ms": _pct(latencies, 0.99),
        "chat_max_ms": _pct(latencies, 1.0),
        "push_p50_ms": round(statistics.median(push_times) * 1000, 2),
        "push_p99_ms": _pct(push_times, 0.99),
    }


async def measure_listeners(
    url: str, pid: int | None, people: dict[str, dict[str, str]], idle: list[dict[str, str]], bodies
) -> dict[str, object]:
    baseline = await chat(url, people, bodies, BASELINE_S)
    before = proc_status(pid)
    listeners: list[ClientConnection] = []
    for start in range(0, len(idle), 50):
        chunk = idle[start : start + 50]
        listeners += await asyncio.gather(*(_listen(url, p["token"]) for p in chunk))
    await asyncio.sleep(2.0)
    connected = proc_status(pid)
    loaded = await chat(url, people, bodies, REFRESH_SECONDS + 10.0)
    after = proc_status(pid)
    await asyncio.gather(*(listener.close() for listener in listeners))
    per_connection = (connected["rss_kib"] - before["rss_kib"]) / max(1, len(listeners))
    return {
        "idle_listeners": len(listeners),
        "without_listeners": baseline,
        "with_listeners": loaded,
        "window_s": REFRESH_SECONDS + 10.0,
        "server_rss_kib": {"before": before["rss_kib"], "connected": connected["rss_kib"]},
        "kib_per_listener": round(per_connection, 1),
        "server_threads": {
            "before": before["threads"],
            "connected": connected["threads"],
            "after_window": after["threads"],
        },
    }
