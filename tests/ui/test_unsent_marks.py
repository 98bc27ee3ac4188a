"""Items not sent yet are marked "Niet verstuurd" where they are shown (issue 15), and the
mark goes once the server has them; while offline every screen says so at the top."""

from __future__ import annotations

from companion.sync.state import SyncPhase, SyncState


def send_everything(space) -> None:
    """What the sync engine does once the server acknowledged the changes."""
    outbox = space.store.outbox
    outbox.remove([item.seq for item in outbox.pending(limit=1000)])


async def test_a_diary_entry_is_marked_until_it_is_sent(app, services, space):
    entry = space.diary.write("Op de bus geschreven.")
    goal = space.goals.create("Een studio huren", "housing")
    services.sync_state.publish(SyncState(phase=SyncPhase.OFFLINE, pending=2))
    await app.tab("Dagboek")
    assert app.exists("offline-banner")  # on every screen, not only on Today
    assert app.text_of(f"entry-{entry.id}").endswith("Alleen jij · Niet verstuurd")
    await app.click(f"entry-{entry.id}")
    assert app.text_of("entry-unsent").startswith("Niet verstuurd")
    await app.back()
    await app.tab("Doelen")
    assert app.has_text("Wonen · Niet verstuurd")

    send_everything(space)
    services.sync_state.publish(SyncState(phase=SyncPhase.UP_TO_DATE, pending=0))
    await app.settle()
    assert not app.exists("offline-banner")
    assert not app.has_text("Niet verstuurd")
    await app.tab("Dagboek")
    assert not app.text_of(f"entry-{entry.id}").endswith("Niet verstuurd")
    assert goal.id not in services.unsent()
