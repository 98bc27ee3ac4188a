"""A real caseload (issue 15): 26 youths, found by name, sorted by name, last activity or
unread, and a "needs attention" view (unread messages, open suggestions, a care period
that ends within 30 days, a network alarm); in the app, too, and Enter sends in the chat."""

from __future__ import annotations

from datetime import timedelta

import flet as ft
import pytest

from companion.caregiver.caseload.service import CaseloadSort
from companion.domain.life_domains import LifeDomain
from companion.domain.models import Conversation, DiaryEntry, Message
from tests.caregiver.conftest import Youth, link_for
from tests.caregiver.uikit import signed_in

NAMES = [
    "Amira", "Bram", "Chloé", "Daan", "Emma", "Finn", "Gill", "Hanne", "Ilias", "Jana",
    "Kobe", "Lotte", "Mats", "Nora", "Omar", "Pieter", "Quinten", "Rania", "Seppe", "Tess",
    "Uma", "Vic", "Wout", "Xena", "Yasmine", "Zoë",
]  # fmt: skip


def write_to(youth: Youth, me: str, clock, *texts: str) -> None:
    conversation = youth.record(Conversation, participant_ids=[youth.id, me], shared_with=[me])
    for text in texts:
        youth.record(
            Message, conversation_id=conversation.id, text=text, sent_at=clock(), shared_with=[me]
        )


def build_caseload(session, clock) -> dict[str, Youth]:
    """26 youths: Omar wrote twice, Tess once; Bram got a suggestion; Lotte's period ends in
    three weeks, Vic's in two months; Emma wrote in her diary most recently."""
    youths = {name: Youth(session.store, name, clock) for name in NAMES}
    ends = {"Lotte": timedelta(days=21), "Vic": timedelta(days=60)}
    session.directory.replace_all(
        [
            link_for(youth, clock, ends_at=clock() + ends[name] if name in ends else None)
            for name, youth in youths.items()
        ]
    )
    me = session.me.account_id
    for index, name in enumerate(NAMES):  # each did something, a minute apart
        clock.advance(minutes=1)
        youths[name].record(DiaryEntry, text=f"Dag {index}", entry_date=clock().date())
    clock.advance(minutes=1)
    write_to(youths["Tess"], me, clock, "Hoi")
    clock.advance(minutes=1)
    write_to(youths["Omar"], me, clock, "Kan je bellen?", "Het is dringend")
    clock.advance(minutes=1)
    youths["Emma"].record(DiaryEntry, text="Nieuwste", entry_date=clock().date())
    session.suggestions.suggest_goal(youths["Bram"].space_id, "Sparen", LifeDomain.MONEY)
    return youths


@pytest.fixture
def caseload(session, clock) -> dict[str, Youth]:
    return build_caseload(session, clock)


def names(entries) -> list[str]:
    return [entry.youth.youth_name for entry in entries]


def test_a_caseload_is_searched_and_sorted(session, caseload):
    entries = session.caseload
    assert len(entries.entries()) == 26
    assert names(entries.entries(sort=CaseloadSort.NAME))[:3] == ["Amira", "Bram", "Chloé"]
    assert names(entries.entries(sort=CaseloadSort.NAME))[-1] == "Zoë"
    assert names(entries.entries(sort=CaseloadSort.ACTIVITY))[:3] == ["Emma", "Omar", "Tess"]
    assert names(entries.entries(sort=CaseloadSort.UNREAD))[:3] == ["Omar", "Tess", "Emma"]
    assert names(entries.entries(sort=CaseloadSort.ATTENTION))[:2] == ["Omar", "Tess"]
    assert names(entries.entries("  ma ")) == ["Omar", "Emma", "Uma", "Mats"]
    assert names(entries.entries("CHLOÉ")) == ["Chloé"]
    assert entries.entries("Xavier") == []
    with pytest.raises(ValueError):
        entries.entries(sort="age")


def test_needs_attention_is_unread_open_suggestions_or_an_ending_care_period(session, caseload):
    attention = session.caseload.entries(sort=CaseloadSort.NAME, attention_only=True)
    assert names(attention) == ["Bram", "Lotte", "Omar", "Tess"]  # not Vic: 60 days left
    why = {entry.youth.youth_name: entry for entry in attention}
    assert why["Bram"].open_suggestions == 1 and why["Lotte"].ending_soon
    assert (why["Omar"].unread, why["Tess"].unread) == (2, 1)
    session.chat.mark_read(caseload["Omar"].space_id)
    assert "Omar" not in names(session.caseload.entries(attention_only=True))


@pytest.fixture
def services(tmp_path, clock):
    built = signed_in(tmp_path, clock)
    yield built
    built.close()


async def test_the_caseload_screen_searches_sorts_and_shows_who_needs_attention(
    services, clock, pilot_for
):
    youths = build_caseload(services.session, clock)
    app = await pilot_for(services)
    assert app.has_text("Vraagt aandacht (4)")
    await app.type("caseload-search", "ma")
    shown = [name for name in NAMES if app.exists(f"youth-{youths[name].space_id}")]
    assert sorted(shown) == ["Emma", "Mats", "Omar", "Uma"]
    await app.type("caseload-search", "")
    await app.toggle("caseload-attention")
    shown = [name for name in NAMES if app.exists(f"youth-{youths[name].space_id}")]
    assert shown == ["Bram", "Lotte", "Omar", "Tess"]
    lotte = app.text_of(f"youth-{youths['Lotte'].space_id}")
    assert "Zorgperiode eindigt binnen 30 dagen" in lotte
    await app.toggle("caseload-attention")
    await app.toggle("caseload-sort-name")
    assert app.get("caseload-sort-name").selected
    assert not app.get("caseload-sort-attention").selected
    await app.type("caseload-search", "zz")
    assert app.text_of("caseload-none") == "Niemand gevonden voor “zz”."


async def test_enter_sends_in_the_chat_and_shift_enter_adds_a_line(services, clock, pilot_for):
    sam = Youth(services.session.store, "Sam", clock)
    services.session.directory.replace_all([link_for(sam, clock)])
    app = await pilot_for(services, route=f"/youth/{sam.space_id}/chat")
    field = app.get("chat-input")
    assert isinstance(field, ft.TextField)
    assert field.multiline and field.shift_enter  # Flutter: Shift+Enter is a new line
    typed = "Dag Sam,\nmorgen om 10 uur?"
    app.session.apply_patch(field._i, {"value": typed})
    await app.session.dispatch_event(field._i, "change", None)
    await app.session.dispatch_event(field._i, "submit", None)  # Enter
    await app.settle()
    [line] = services.session.chat.messages(sam.space_id)
    assert line.message.text == typed
    assert app.get("chat-input").value == ""
