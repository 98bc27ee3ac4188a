"""The sync state the UI watches: a screen that went away must never stop syncing."""

from __future__ import annotations

from companion.sync.state import SyncPhase, SyncStateBox


def test_a_failing_listener_does_not_stop_the_update_or_the_other_listeners() -> None:
    box = SyncStateBox()
    seen: list[SyncPhase] = []

    def closed_screen(_state) -> None:
        raise RuntimeError("the browser disconnected; page.loop is gone")

    box.subscribe(closed_screen)
    box.subscribe(lambda state: seen.append(state.phase))
    box.update(phase=SyncPhase.SYNCING, done=1, total=3)
    assert box.state.phase is SyncPhase.SYNCING and box.state.done == 1
    assert seen == [SyncPhase.SYNCING]


def test_unsubscribed_listeners_hear_nothing_more() -> None:
    box = SyncStateBox()
    seen: list[SyncPhase] = []
    unsubscribe = box.subscribe(lambda state: seen.append(state.phase))
    box.update(phase=SyncPhase.OFFLINE)
    unsubscribe()
    box.update(phase=SyncPhase.UP_TO_DATE)
    assert seen == [SyncPhase.OFFLINE]
