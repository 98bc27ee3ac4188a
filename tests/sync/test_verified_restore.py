"""A new phone restored with the recovery code trusts whom the old one trusted: the
verifications travel as private records in the youth's space (companion.core.verification)."""

from __future__ import annotations

from datetime import UTC, datetime

from companion.core.verification import Verification
from companion.sync.keyring import KeyStatus
from tests.sync.kit import Device, World, conversation, diary, message


def verification(device: Device) -> Verification:
    return Verification(
        device.store, device.account_id, device.identity.keys.public, lambda: datetime.now(UTC)
    )


async def test_a_restored_phone_brings_back_what_and_whom_the_old_one_trusted(
    world: World,
) -> None:
    youth, phone = await world.youth("Sam")
    els = await world.caregiver("Els")
    await world.link(phone, els)  # compared in person, both confirmed
    entry = diary(phone, "Gedeeld met Els", shared_with=[els.account_id])
    chat = conversation(phone, youth.space_id, [youth.account_id, els.account_id])
    await phone.sync()
    await els.sync()
    message(els, els.store.conversations.get(chat.id), "Tot donderdag!")
    await els.sync()
    await phone.sync()

    new_phone = await world.restore(youth, "new-phone")
    await new_phone.sync()

    assert verification(new_phone).of(els.account_id).status is KeyStatus.VERIFIED
    assert new_phone.store.diary.get(entry.id).text == "Gedeeld met Els"
    texts = [m.text for m in new_phone.store.messages.list(conversation_id=chat.id)]
    assert texts == ["Tot donderdag!"]  # Els's own words, opened with her pinned keys
    later = diary(new_phone, "Vanaf de nieuwe telefoon", shared_with=[els.account_id])
    await new_phone.sync()
    assert new_phone.engine.parked() == []  # shares at once: no need to compare again
    await els.sync()
    assert els.store.diary.get(later.id).text == "Vanaf de nieuwe telefoon"
