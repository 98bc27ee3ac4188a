"""Two devices of one youth edit the same things offline, then both come back online.

Against the real server on loopback. What the youth relies on: both devices end up showing
the same thing, and no edit disappears without a trace.
"""

from __future__ import annotations

from datetime import date

from companion.domain.models import GoalStatus
from tests.sync.kit import Device, World, diary, goal, settle


def later_than(device: Device, stamp: str) -> None:
    """What `device` edits next comes after `stamp`, as an edit made later in time does.
    Two edits in the same millisecond would otherwise be ordered by the devices' clock ids
    (random per device): the test then flipped which edit counted as the later one."""
    device.store.clock.observe(stamp)


async def test_two_devices_editing_one_goal_offline_converge_and_keep_every_edit(
    world: World,
) -> None:
    youth, phone = await world.youth("Sam")
    made = goal(phone, "Huurcontract tekenen", why="eigen plek")
    await phone.sync()
    tablet = await world.restore(youth, "tablet")
    await tablet.sync()

    # Both offline: the phone edits title and status, the tablet why and target date; both
    # edit the title, the tablet last.
    on_phone = phone.store.goals.get(made.id)
    phone.store.goals.update(on_phone.model_copy(update={"title": "Huurcontract laten nalezen"}))
    phone.store.goals.update(
        phone.store.goals.get(made.id).model_copy(update={"status": GoalStatus.DONE})
    )
    later_than(tablet, phone.store.goals.get(made.id).updated_hlc)
    on_tablet = tablet.store.goals.get(made.id)
    tablet.store.goals.update(
        on_tablet.model_copy(
            update={"why": "rust en een eigen plek", "target_date": date(2026, 9, 1)}
        )
    )
    tablet.store.goals.update(
        tablet.store.goals.get(made.id).model_copy(update={"title": "Huurcontract ondertekenen"})
    )

    await phone.sync()  # first back online: applied as is
    report = await tablet.engine.sync()  # second: conflict, merged field by field
    await settle([phone, tablet])

    on_phone, on_tablet = phone.store.goals.get(made.id), tablet.store.goals.get(made.id)
    assert on_phone.model_dump(exclude={"updated_hlc"}) == on_tablet.model_dump(
        exclude={"updated_hlc"}
    )
    assert on_phone.status is GoalStatus.DONE  # the phone's edit
    assert on_phone.why == "rust en een eigen plek"  # the tablet's edits
    assert on_phone.target_date == date(2026, 9, 1)
    assert on_phone.title == "Huurcontract ondertekenen"  # both changed it: the later one
    # The title the phone chose was replaced by a later one: reported, not silent.
    assert (made.id, "title") in report.overridden
    assert phone.store.outbox.count() == tablet.store.outbox.count() == 0


async def test_diary_text_written_on_two_devices_keeps_both_versions(world: World) -> None:
    youth, phone = await world.youth("Sam")
    entry = diary(phone, "Vandaag was druk")
    await phone.sync()
    tablet = await world.restore(youth, "tablet")
    await tablet.sync()

    phone.store.diary.update(entry.model_copy(update={"text": "Vandaag was druk, maar fijn"}))
    later_than(tablet, phone.store.diary.get(entry.id).updated_hlc)
    on_tablet = tablet.store.diary.get(entry.id)
    tablet.store.diary.update(on_tablet.model_copy(update={"text": "Vandaag was zwaar"}))
    await phone.sync()
    await tablet.sync()
    await settle([phone, tablet])

    for device in (phone, tablet):
        entries = {e.id: e for e in device.store.diary.list(limit=10)}
        assert entries[entry.id].text == "Vandaag was zwaar"  # the later edit stays in place
        [copy] = [e for e in entries.values() if e.conflict_of == entry.id]
        assert copy.text == "Vandaag was druk, maar fijn"  # the other one is not lost
        assert copy.shared_with == []  # a conflict copy is private until the youth decides
    assert len(phone.store.diary.list(limit=10)) == 2


async def test_a_delete_wins_over_an_edit_made_meanwhile_on_another_device(
    world: World,
) -> None:
    youth, phone = await world.youth("Sam")
    made = goal(phone, "Oud doel")
    await phone.sync()
    tablet = await world.restore(youth, "tablet")
    await tablet.sync()

    phone.store.goals.delete(made.id)
    tablet.store.goals.update(
        tablet.store.goals.get(made.id).model_copy(update={"title": "Toch nog nodig?"})
    )
    await phone.sync()
    await tablet.sync()
    await settle([phone, tablet])

    assert phone.store.goals.get(made.id) is None
    assert tablet.store.goals.get(made.id) is None
