"""Fixtures for in-process UI tests: real services on a temp folder, driven by the pilot.

Only the machine edges are replaced: the key vault lives in memory, the clock is a
hand-moved one, and Argon2id runs at its cheapest cost so tests stay fast.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from companion.crypto.recovery import KdfParams
from companion.i18n import set_language
from companion.youth.app import make_main
from companion.youth.services import YouthServices
from companion.youth.session import YouthSession
from tests.phone_edge import device_vault
from tests.ui.ui_pilot import Pilot

BRUSSELS = ZoneInfo("Europe/Brussels")


class HandClock:
    """A clock the test moves by hand (the only clock the app sees)."""

    def __init__(self) -> None:
        self.current = datetime(2026, 3, 14, 10, 30, tzinfo=BRUSSELS)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> HandClock:
    return HandClock()


@pytest.fixture
def make_services(tmp_path, clock):
    """Build YouthServices over one data folder; call again to simulate an app restart."""
    vault = device_vault()
    built: list[YouthServices] = []

    def build() -> YouthServices:
        services = YouthServices(
            tmp_path,
            vault,
            now=clock,
            kdf=KdfParams.fast,
            pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
        )
        services.start()
        built.append(services)
        return services

    yield build
    for services in built:
        services.close()
    set_language("nl")


@pytest.fixture
def services(make_services) -> YouthServices:
    return make_services()


def sign_up(services: YouthServices, name: str = "Sam") -> YouthSession:
    """An account as onboarding leaves it: created and recovery code confirmed."""
    space = services.create_account(name)
    code = services.accounts.recovery_code()
    services.accounts.confirm_recovery(space, 3, code.split("-")[2])
    return space


@pytest.fixture
def space(services) -> YouthSession:
    return sign_up(services)


@pytest.fixture
async def pilot_for():
    """`await pilot_for(services, route="/")` starts the app; all are closed afterwards."""
    started: list[Pilot] = []

    async def start(services: YouthServices, route: str = "/") -> Pilot:
        pilot = await Pilot.start(make_main(services), route=route)
        started.append(pilot)
        return pilot

    yield start
    for pilot in started:
        await pilot.close()


@pytest.fixture
async def app(services, space, pilot_for) -> Pilot:
    """The app with a signed-up account, on the Today screen."""
    return await pilot_for(services)
