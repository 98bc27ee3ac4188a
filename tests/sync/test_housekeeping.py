"""A device that retries a push long after its answer was lost, when the server has pruned
the stored answer, converges without a duplicate and without a refused change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from companion.sync.errors import OfflineError
from companion_server.db.engine import Database
from companion_server.services.housekeeping import prune_push_answers
from tests.serving import RunningServer
from tests.sync.faults import Fault, FaultyTransport
from tests.sync.kit import World, diary, goal, settle


async def test_a_push_retried_after_the_server_forgot_its_answer_converges(
    server: RunningServer, faulty_world: tuple[World, FaultyTransport]
) -> None:
    world, faulty = faulty_world
    database = Database(server.database_url)
    try:
        youth, phone = await world.youth("Sam")
        plan = goal(phone, "Rijbewijs halen")
        await phone.sync()
        tablet = await world.restore(youth, "tablet")
        await tablet.sync()

        phone.store.goals.update(phone.store.goals.get(plan.id).model_copy(update={"why": "werk"}))
        entry = diary(phone, "Eerste les gehad")
        faulty.plan.append(Fault.DROP_RESPONSE)  # the server applied both; the phone never heard
        with pytest.raises(OfflineError, match="response lost"):
            await phone.engine.push()
        weeks_later = datetime.now(UTC) + timedelta(days=45)
        assert prune_push_answers(database, weeks_later, kept_days=30) >= 2

        report = await phone.engine.sync()  # the same mutations again, now unknown
        assert report.parked == 0 and phone.engine.parked() == []
        assert phone.store.outbox.count() == 0
        await settle([phone, tablet])
        for device in (phone, tablet):
            assert device.store.goals.get(plan.id).why == "werk"
            assert device.store.diary.get(entry.id).text == "Eerste les gehad"
        versions = {d.store.sync_info(entry.id).server_version for d in (phone, tablet)}
        assert len(versions) == 1  # one version of the entry, everywhere
    finally:
        database.dispose()
