"""Chat with one youth: one conversation per pair, unread counts, delivery state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from companion.core.errors import InvalidInput, NotFound
from companion.domain.models import Conversation, Message
from tests.caregiver.conftest import link_for


def test_first_message_starts_the_conversation_with_the_youth(session, youth, me, store):
    sent = session.chat.send(youth.space_id, "Dag Sam, hoe ging het bij de huisbaas?")
    [conversation] = session.chat.conversations(session.directory.get(youth.space_id))
    assert set(conversation.participant_ids) == {youth.id, me.account_id}
    assert conversation.shared_with == [youth.id]
    assert sent.conversation_id == conversation.id and sent.shared_with == [youth.id]
    session.chat.send(youth.space_id, "Laat je iets weten?")
    assert len(session.chat.conversations(session.directory.get(youth.space_id))) == 1
    assert [line.message.text for line in session.chat.messages(youth.space_id)] == [
        "Dag Sam, hoe ging het bij de huisbaas?",
        "Laat je iets weten?",
    ]


def test_a_conversation_the_youth_started_is_used_and_read(session, youth, me, clock):
    conversation = youth.record(
        Conversation, participant_ids=[youth.id, me.account_id], shared_with=[me.account_id]
    )
    youth.record(
        Message,
        conversation_id=conversation.id,
        text="Mag ik je iets vragen?",
        sent_at=clock(),
        shared_with=[me.account_id],
    )
    assert session.chat.unread(youth.space_id) == 1
    reply = session.chat.send(youth.space_id, "Natuurlijk!")
    assert reply.conversation_id == conversation.id
    lines = session.chat.messages(youth.space_id)
    assert [(line.message.text, line.mine) for line in lines] == [
        ("Mag ik je iets vragen?", False),
        ("Natuurlijk!", True),
    ]
    session.chat.mark_read(youth.space_id)
    assert session.chat.unread(youth.space_id) == 0
    clock.advance(minutes=5)
    youth.record(
        Message,
        conversation_id=conversation.id,
        text="Dank je",
        sent_at=clock(),
        shared_with=[me.account_id],
    )
    assert session.chat.unread(youth.space_id) == 1


def test_two_conversations_started_at_once_show_as_one_thread(session, youth, me, clock):
    mine = session.chat.send(youth.space_id, "Hallo Sam")
    theirs = youth.record(
        Conversation,
        participant_ids=[youth.id, me.account_id],
        shared_with=[me.account_id],
        created_at=clock() - timedelta(minutes=1),
    )
    youth.record(
        Message,
        conversation_id=theirs.id,
        text="Hoi!",
        sent_at=clock() + timedelta(seconds=5),
        shared_with=[me.account_id],
    )
    texts = [line.message.text for line in session.chat.messages(youth.space_id)]
    assert texts == ["Hallo Sam", "Hoi!"]
    # new messages go to the oldest conversation, the one both sides pick
    assert session.chat.send(youth.space_id, "Tot morgen").conversation_id == theirs.id
    assert mine.conversation_id != theirs.id


def test_delivered_once_the_server_acknowledged_it(session, youth, store):
    sent = session.chat.send(youth.space_id, "Tot donderdag")
    [line] = session.chat.messages(youth.space_id)
    assert line.mine and not line.delivered
    store.mark_synced(sent.id, 12, sent.updated_hlc)
    [line] = session.chat.messages(youth.space_id)
    assert line.delivered


def test_empty_message_is_refused_and_nothing_is_written(session, youth, store):
    with pytest.raises(InvalidInput) as caught:
        session.chat.send(youth.space_id, "   ")
    assert caught.value.code == "empty"
    assert store.outbox.count() == 0


def test_no_chat_after_the_link_ended(session, youth, clock):
    session.directory.replace_all([link_for(youth, clock, ends_at=clock() + timedelta(minutes=1))])
    clock.advance(minutes=2)
    with pytest.raises(NotFound):
        session.chat.send(youth.space_id, "Nog iets")
    with pytest.raises(NotFound):
        session.chat.messages(youth.space_id)
