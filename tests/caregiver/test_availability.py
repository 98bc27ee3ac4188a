"""Availability hours (right to disconnect) and the notifications they allow."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from companion.caregiver.availability.service import DEFAULT_HOURS, is_within
from companion.caregiver.chat.alerts import MessageAlerts
from companion.core.errors import InvalidInput
from companion.domain.models import Conversation, Message
from companion.notify import NotifyError
from tests.caregiver.conftest import BRUSSELS, link_for


def test_office_hours_until_the_caregiver_chooses(session):
    assert session.availability.current() == DEFAULT_HOURS
    assert not session.availability.is_chosen()
    tuesday_morning = datetime(2026, 3, 17, 10, 30, tzinfo=BRUSSELS)
    saturday = datetime(2026, 3, 21, 10, 30, tzinfo=BRUSSELS)
    assert session.availability.is_available(tuesday_morning)
    assert not session.availability.is_available(saturday)


def test_chosen_hours_are_kept_and_wait_to_be_published(session):
    hours = session.availability.set_hours([(0, "08:30", "12:00"), (0, "13:00", "16:30")])
    assert session.availability.current() == hours and session.availability.pending() == hours
    monday_lunch = datetime(2026, 3, 16, 12, 30, tzinfo=BRUSSELS)
    assert not session.availability.is_available(monday_lunch)
    assert session.availability.is_available(datetime(2026, 3, 16, 8, 30, tzinfo=BRUSSELS))
    session.availability.mark_published(hours)
    assert session.availability.pending() is None


def test_a_change_after_publishing_is_pending_again(session):
    first = session.availability.set_hours([(1, "09:00", "17:00")])
    session.availability.set_hours([(2, "09:00", "17:00")])
    session.availability.mark_published(first)  # the answer for the older hours
    assert session.availability.pending() is not None


def test_hours_are_read_in_their_own_time_zone():
    hours = DEFAULT_HOURS.model_copy(update={"timezone": "Europe/Brussels"})
    # 08:30 UTC on a summer Monday is 10:30 in Brussels
    assert is_within(hours, datetime.fromisoformat("2026-07-06T08:30:00+00:00"))
    assert not is_within(hours, datetime.fromisoformat("2026-07-06T15:30:00+00:00"))


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        ([(0, "9:00", "17:00")], "invalid_time"),
        ([(0, "25:00", "26:00")], "invalid_time"),
        ([(0, "17:00", "09:00")], "end_before_start"),
        ([(0, "09:00", "13:00"), (0, "12:00", "17:00")], "overlap"),
        ([(7, "09:00", "17:00")], "out_of_range"),
    ],
)
def test_impossible_hours_are_refused_and_nothing_changes(session, slots, code):
    with pytest.raises(InvalidInput) as caught:
        session.availability.set_hours(slots)
    assert caught.value.code == code
    assert caught.value.message_key == f"error.{code}"
    assert not session.availability.is_chosen() and session.availability.pending() is None


def _message_from(youth, me, clock, text):
    conversation = youth.record(
        Conversation, participant_ids=[youth.id, me.account_id], shared_with=[me.account_id]
    )
    youth.record(
        Message,
        conversation_id=conversation.id,
        text=text,
        sent_at=clock(),
        shared_with=[me.account_id],
    )


def test_new_messages_notify_inside_hours_without_their_content(
    session, youth, me, clock, notifier
):
    assert session.alerts.check() == []  # the first check only learns what is there
    _message_from(youth, me, clock, "Ik zit in de problemen met mijn huur")
    assert session.alerts.check() == ["Sam"]
    [(title, body)] = notifier.shown
    assert "Sam" in body and "huur" not in title + body
    assert session.alerts.check() == []  # announced once


def test_no_notifications_outside_availability_hours(session, youth, me, clock, notifier):
    session.alerts.check()
    clock.current = datetime(2026, 3, 21, 22, 0, tzinfo=BRUSSELS)  # Saturday evening
    _message_from(youth, me, clock, "Ben je daar?")
    assert session.alerts.check() == []
    assert notifier.shown == []
    clock.current = datetime(2026, 3, 23, 9, 5, tzinfo=BRUSSELS)  # Monday morning: no burst
    assert session.alerts.check() == []
    assert session.chat.unread(youth.space_id) == 1  # still waiting in the caseload


def test_an_alert_is_taken_back_once_the_youths_access_ends(session, youth, me, clock, notifier):
    session.directory.replace_all([link_for(youth, clock, ends_at=clock() + timedelta(hours=1))])
    session.alerts.check()
    _message_from(youth, me, clock, "Kan je me bellen?")
    assert session.alerts.check() == ["Sam"]
    assert notifier.withdrawn == []
    clock.advance(hours=2)  # the care period ran out on this device's clock
    assert session.alerts.check() == []
    assert notifier.withdrawn == notifier.shown  # what named Sam is taken back, once
    session.alerts.check()
    assert len(notifier.withdrawn) == 1


class _NoDesktop:
    def notify(self, title: str, body: str) -> None:
        raise NotifyError("no notification service")


def test_a_missing_notification_service_does_not_break_syncing(session, youth, me, clock, store):
    alerts = MessageAlerts(
        store, session.directory, session.chat, session.availability, _NoDesktop(), clock
    )
    alerts.check()
    _message_from(youth, me, clock, "Hallo")
    assert alerts.check() == ["Sam"]
