"""Reminders on a phone are notifications the OS shows: handed over ahead of time, nearest
first within the OS's cap, exact where Android allows it, quiet hours applied, re-planned
after every change and at every start, and what the OS showed while the app was closed is
not shown again. The notification service's Flutter side is faked (tests/phone_edge.py);
the Flet session, flet-notifications' LocalNotifications and our code are real.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import flet as ft
import pytest
from argon2 import PasswordHasher

from companion.crypto.recovery import KdfParams
from companion.crypto.vault import MemoryVault
from companion.domain.hlc import HybridClock
from companion.notify.os_scheduler import CAP, CHANNEL_ID, OsNotifications
from companion.store import Store
from companion.youth.reminders.os_plan import AHEAD
from companion.youth.services import YouthServices
from companion_wire import Role
from tests.phone_edge import FlutterEdge, PhoneSession
from tests.services.test_appointments import ELS, draft, link
from tests.ui.conftest import HandClock, sign_up


@pytest.fixture
async def phone():
    session = PhoneSession()
    yield session
    session.close()


class Phone:
    """One phone: its keys and folder survive restarts; each start mounts a new service."""

    def __init__(self, folder: Path, phone: PhoneSession, clock: HandClock) -> None:
        self.folder, self.phone, self.clock = folder, phone, clock
        self.vault = MemoryVault()
        self.running: YouthServices | None = None
        self.notifications: OsNotifications | None = None

    @property
    def edge(self) -> FlutterEdge:
        return self.phone.edge

    def start(self, *, os_notifications: bool = True) -> YouthServices:
        self.stop()
        self.notifications = OsNotifications.mount(self.clock) if os_notifications else None
        services = YouthServices(
            self.folder,
            self.vault,
            now=self.clock,
            kdf=KdfParams.fast,
            pin_hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
            reminder_planner=self.notifications,
            open_store=self.open_store,
        )
        services.start()
        self.running = services
        return services

    def open_store(self, path: Path, key: bytes) -> Store:
        """The store's change clock follows the hand-moved time too (an appointment's
        alerts ring only after the moment it was agreed)."""
        wall = HybridClock("phone", lambda: int(self.clock().timestamp() * 1000))
        return Store.open(path, key, clock=wall)

    def stop(self) -> None:
        if self.running is not None:
            self.running.close()
            self.running = None

    async def settled(self) -> dict[int, dict]:
        assert self.notifications is not None
        await self.notifications.settle()
        return self.edge.notifications.pending

    def times(self) -> list[datetime]:
        return sorted(self.edge.notifications.when(i) for i in self.edge.notifications.pending)


@pytest.fixture
async def device(tmp_path, phone):
    clock = HandClock()  # 14 March 2026, 10:30 in Brussels
    made = Phone(tmp_path, phone, clock)
    yield made
    made.stop()


def tomorrow(clock: HandClock) -> date:
    return clock().date() + timedelta(days=1)


async def test_reminders_go_to_the_os_ahead_of_time(device) -> None:
    services = device.start()
    session = sign_up(services)
    daily = session.reminders.create(
        "Medicatie", tomorrow(device.clock), time(9), recurrence="daily"
    )
    once = session.reminders.create("Afspraak OCMW", tomorrow(device.clock), time(14))
    services.reminder_scheduler.tick()
    pending = await device.settled()
    by_reminder: dict[str, list[dict]] = {}
    for args in pending.values():
        by_reminder.setdefault(args["payload"], []).append(args)
    assert len(by_reminder[daily.id]) == AHEAD and len(by_reminder[once.id]) == 1
    first = min(by_reminder[daily.id], key=lambda a: a["when"]["iso"])
    assert datetime.fromisoformat(first["when"]["iso"]) == datetime.combine(
        tomorrow(device.clock), time(9), device.clock().tzinfo
    )
    assert {a["schedule_mode"] for a in pending.values()} == {"exactAllowWhileIdle"}
    assert {a["channel_id"] for a in pending.values()} == {CHANNEL_ID}
    # "Medicatie" is not for whoever picks up the locked phone
    assert {a["options"]["android"]["visibility"] for a in pending.values()} == {"private"}
    assert {a["title"] for a in by_reminder[once.id]} == {"Afspraak OCMW"}
    assert device.edge.notifications.asked == 0  # nobody was asked anything yet


async def test_the_os_cap_keeps_the_nearest_notifications(device) -> None:
    services = device.start()
    session = sign_up(services)
    for hour in range(8, 13):
        session.reminders.create(
            f"Om {hour}u", tomorrow(device.clock), time(hour), recurrence="daily"
        )
    services.reminder_scheduler.tick()
    await device.settled()
    planned = services.reminder_scheduler.upcoming(session.reminders)
    assert len(planned) == 5 * AHEAD > CAP
    assert device.times() == [entry.at for entry in planned[:CAP]]


async def test_quiet_hours_move_a_notification_to_their_end(device) -> None:
    services = device.start()
    session = sign_up(services)
    session.reminders.set_quiet_hours(time(22), time(7))
    session.reminders.create("Laat", tomorrow(device.clock), time(23, 30))
    services.reminder_scheduler.tick()
    await device.settled()
    day_after = tomorrow(device.clock) + timedelta(days=1)
    assert device.times() == [datetime.combine(day_after, time(7), device.clock().tzinfo)]


async def test_without_exact_alarms_the_os_gets_inexact_ones(device) -> None:
    device.edge.notifications.exact = False  # Android 14+: not granted
    services = device.start()
    session = sign_up(services)
    session.reminders.create("Huur", tomorrow(device.clock), time(9))
    services.reminder_scheduler.tick()
    pending = await device.settled()
    assert {a["schedule_mode"] for a in pending.values()} == {"inexactAllowWhileIdle"}
    assert await services.allow_exact_times()
    await device.settled()
    assert {a["schedule_mode"] for a in pending.values()} == {"exactAllowWhileIdle"}


async def test_every_change_re_plans_at_once(device) -> None:
    services = device.start()
    session = sign_up(services)
    services.reminder_scheduler.tick()
    kept = session.reminders.create("Blijft", tomorrow(device.clock), time(9))
    gone = session.reminders.create("Gaat weg", tomorrow(device.clock), time(10))
    pending = await device.settled()  # no tick: the store change re-planned
    assert {a["payload"] for a in pending.values()} == {kept.id, gone.id}
    session.reminders.delete(gone.id)
    await device.settled()
    assert {a["payload"] for a in pending.values()} == {kept.id}
    device.clock.advance(hours=22, minutes=35)  # tomorrow 09:05: "Blijft" went off
    session.reminders.snooze(kept.id, "hour")  # only a due reminder can be put off
    await device.settled()
    assert device.times()[0] == device.clock() + timedelta(hours=1)  # as in the app


async def test_what_the_os_showed_while_closed_is_not_shown_again(device) -> None:
    services = device.start()
    session = sign_up(services)
    session.reminders.create("Ontbijt", device.clock().date(), time(11), recurrence="daily")
    services.reminder_scheduler.tick()
    await device.settled()
    device.stop()  # the app is closed; the OS keeps its plan
    device.clock.advance(hours=2)  # 12:30: the OS showed 11:00
    shown = device.edge.notifications.deliver_until(device.clock())
    assert [a["title"] for a in shown] == ["Ontbijt"]
    services = device.start()  # opened again: re-planned, nothing shown twice
    services.reminder_scheduler.tick()
    await device.settled()
    assert len(device.edge.notifications.shown) == 1
    assert device.times()[0] == datetime.combine(
        tomorrow(device.clock), time(11), device.clock().tzinfo
    )


async def test_appointment_alerts_go_to_the_os_and_ring_once(device) -> None:
    """The app is closed at the moment that matters most: the OS rings a day and an hour
    before an appointment, and what it rang is not rung again when the app opens."""
    services = device.start()
    session = sign_up(services)
    session.links.replace_all([link(session.account, ELS, "Els", Role.CAREGIVER, device.clock)])
    session.appointments.propose(draft(day=tomorrow(device.clock), at=time(14), title="OCMW"))
    services.reminder_scheduler.tick()
    await device.settled()
    zone = device.clock().tzinfo
    day_before = datetime.combine(device.clock().date(), time(14), zone)
    hour_before = datetime.combine(tomorrow(device.clock), time(13), zone)
    assert device.times() == [day_before, hour_before]
    device.stop()  # closed; the OS keeps its plan
    device.clock.advance(hours=4)  # 14:30: the OS rang the day-before alert
    shown = device.edge.notifications.deliver_until(device.clock())
    assert [a["title"] for a in shown] == ["Afspraak 15/03 om 14:00: OCMW"]
    assert shown[0]["options"]["android"]["visibility"] == "private"
    services = device.start()
    services.reminder_scheduler.tick()
    await device.settled()
    assert device.times() == [hour_before]
    assert len(device.edge.notifications.shown) == 1


async def test_a_reminder_missed_before_the_os_had_it_is_shown_once(device) -> None:
    services = device.start(os_notifications=False)  # made before this phone build
    session = sign_up(services)
    session.reminders.create("Gemist", device.clock().date(), time(11))
    services.reminder_scheduler.tick()  # planned in the app, which then closed
    device.stop()
    device.clock.advance(hours=1)
    services = device.start()
    services.reminder_scheduler.tick()
    await device.settled()
    assert [a["title"] for a in device.edge.notifications.shown] == ["Gemist"]
    services.reminder_scheduler.tick()
    device.clock.advance(minutes=1)
    services.reminder_scheduler.tick()
    await device.settled()
    assert len(device.edge.notifications.shown) == 1


async def test_a_sync_click_handler_plans_without_blocking_the_loop(device) -> None:
    """The way Flet 1.0.5 runs a tap on "save": inline, on the loop the OS answers on."""
    services = device.start()
    session = sign_up(services)

    def on_click(_: ft.Event) -> None:
        session.reminders.create("Via knop", tomorrow(device.clock), time(9))

    await device.phone.click(on_click)
    pending = await device.settled()
    assert [a["title"] for a in pending.values()] == ["Via knop"]


async def test_chat_alerts_are_shown_and_taken_back(device) -> None:
    device.start()
    notifications = device.notifications
    assert notifications is not None
    notifications.notify("Els", "Nieuw bericht")
    await device.phone.settle()
    assert [a["title"] for a in device.edge.notifications.shown] == ["Els"]
    shown_id = device.edge.notifications.shown[0]["id"]
    notifications.withdraw("Els", "Nieuw bericht")
    await device.phone.settle()
    assert "cancel" in device.edge.notifications.calls
    assert shown_id == device.edge.notifications.shown[0]["id"]


async def test_the_reminders_screen_asks_for_permission_saying_why(tmp_path, monkeypatch) -> None:
    from tests.phone.test_phone_app import an_account, into_keystore

    monkeypatch.delenv("COMPANION_DATA_DIR", raising=False)
    monkeypatch.delenv("COMPANION_SERVER_URL", raising=False)
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path))
    from companion.youth.app import phone_main
    from tests.ui.ui_pilot import Pilot

    edge = FlutterEdge()
    edge.notifications.exact = False
    into_keystore(an_account(tmp_path), edge)
    app = await Pilot.start(phone_main, edge=edge)
    try:
        assert edge.notifications.asked == 0  # not at start-up
        await app.navigate("/more/reminders")
        assert app.exists("notifications-ask")
        await app.click("notifications-allow")
        assert edge.notifications.asked == 1
        assert not app.exists("notifications-ask") and app.exists("exact-ask")
        await app.click("exact-allow")
        assert not app.exists("exact-ask")
    finally:
        await app.close()
