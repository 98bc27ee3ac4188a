"""Everything that exists once an account is open on this device: its store and services.

Feature services hang off this object; a new feature adds one attribute here and its views
reach it through `use_session()` (companion.core.views.context).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from companion.core.verification import Verification
from companion.crypto.keys import PublicKeys
from companion.store import Store
from companion.youth.account import Account
from companion.youth.appointments.agreements import AgreementsService
from companion.youth.appointments.alerts import AppointmentAlerts
from companion.youth.appointments.service import AppointmentsService
from companion.youth.appointments.talk import PointsService
from companion.youth.chat.service import ChatService
from companion.youth.diary.service import DiaryService
from companion.youth.export.service import ExportService
from companion.youth.goals.service import GoalsService
from companion.youth.network.links import LinksService
from companion.youth.network.service import NetworkRemote, NetworkService
from companion.youth.reminders.service import RemindersService
from companion.youth.safety.service import AlarmService, SafetyPlanService
from companion.youth.timeline.service import TimelineService
from companion.youth.today.moods import MoodService
from companion.youth.today.service import TodayService


class YouthSession:
    def __init__(
        self,
        store: Store,
        account: Account,
        keys: PublicKeys,
        now: Callable[[], datetime],
        remote: Callable[[], NetworkRemote | None] = lambda: None,
    ) -> None:
        """`keys`: the account's own public keys; `remote` returns the connected server
        client, or None while there is none."""
        self.store = store
        self.account = account
        self.verification = Verification(store, account.account_id, keys, now)

        def today() -> date:
            return now().date()

        self.links = LinksService(store, now)
        self.diary = DiaryService(store, account, self.links, today)
        self.moods = MoodService(store, account, now)
        self.goals = GoalsService(store, account, self.links, now=now)
        self.reminders = RemindersService(store, account, now)
        self.today = TodayService(store, account, now, self.reminders)
        self.network = NetworkService(store, account, self.links, now, remote)
        self.chat = ChatService(store, account, self.links, self.network, now)
        self.timeline = TimelineService(store, account, self.links, now)
        self.export = ExportService(store, account, self.links, now)
        self.appointments = AppointmentsService(
            store, account, self.links, now, self.reminders.zone
        )
        self.points = PointsService(
            store, account, self.links, now, self.appointments, self.diary, self.goals
        )
        self.agreements = AgreementsService(
            store, account, now, self.appointments, self.goals, self.reminders
        )
        self.appointment_alerts = AppointmentAlerts(store, self.appointments, self.reminders, now)
        self.safety_plan = SafetyPlanService(store, account, self.links, now)
        self.alarms = AlarmService(store, account, self.links, now, self.safety_plan, self.network)

    def close(self) -> None:
        self.store.close()
