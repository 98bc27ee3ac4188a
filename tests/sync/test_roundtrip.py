"""The everyday path on the real server: write, sync, read it on another device and on the
caregiver's, exactly as shared."""

from __future__ import annotations

from tests.sync.kit import World, diary, goal, settle


async def test_what_one_device_writes_reaches_the_others_as_shared(world: World) -> None:
    youth, phone = await world.youth("Sam")
    private = diary(phone, "Vandaag ging het goed met de huurbaas")
    plan = goal(phone, "Huurcontract tekenen")
    await phone.sync()

    tablet = await world.restore(youth, "tablet")
    await tablet.sync()
    assert tablet.store.diary.get(private.id).text == private.text
    assert tablet.store.goals.get(plan.id).title == plan.title

    els = await world.caregiver("Els")
    await world.link(phone, els)
    shared = diary(phone, "Dit mag Els lezen", shared_with=[els.account_id])
    await settle([phone, tablet, els])
    assert els.store.diary.get(shared.id).text == "Dit mag Els lezen"
    assert els.store.diary.get(private.id) is None  # private stays private
    assert tablet.store.diary.get(shared.id).shared_with == [els.account_id]
