"""Fixtures for caregiver service tests: a real encrypted store on a caregiver's device.

What a youth shared arrives the way the sync engine stores it (`Store.apply_remote`), so
these tests exercise the services on exactly what a caregiver's device holds. Only the
machine edges are replaced: the clock is moved by hand and notifications are recorded.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from companion.caregiver.caseload.directory import LinkedYouth
from companion.caregiver.profile import Professional
from companion.caregiver.session import CaregiverSession
from companion.crypto.keys import AccountKeys
from companion.domain.hlc import HybridClock
from companion.domain.models import Record
from companion.notify import RecordingNotifier
from companion.store import ACCOUNT_KEY, Store
from companion_wire import LinkStatus, Role, new_id

BRUSSELS = ZoneInfo("Europe/Brussels")


class HandClock:
    """The only clock the services see; a Tuesday morning in Brussels to start with."""

    def __init__(self) -> None:
        self.current = datetime(2026, 3, 17, 10, 30, tzinfo=BRUSSELS)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class Youth:
    """A youth whose records reach the caregiver's store as the sync engine writes them."""

    def __init__(self, store: Store, name: str, clock: HandClock) -> None:
        self.id = new_id()
        self.space_id = new_id()
        self.name = name
        self._store = store
        self._hlc = HybridClock("youth" + self.id[-6:].replace("-", "0"))
        self._clock = clock
        self._version = 0

    def stamp(self) -> str:
        return self._hlc.now()

    def deliver(self, record: Record) -> Record:
        """What a pull of a shared record does on the caregiver's device."""
        self._version += 1
        self._store.apply_remote(record, self._version)
        return record

    def record(self, model: type[Record], **fields: object) -> Record:
        return self.deliver(
            model(
                space_id=self.space_id,
                author_id=self.id,
                updated_hlc=self.stamp(),
                **fields,
            )
        )


def link_for(youth: Youth, clock: HandClock, **changes: object) -> LinkedYouth:
    fields: dict[str, object] = {
        "space_id": youth.space_id,
        "youth_id": youth.id,
        "youth_name": youth.name,
        "link_id": new_id(),
        "role": Role.CAREGIVER,
        "status": LinkStatus.ACTIVE,
        "starts_at": clock() - timedelta(days=30),
        "ends_at": None,
    }
    fields.update(changes)
    return LinkedYouth(**fields)


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "caregiver.db", key=os.urandom(32))
    yield opened
    opened.close()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def me() -> Professional:
    return Professional(new_id(), "Els Peeters", Role.CAREGIVER)


@pytest.fixture
def session(store, me, clock, notifier) -> CaregiverSession:
    store.meta.set(ACCOUNT_KEY, me.account_id)  # as a finished sign-in leaves it
    return CaregiverSession(store, me, AccountKeys.generate().public, clock, notifier)


@pytest.fixture
def youth(store, clock, session) -> Youth:
    """Sam, linked to the caregiver for a month already."""
    sam = Youth(store, "Sam", clock)
    session.directory.replace_all([link_for(sam, clock)])
    return sam


@pytest.fixture
async def pilot_for():
    """`await pilot_for(services, route="/")` starts the caregiver app in process."""
    from companion.caregiver.app import make_main
    from tests.ui.ui_pilot import Pilot

    started: list = []

    async def start(services, route: str = "/"):
        pilot = await Pilot.start(make_main(services), route=route)
        started.append(pilot)
        return pilot

    yield start
    for pilot in started:
        await pilot.close()
