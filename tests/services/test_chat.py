"""Chat: one conversation per linked person, sent/delivered from the store's sync state, and
availability hours from the links the server sent."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.core.errors import InvalidInput, NotFound
from companion.domain.hlc import HybridClock
from companion.domain.models import Conversation, Message
from companion.store import ACCOUNT_KEY, Store
from companion.youth.account import Account
from companion.youth.chat.service import ChatService, Delivery, reachability
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkService
from companion_wire import Availability, LinkOut, LinkStatus, Role, Slot, new_id

BRUSSELS = ZoneInfo("Europe/Brussels")
START = datetime(2026, 5, 4, 10, 0, tzinfo=BRUSSELS)  # a Monday
CAREGIVER, FORMER = new_id(), new_id()
OFFICE = Availability(
    timezone="Europe/Brussels",
    slots=[Slot(weekday=d, start="09:00", end="17:00") for d in range(5)],
)


class Now:
    def __init__(self) -> None:
        self.current = START

    def __call__(self) -> datetime:
        return self.current


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def store(tmp_path, now):
    clock = HybridClock("phone", lambda: int(now().timestamp() * 1000))
    store = Store.open(tmp_path / "companion.db", key=os.urandom(32), clock=clock)
    yield store
    store.close()


@pytest.fixture
def account(store) -> Account:
    """The youth whose phone this store is (the store stamps what they write)."""
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    return account


def link_out(account: Account, person_id: str, name: str, **kw) -> LinkOut:
    return LinkOut(
        id=new_id(),
        space_id=account.space_id,
        person_id=person_id,
        display_name=name,
        role=Role.CAREGIVER,
        status=kw.pop("status", LinkStatus.ACTIVE),
        starts_at=START - timedelta(days=30),
        created_at=START - timedelta(days=30),
        **kw,
    )


@pytest.fixture
def chat(store, account, now) -> ChatService:
    links = LinksService(store, now)
    network = NetworkService(store, account, links, now)
    network.apply_links(
        [
            link_out(account, CAREGIVER, "Noor", availability=OFFICE),
            link_out(account, FORMER, "Jan", ends_at=START - timedelta(days=1)),
        ]
    )
    return ChatService(store, account, links, network, now)


def test_opening_a_chat_starts_one_conversation_with_that_person(chat, store, account) -> None:
    [contact] = chat.contacts()
    assert (contact.link.display_name, contact.can_write, contact.last) == ("Noor", True, None)
    first = chat.open(CAREGIVER)
    assert set(first.participant_ids) == {account.account_id, CAREGIVER}
    assert first.shared_with == [CAREGIVER]
    assert chat.open(CAREGIVER).id == first.id
    assert len(store.conversations.list()) == 1
    with pytest.raises(NotFound):
        chat.open(new_id())


def test_messages_are_sent_then_delivered_once_the_server_has_them(
    chat, store, account, now
) -> None:
    sent = chat.send(CAREGIVER, "Hoi Noor, kan ik morgen bellen?")
    assert sent.shared_with == [CAREGIVER]
    [line] = chat.messages(CAREGIVER)
    assert (line.mine, line.delivery, line.message.text) == (
        True,
        Delivery.SENT,
        "Hoi Noor, kan ik morgen bellen?",
    )
    assert {item.record_id for item in store.outbox.pending()} >= {sent.id}

    # the sync engine pushed it and the server answered with a version
    store.mark_synced(sent.id, 12, store.sync_info(sent.id).updated_hlc)
    reply = Message(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("office", lambda: int(now().timestamp() * 1000) + 1).now(),
        conversation_id=sent.conversation_id,
        text="Ja, om 10 uur.",
        sent_at=now() + timedelta(minutes=5),
        shared_with=[account.account_id],
    )
    store.apply_remote(reply, 13)
    lines = chat.messages(CAREGIVER)
    assert [(x.message.text, x.mine, x.delivery) for x in lines] == [
        ("Hoi Noor, kan ik morgen bellen?", True, Delivery.DELIVERED),
        ("Ja, om 10 uur.", False, None),
    ]
    assert chat.contact(CAREGIVER).last.text == "Ja, om 10 uur."


def test_a_conversation_the_caregiver_started_is_the_same_thread(chat, store, account) -> None:
    theirs = Conversation(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("office", lambda: int(START.timestamp() * 1000)).now(),
        created_at=START - timedelta(days=1),
        participant_ids=[account.account_id, CAREGIVER],
        shared_with=[account.account_id],
    )
    store.apply_remote(theirs, 4)
    assert chat.open(CAREGIVER).id == theirs.id
    assert chat.send(CAREGIVER, "Dag!").conversation_id == theirs.id


def test_bad_messages_and_ended_links_are_refused(chat, store, account) -> None:
    with pytest.raises(InvalidInput) as empty:
        chat.send(CAREGIVER, "   ")
    assert empty.value.code == "empty"
    with pytest.raises(InvalidInput) as long:
        chat.send(CAREGIVER, "x" * 4001)
    assert long.value.code == "too_long"
    with pytest.raises(NotFound):
        chat.send(FORMER, "Hallo?")  # no history and no access: not a chat contact
    assert chat.messages(CAREGIVER) == []
    assert store.messages.list() == []


def test_an_ended_link_keeps_its_history_readable_but_closed(chat, store, account, now) -> None:
    old = Conversation(
        space_id=account.space_id,
        author_id=account.account_id,
        updated_hlc=store.clock.now(),
        participant_ids=[account.account_id, FORMER],
    )
    store.conversations.create(old)
    store.messages.create(
        Message(
            space_id=account.space_id,
            author_id=account.account_id,
            updated_hlc=store.clock.now(),
            conversation_id=old.id,
            text="Bedankt voor alles",
            sent_at=START - timedelta(days=2),
        )
    )
    contacts = {c.link.display_name: c for c in chat.contacts()}
    assert contacts["Jan"].can_write is False
    assert [c.link.display_name for c in chat.contacts()] == ["Noor", "Jan"]
    assert chat.messages(FORMER)[0].message.text == "Bedankt voor alles"
    with pytest.raises(InvalidInput) as ended:
        chat.send(FORMER, "Nog één ding")
    assert ended.value.code == "link_ended"


def test_availability_hours_say_when_someone_can_be_reached(chat, now) -> None:
    inside = chat.reachability(CAREGIVER)
    assert inside.known and inside.available
    now.current = datetime(2026, 5, 8, 18, 30, tzinfo=BRUSSELS)  # Friday evening
    outside = chat.reachability(CAREGIVER)
    assert not outside.available
    assert outside.next_start == datetime(2026, 5, 11, 9, 0, tzinfo=BRUSSELS)
    assert [s.weekday for s in outside.slots] == [0, 1, 2, 3, 4]
    unknown = chat.reachability(FORMER)
    assert not unknown.known and unknown.available


def test_reachability_reads_hours_in_the_persons_zone() -> None:
    hours = Availability(
        timezone="Europe/London", slots=[Slot(weekday=0, start="09:00", end="10:00")]
    )
    # 09:30 in London on a Monday is 10:30 in Brussels (summer time in both)
    assert reachability(hours, datetime(2026, 5, 4, 10, 30, tzinfo=BRUSSELS)).available
    assert not reachability(hours, datetime(2026, 5, 4, 9, 30, tzinfo=BRUSSELS)).available
    assert reachability(hours, datetime(2026, 5, 4, 8, 30, tzinfo=UTC)).available
