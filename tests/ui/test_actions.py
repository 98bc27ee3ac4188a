"""The Action every screen runs its service calls through: the error it keeps, the busy flag
it raises while waiting, and the re-render its changes cause."""

from __future__ import annotations

import asyncio

import pytest

from companion.core.errors import InvalidInput, NotConnected
from companion.core.views.actions import Action, Done


def refuse(code: str = "empty") -> None:
    raise InvalidInput(code, field="title")


def test_run_keeps_the_service_error_and_clears_it_on_the_next_success():
    action = Action()
    assert action.run(refuse) is None
    assert isinstance(action.error, InvalidInput) and action.error.code == "empty"

    assert action.run(lambda a, b=0: a + b, 2, b=3) == Done(5)
    assert action.error is None


def test_a_successful_call_that_returns_nothing_is_still_a_success():
    done = Action().run(lambda: None)
    assert done is not None and done.value is None


def test_errors_that_are_not_the_users_to_fix_are_not_swallowed():
    action = Action()
    with pytest.raises(ZeroDivisionError):
        action.run(lambda: 1 / 0)
    assert action.error is None


async def test_run_async_is_busy_while_it_waits_and_idle_after_success_or_failure():
    action = Action(error=InvalidInput("empty"))
    release = asyncio.Event()
    seen: list[tuple[bool, object]] = []

    async def slow() -> str:
        seen.append((action.busy, action.error))
        await release.wait()
        return "ok"

    task = asyncio.create_task(action.run_async(slow))
    await asyncio.sleep(0)
    assert seen == [(True, None)]  # busy, and the old error is gone at once
    assert action.when_idle(print) is None  # a button given this is disabled
    release.set()
    assert await task == Done("ok")
    assert not action.busy and action.when_idle(print) is print

    async def offline() -> None:
        raise NotConnected()

    assert await action.run_async(offline) is None
    assert not action.busy and isinstance(action.error, NotConnected)


async def test_run_async_is_idle_again_after_an_unexpected_exception():
    action = Action()

    async def broken() -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        await action.run_async(broken)
    assert not action.busy


def test_every_change_is_announced_so_the_component_re_renders():
    action = Action()
    changed: list[str | None] = []
    unsubscribe = action.subscribe(lambda _sender, field: changed.append(field))
    action.run(refuse)
    action.run(lambda: None)
    action.run(lambda: None)  # no error before, none after: nothing to announce
    unsubscribe()
    assert changed == ["error", "error"]
