"""The timeline ("mijn verhaal"): events by date and domain, the mood series, documents with
the youth's own comment — all from a real store."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.core.errors import InvalidInput, NotFound
from companion.domain.hlc import HybridClock
from companion.domain.life_domains import LifeDomain
from companion.domain.models import CareLink, Document, MoodCheckin
from companion.store import ACCOUNT_KEY, Store
from companion.youth.account import Account
from companion.youth.chat.service import ChatService
from companion.youth.diary.service import DiaryService
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkService
from companion.youth.timeline.service import EventKind, TimelineService
from companion_wire import LinkStatus, Role, new_id

BRUSSELS = ZoneInfo("Europe/Brussels")
CAREGIVER = new_id()


class Now:
    def __init__(self) -> None:
        self.current = datetime(2026, 5, 10, 12, 0, tzinfo=BRUSSELS)

    def __call__(self) -> datetime:
        return self.current

    def wall_ms(self) -> int:
        return int(self.current.timestamp() * 1000)


@pytest.fixture
def now() -> Now:
    return Now()


@pytest.fixture
def store(tmp_path, now):
    store = Store.open(
        tmp_path / "companion.db", key=os.urandom(32), clock=HybridClock("phone", now.wall_ms)
    )
    yield store
    store.close()


@pytest.fixture
def account(store) -> Account:
    """The youth whose phone this store is (the store stamps what they write)."""
    account = Account(new_id(), new_id(), "Sam")
    store.meta.set(ACCOUNT_KEY, account.account_id)
    return account


@pytest.fixture
def links(store, account, now) -> LinksService:
    links = LinksService(store, now)
    links.replace_all(
        [
            CareLink(
                id=new_id(),
                space_id=account.space_id,
                person_id=CAREGIVER,
                display_name="Noor",
                role=Role.CAREGIVER,
                status=LinkStatus.ACTIVE,
                starts_at=now() - timedelta(days=90),
            )
        ]
    )
    return links


@pytest.fixture
def timeline(store, account, links, now) -> TimelineService:
    return TimelineService(store, account, links, now)


def caregiver_document(store: Store, account: Account, now: Now, title: str) -> Document:
    document = Document(
        space_id=account.space_id,
        author_id=CAREGIVER,
        updated_hlc=HybridClock("office", now.wall_ms).now(),
        created_at=now() - timedelta(days=2),
        title=title,
        body="Sam woont sinds april alleen.\nHet gaat goed.",
        shared_with=[account.account_id],
    )
    store.apply_remote(document, 5)
    return document


def test_the_story_lists_every_kind_of_moment_newest_first(
    store, account, links, timeline, now
) -> None:
    diary = DiaryService(store, account, links, lambda: now().date())
    goals = GoalsService(store, account, links, now=now)
    chat = ChatService(store, account, links, NetworkService(store, account, links, now), now)
    diary.write(
        "Eerste week in mijn studio", mood=4, domains=["housing"], entry_date=date(2026, 5, 1)
    )
    now.current += timedelta(hours=1)
    goal = goals.create("Bankrekening openen", LifeDomain.MONEY)
    step = goals.add_step(goal.id, "Bank kiezen")
    now.current += timedelta(hours=1)
    goals.set_step_done(step.id, True)
    now.current += timedelta(hours=1)
    goals.set_done(goal.id, True)
    now.current += timedelta(hours=1)
    chat.send(CAREGIVER, "Dag Noor!")
    now.current += timedelta(hours=1)
    chat.send(CAREGIVER, "Nog een vraag")
    caregiver_document(store, account, now, "Verslag april")

    events = timeline.events()
    assert [(e.kind, e.title) for e in events] == [
        (EventKind.FIRST_MESSAGE, "Noor"),
        (EventKind.GOAL_DONE, "Bankrekening openen"),
        (EventKind.STEP_DONE, "Bank kiezen"),
        (EventKind.GOAL_STARTED, "Bankrekening openen"),
        (EventKind.DOCUMENT, "Verslag april"),
        (EventKind.DIARY, "Eerste week in mijn studio"),
    ]
    step_event = events[2]
    assert (step_event.detail, step_event.domains) == ("Bankrekening openen", (LifeDomain.MONEY,))
    assert events[-1].mood == 4 and events[-1].day == date(2026, 5, 1)
    assert events[4].detail == "Noor"  # who shared the document

    money = timeline.events(LifeDomain.MONEY)
    assert {e.kind for e in money} == {
        EventKind.GOAL_STARTED,
        EventKind.STEP_DONE,
        EventKind.GOAL_DONE,
    }
    assert [e.kind for e in timeline.events("housing")] == [EventKind.DIARY]
    assert timeline.events(LifeDomain.HEALTH) == []
    with pytest.raises(ValueError):
        timeline.events("astrology")


def test_the_mood_series_averages_checkins_and_diary_moods_per_day(
    store, account, links, timeline, now
) -> None:
    diary = DiaryService(store, account, links, lambda: now().date())
    for day, mood in ((date(2026, 5, 8), 2), (date(2026, 5, 9), 5), (date(2026, 3, 1), 1)):
        diary.write(f"dag {day}", mood=mood, entry_date=day)
    diary.write("zonder stemming", entry_date=date(2026, 5, 9))
    store.moods.create(
        MoodCheckin(
            space_id=account.space_id,
            author_id=account.account_id,
            updated_hlc=store.clock.now(),
            mood=4,
            checked_at=datetime(2026, 5, 9, 23, 30, tzinfo=BRUSSELS),
        )
    )
    series = timeline.mood_series()
    assert [(p.day, p.mood, p.count) for p in series] == [
        (date(2026, 5, 8), 2.0, 1),
        (date(2026, 5, 9), 4.5, 2),
    ]
    assert [p.day for p in timeline.mood_series(days=1)] == []


def test_the_youth_adds_and_edits_their_own_comment_on_a_document(
    store, account, timeline, now
) -> None:
    document = caregiver_document(store, account, now, "Handelingsplan")
    [view] = timeline.documents()
    assert (view.document.title, view.author_name, view.comment) == ("Handelingsplan", "Noor", None)

    comment = timeline.set_comment(document.id, "Ik wil zelf mijn huur betalen.")
    assert comment.author_id == account.account_id
    assert comment.shared_with == [CAREGIVER]  # the author of the document reads it
    edited = timeline.set_comment(document.id, "Ik betaal mijn huur nu zelf.")
    assert edited.id == comment.id
    assert timeline.document(document.id).comment.text == "Ik betaal mijn huur nu zelf."
    with pytest.raises(InvalidInput):
        timeline.set_comment(document.id, "   ")
    assert timeline.document(document.id).comment.text == "Ik betaal mijn huur nu zelf."
    timeline.delete_comment(document.id)
    assert timeline.document(document.id).comment is None
    with pytest.raises(NotFound):
        timeline.delete_comment(document.id)
    with pytest.raises(NotFound):
        timeline.set_comment(new_id(), "tekst")
