"""Diary and mood services: domain rules reach the user as InvalidInput, sharing is checked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.core.dates import format_date, parse_date
from companion.core.errors import InvalidInput, NotFound
from companion.crypto.recovery import KdfParams
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink
from companion.store import Store
from companion.youth.accounts import AccountService
from companion_wire import LinkStatus, Role, new_id
from tests.phone_edge import device_vault

NOW = datetime(2026, 5, 4, 21, 15, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def space(tmp_path):
    accounts = AccountService(
        tmp_path, device_vault(), lambda: NOW, open_store=Store.open, kdf=KdfParams.fast
    )
    space = accounts.create("Noor")
    yield space
    space.close()


def link(space, name, *, status=LinkStatus.ACTIVE, ends=None):
    return CareLink(
        id=new_id(),
        space_id=space.account.space_id,
        person_id=new_id(),
        display_name=name,
        role=Role.CAREGIVER,
        status=status,
        starts_at=NOW - timedelta(days=10),
        ends_at=ends,
    )


def test_write_defaults_to_today_and_private(space):
    entry = space.diary.write("Eerste dag in mijn studio.", mood=4, domains=["housing"])
    stored = space.diary.get(entry.id)
    assert stored.entry_date == date(2026, 5, 4) and stored.shared_with == []
    assert stored.domains == [LifeDomain.HOUSING] and stored.author_id == space.account.account_id


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"text": ""}, "empty", "text"),
        ({"text": "a" * 20_001}, "too_long", "text"),
        ({"text": "ok", "mood": 6}, "out_of_range", "mood"),
        ({"text": "ok", "mood": 0}, "out_of_range", "mood"),
        ({"text": "ok", "domains": ["housing", "housing"]}, "duplicate", "domains"),
        ({"text": "ok", "domains": ["space_travel"]}, "invalid_choice", "domains"),
    ],
)
def test_invalid_entries_are_refused_with_a_code(space, fields, code, field):
    with pytest.raises(InvalidInput) as failure:
        space.diary.write(**fields)
    assert (failure.value.code, failure.value.field) == (code, field)
    assert space.diary.list() == []


def test_edit_keeps_identity_and_refuses_bad_changes(space):
    entry = space.diary.write("Versie 1")
    space.diary.edit(entry.id, text="Versie 2", mood=2, domains=[], entry_date=date(2026, 5, 1))
    with pytest.raises(InvalidInput):
        space.diary.edit(entry.id, text=" ", mood=None, domains=[], entry_date=date(2026, 5, 1))
    stored = space.diary.get(entry.id)
    assert (stored.text, stored.mood, stored.entry_date) == ("Versie 2", 2, date(2026, 5, 1))
    space.diary.delete(entry.id)
    with pytest.raises(NotFound):
        space.diary.get(entry.id)
    with pytest.raises(NotFound):
        space.diary.edit(entry.id, text="x", mood=None, domains=[], entry_date=NOW.date())


def test_search_finds_only_this_space_and_ignores_accents(space):
    space.diary.write("Gesprek met de jeugdhulp over één studio")
    space.diary.write("Naar de bib")
    assert [e.text for e in space.diary.search("een")] == [
        "Gesprek met de jeugdhulp over één studio"
    ]
    assert len(space.diary.search("  ")) == 2  # empty search: everything
    assert space.diary.search('"AND*') == []


def test_sharing_only_with_active_links(space):
    sara = link(space, "Sara")
    ended = link(space, "Lies", ends=NOW - timedelta(days=1))
    invited = link(space, "Omar", status=LinkStatus.INVITED)
    space.links.replace_all([sara, ended, invited])
    assert [link.display_name for link in space.links.active()] == ["Sara"]
    entry = space.diary.write("Voor Sara")
    for person in (ended.person_id, invited.person_id, new_id()):
        with pytest.raises(InvalidInput) as failure:
            space.diary.share(entry.id, [person])
        assert failure.value.code == "not_linked"
    space.diary.share(entry.id, [sara.person_id, sara.person_id])
    assert space.diary.get(entry.id).shared_with == [sara.person_id]
    assert space.links.names([sara.person_id, new_id()]) == ["Sara"]
    space.diary.share(entry.id, [])
    assert space.diary.get(entry.id).shared_with == []


def test_a_damaged_link_list_shows_nobody_rather_than_guessing(space):
    space.store.meta.set("care_links", '[{"id": "nope"}]')
    assert space.links.all() == []


def test_mood_of_today_is_the_latest_check_in_since_midnight(space):
    assert space.moods.latest_today() is None
    space.moods.check_in(2)
    space.moods.check_in(4, "beter na het sporten")
    assert space.moods.latest_today().mood == 4
    with pytest.raises(InvalidInput) as failure:
        space.moods.check_in(9)
    assert failure.value.code == "out_of_range"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04/05/2026", date(2026, 5, 4)),
        ("4-5-2026", date(2026, 5, 4)),
        ("2026-05-04", date(2026, 5, 4)),
    ],
)
def test_dates_are_read_the_belgian_way(text, expected):
    assert parse_date(text) == expected
    assert format_date(expected) == "04/05/2026"


@pytest.mark.parametrize("text", ["", "31/02/2026", "05/04", "morgen"])
def test_unreadable_dates_are_refused(text):
    with pytest.raises(InvalidInput) as failure:
        parse_date(text, field="entry_date")
    assert (failure.value.code, failure.value.field) == ("invalid_date", "entry_date")


def test_a_new_entry_can_be_written_shared_with_active_links_only(space):
    sara = link(space, "Sara")
    ended = link(space, "Lies", ends=NOW - timedelta(days=1))
    space.links.replace_all([sara, ended])
    entry = space.diary.write("Voor Sara", shared_with=[sara.person_id, sara.person_id])
    assert space.diary.get(entry.id).shared_with == [sara.person_id]
    with pytest.raises(InvalidInput) as failure:
        space.diary.write("Voor Lies", shared_with=[ended.person_id])
    assert failure.value.code == "not_linked"
    assert [e.text for e in space.diary.list()] == ["Voor Sara"]  # nothing half written
