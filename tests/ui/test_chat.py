"""Chat screens: the list of people, a conversation with sent/delivered state, and outside a
caregiver's hours the notice with the help lines."""

from __future__ import annotations

from datetime import timedelta

from companion_wire import Availability, LinkOut, LinkStatus, Role, Slot, new_id

NOOR, JAN = new_id(), new_id()
OFFICE = Availability(
    timezone="Europe/Brussels",
    slots=[Slot(weekday=d, start="09:00", end="17:00") for d in range(5)],
)


def links(space, clock, *, jan_ended: bool = False) -> None:
    start = clock() - timedelta(days=20)
    space.network.apply_links(
        [
            LinkOut(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=NOOR,
                display_name="Noor",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=start,
                created_at=start,
                availability=OFFICE,
            ),
            LinkOut(
                id=new_id(),
                space_id=space.account.space_id,
                person_id=JAN,
                display_name="Jan",
                role=Role.NETWORK,
                status=LinkStatus.ACTIVE,
                starts_at=start,
                ends_at=clock() - timedelta(days=1) if jan_ended else None,
                created_at=start,
            ),
        ]
    )


async def test_without_links_the_chat_tab_points_to_inviting_someone(app):
    await app.tab("Chat")
    assert app.exists("chat-empty")
    await app.click("chat-invite")
    assert app.route == "/more/network"


async def test_a_message_is_sent_and_later_delivered(app, space, clock, services):
    links(space, clock)
    await app.tab("Chat")
    await app.click(f"chat-with-{JAN}")
    assert app.route == f"/chat/{JAN}"
    assert len(space.store.conversations.list()) == 1  # started on first open
    assert app.exists("chat-no-messages")
    await app.type("chat-input", "Hoi Jan, zaterdag voetbal?")
    await app.click("chat-send")
    [line] = space.chat.messages(JAN)
    assert app.text_of(f"message-{line.message.id}").endswith("14/03 10:30 · niet verstuurd")
    assert app.get("chat-input").value == ""

    info = space.store.sync_info(line.message.id)
    space.store.mark_synced(line.message.id, 3, info.updated_hlc)  # the sync engine pushed it
    await app.back()
    await app.click(f"chat-with-{JAN}")
    assert "afgeleverd" in app.text_of(f"message-{line.message.id}")


async def test_outside_working_hours_the_help_lines_are_offered(app, space, clock, services):
    links(space, clock)  # the hand clock says Saturday morning
    await app.navigate(f"/chat/{NOOR}")
    notice = app.text_of("chat-unavailable")
    assert "Noor is nu niet aan het werk." in notice
    assert "ma, di, wo, do, vr 09:00–17:00" in notice
    assert "16/03 09:00" in notice
    first = services.helplines[0]
    await app.click(f"chat-call-{first.id}")
    assert app.launched_urls == [first.tel_url]
    await app.type("chat-input", "Kan je maandag bellen?")
    await app.click("chat-send")  # writing is still fine: it waits for Monday
    assert len(space.chat.messages(NOOR)) == 1

    clock.advance(days=2)  # Monday 10:30
    await app.navigate(f"/chat/{JAN}")
    await app.navigate(f"/chat/{NOOR}")
    assert not app.exists("chat-unavailable") and app.exists("chat-available")


async def test_an_ended_link_keeps_the_history_but_closes_the_composer(app, space, clock):
    links(space, clock)
    space.chat.send(JAN, "Bedankt voor alles")
    links(space, clock, jan_ended=True)
    await app.tab("Chat")
    assert "Gestopt" in app.text_of(f"chat-with-{JAN}")
    await app.click(f"chat-with-{JAN}")
    assert app.has_text("Bedankt voor alles")
    assert app.exists("chat-ended") and not app.exists("chat-input")
