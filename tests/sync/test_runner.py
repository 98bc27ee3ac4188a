"""The runner turns every failure into a state the user can act on, and keeps going."""

from __future__ import annotations

import asyncio

from companion.sync.backoff import Backoff
from companion.sync.errors import (
    OfflineError,
    RateLimitedError,
    ServerError,
    SignInRequiredError,
)
from companion.sync.runner import SyncRunner
from companion.sync.state import Problem, SyncPhase, SyncStateBox
from companion_wire import LiveNudge, RecordEnvelope, new_id


class Script:
    """A cycle that fails as told, then succeeds (the runner's only collaborator)."""

    def __init__(self, state: SyncStateBox, failures: list[Exception]) -> None:
        self.state = state
        self.failures = failures
        self.calls = 0
        self.spaces: list[str] = []

    async def full(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.state.update(phase=SyncPhase.UP_TO_DATE, problem=None)

    async def space(self, space_id: str) -> None:
        self.spaces.append(space_id)


async def run_until(state: SyncStateBox, phase: SyncPhase, runner: SyncRunner) -> list:
    seen: list = []
    state.subscribe(lambda s: seen.append((s.phase, s.problem)))
    runner.start()
    for _ in range(400):
        if state.state.phase is phase and seen:
            break
        await asyncio.sleep(0.005)
    await runner.stop()
    return seen


async def test_every_kind_of_failure_becomes_an_actionable_state_then_recovers() -> None:
    state = SyncStateBox()
    failures = [
        OfflineError("no network"),
        ServerError(503, "database"),
        RateLimitedError("slow down", retry_after=0.0),
        RuntimeError("a bug"),
    ]
    script = Script(state, failures)
    runner = SyncRunner(script.full, script.space, state, backoff=Backoff(0.001, 0.002))
    seen = await run_until(state, SyncPhase.UP_TO_DATE, runner)
    assert seen[:4] == [
        (SyncPhase.OFFLINE, None),
        (SyncPhase.ERROR, Problem.SERVER_UNAVAILABLE),
        (SyncPhase.ERROR, Problem.RATE_LIMITED),
        (SyncPhase.ERROR, Problem.INTERNAL),
    ]
    assert seen[-1] == (SyncPhase.UP_TO_DATE, None)
    assert script.calls == 5


async def test_a_503_waits_at_least_its_retry_after_before_trying_again() -> None:
    state = SyncStateBox()
    script = Script(state, [ServerError(503, "database", retry_after=0.3)])
    runner = SyncRunner(script.full, script.space, state, backoff=Backoff(0.001, 0.002))
    runner.start()
    await asyncio.sleep(0.1)
    assert (script.calls, state.state.problem) == (1, Problem.SERVER_UNAVAILABLE)
    await run_until(state, SyncPhase.UP_TO_DATE, runner)
    assert script.calls == 2


async def test_a_refused_sign_in_stops_retrying_until_resumed() -> None:
    state = SyncStateBox()
    script = Script(state, [SignInRequiredError("revoked")])
    runner = SyncRunner(script.full, script.space, state, backoff=Backoff(0.001, 0.002))
    runner.start()
    await asyncio.sleep(0.05)
    runner.request()  # local changes keep coming: nothing is sent meanwhile
    await asyncio.sleep(0.05)
    assert (state.state.phase, state.state.problem) == (SyncPhase.SIGN_IN_REQUIRED, Problem.SIGN_IN)
    assert script.calls == 1
    runner.resume()  # signed in again
    for _ in range(100):
        if state.state.phase is SyncPhase.UP_TO_DATE:
            break
        await asyncio.sleep(0.005)
    await runner.stop()
    assert state.state.phase is SyncPhase.UP_TO_DATE and script.calls == 2


async def test_a_nudge_pulls_only_its_space() -> None:
    state = SyncStateBox()
    script = Script(state, [])
    runner = SyncRunner(script.full, script.space, state)
    runner.start()  # the start-up full sync
    await asyncio.sleep(0.02)
    runner.request("space-a")
    await asyncio.sleep(0.02)
    await runner.stop()
    assert script.calls == 1 and script.spaces == ["space-a"]


def _nudge(space_id: str, version: int, with_record: bool = True) -> LiveNudge:
    record = None
    if with_record:
        record = RecordEnvelope.model_validate(
            {
                "id": new_id(),
                "space_id": space_id,
                "kind": "message",
                "author_id": (author := new_id()),
                "signer_id": author,
                "revision": 1,
                "conversation_id": new_id(),
                "version": version,
                "ciphertext": "AAAA",
                "nonce": "A" * 32,
                "content_hash": "A" * 43 + "=",
                "wraps": [{"recipient_id": new_id(), "wrapped_key": "AAAA"}],
                "created_at": "2026-11-22T10:00:00+00:00",
                "updated_at": "2026-11-22T10:00:00+00:00",
            }
        )
    return LiveNudge(space_id=space_id, version=version, kinds=["message"], record=record)


async def test_a_nudge_with_its_record_is_taken_without_a_pull_unless_it_cannot_be() -> None:
    """Nudges are taken in the order they came; once one of a space cannot be taken (a
    version was skipped), that space is pulled and its later nudges are left to the pull."""
    state = SyncStateBox()
    script = Script(state, [])
    space_a, space_b = new_id(), new_id()
    taken: list[int] = []

    async def take(nudge: LiveNudge) -> bool:
        taken.append(nudge.version)
        return nudge.version != 7  # 7 skipped a version

    runner = SyncRunner(script.full, script.space, state, live=take)
    runner.start()
    await asyncio.sleep(0.02)
    runner.nudged(_nudge(space_a, 5))
    await asyncio.sleep(0.02)
    assert taken == [5] and script.spaces == []
    runner.nudged(_nudge(space_b, 7))
    runner.nudged(_nudge(space_b, 8))
    runner.nudged(_nudge(space_a, 6, with_record=False))
    await asyncio.sleep(0.02)
    await runner.stop()
    assert taken == [5, 7] and sorted(script.spaces) == sorted([space_a, space_b])
    assert script.calls == 1  # the start-up sync only


async def test_a_nudge_about_links_asks_for_a_full_cycle() -> None:
    state = SyncStateBox()
    script = Script(state, [])
    runner = SyncRunner(script.full, script.space, state)
    runner.start()
    await asyncio.sleep(0.02)
    runner.nudged(LiveNudge(space_id=new_id(), version=0, kinds=[]))
    await asyncio.sleep(0.02)
    await runner.stop()
    assert script.calls == 2 and script.spaces == []
