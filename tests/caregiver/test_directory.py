"""The caseload directory: whom this caregiver may see, and forgetting ended links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from companion.caregiver.caseload.directory import META_KEY, READ_PREFIX, from_spaces
from companion.core.errors import NotFound
from companion.domain.life_domains import LifeDomain
from companion.domain.models import DiaryEntry, Goal
from companion_wire import LinkOut, LinkStatus, Role, SpaceOut, new_id
from tests.caregiver.conftest import Youth, link_for


def _link(space_id: str, person_id: str, status: LinkStatus, starts: datetime, **extra) -> LinkOut:
    return LinkOut(
        id=new_id(),
        space_id=space_id,
        person_id=person_id,
        display_name="Els Peeters",
        role=Role.CAREGIVER,
        status=status,
        starts_at=starts,
        created_at=starts,
        **extra,
    )


def test_from_spaces_takes_my_active_link_and_skips_my_own_space(me):
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    space = new_id()
    old = _link(space, me.account_id, LinkStatus.REVOKED, start - timedelta(days=400))
    current = _link(space, me.account_id, LinkStatus.ACTIVE, start)
    spaces = [
        SpaceOut(
            space_id=space,
            owner_id=new_id(),
            owner_name="Sam",
            my_role=Role.CAREGIVER,
            version=7,
            links=[old, current],
        ),
        SpaceOut(
            space_id=new_id(),
            owner_id=me.account_id,
            owner_name="me",
            my_role=Role.YOUTH,
            version=1,
            links=[],
        ),
    ]
    [youth] = from_spaces(spaces, me.account_id)
    assert (youth.space_id, youth.youth_name, youth.link_id) == (space, "Sam", current.id)
    assert youth.status is LinkStatus.ACTIVE


def test_a_passed_end_date_hides_the_youth_without_any_sync(session, youth, clock):
    ends = clock() + timedelta(hours=2)
    session.directory.replace_all([link_for(youth, clock, ends_at=ends)])
    assert [y.youth_name for y in session.directory.active()] == ["Sam"]
    clock.advance(hours=3)
    assert session.directory.active() == []
    with pytest.raises(NotFound):
        session.directory.get(youth.space_id)


def test_replace_all_forgets_the_records_of_links_that_ended(session, youth, clock, store):
    goal = youth.record(Goal, title="Huurcontract lezen", domain=LifeDomain.HOUSING)
    entry = youth.record(DiaryEntry, text="Ik heb de sleutel!", entry_date=clock().date())
    other = Youth(store, "Lina", clock)
    kept = other.record(Goal, title="Rijbewijs", domain=LifeDomain.PAPERWORK)
    session.directory.replace_all([link_for(youth, clock), link_for(other, clock)])

    revoked = link_for(youth, clock, status=LinkStatus.REVOKED)
    gone = session.directory.replace_all([revoked, link_for(other, clock)])

    assert gone == [youth.space_id]
    assert store.record(goal.id) is None and store.record(entry.id) is None
    assert store.record(kept.id) is not None
    assert [y.youth_name for y in session.directory.active()] == ["Lina"]


def test_records_of_a_space_the_server_no_longer_lists_are_forgotten(session, youth, clock, store):
    goal = youth.record(Goal, title="Budget maken", domain=LifeDomain.MONEY)
    assert session.directory.replace_all([]) == [youth.space_id]
    assert store.record(goal.id) is None


def test_forget_ended_drops_data_once_the_care_period_is_over(session, youth, clock, store):
    goal = youth.record(Goal, title="Budget maken", domain=LifeDomain.MONEY)
    session.directory.replace_all([link_for(youth, clock, ends_at=clock() + timedelta(days=1))])
    assert session.directory.forget_ended() == []
    clock.advance(days=2)
    assert session.directory.forget_ended() == [youth.space_id]
    assert store.record(goal.id) is None


def test_an_ended_link_leaves_no_name_and_no_read_marker_behind(session, youth, clock, store):
    store.meta.set(READ_PREFIX + youth.space_id, "2026-03-17T09:00:00.000000|x")
    revoked = link_for(youth, clock, status=LinkStatus.REVOKED)
    assert session.directory.replace_all([revoked]) == [youth.space_id]
    assert session.directory.all() == [] and "Sam" not in (store.meta.get(META_KEY) or "")
    assert store.meta.get(READ_PREFIX + youth.space_id) is None


def test_forget_ended_also_drops_the_entry(session, youth, clock, store):
    session.directory.replace_all([link_for(youth, clock, ends_at=clock() + timedelta(hours=1))])
    store.meta.set(READ_PREFIX + youth.space_id, "2026-03-17T09:00:00.000000|x")
    clock.advance(hours=2)
    assert session.directory.forget_ended() == [youth.space_id]
    assert session.directory.all() == []
    assert store.meta.get(READ_PREFIX + youth.space_id) is None


def test_an_unreadable_list_shows_nobody(session, youth, store):
    store.meta.set(META_KEY, '[{"space_id": 3}]')
    assert session.directory.all() == []
