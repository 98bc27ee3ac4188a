"""Everything that exists once an account is open on this device: its store and services.

Feature services hang off this object; a new feature adds one attribute here and its views
reach it through `use_space()` (companion.views.context).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from companion.services.account_info import Account
from companion.services.chat import ChatService
from companion.services.diary import DiaryService
from companion.services.export import ExportService
from companion.services.goals import GoalsService
from companion.services.links import LinksService
from companion.services.moods import MoodService
from companion.services.network import NetworkRemote, NetworkService
from companion.services.reminders import RemindersService
from companion.services.timeline import TimelineService
from companion.services.today import TodayService


class UserSpace:
    def __init__(
        self,
        store,
        account: Account,
        now: Callable[[], datetime],
        remote: Callable[[], NetworkRemote | None] = lambda: None,
    ) -> None:
        """`remote` returns the connected server client, or None while there is none."""
        self.store = store
        self.account = account
        clock = store.clock  # the store keeps this device's clock node in its meta table

        def today() -> date:
            return now().date()

        self.links = LinksService(store, now)
        self.diary = DiaryService(store, account, clock, self.links, today)
        self.moods = MoodService(store, account, clock, now)
        self.goals = GoalsService(store, account, clock, self.links, now=now)
        self.reminders = RemindersService(store, account, clock, now)
        self.today = TodayService(store, account, now, self.reminders)
        self.network = NetworkService(store, account, self.links, now, remote)
        self.chat = ChatService(store, account, clock, self.links, self.network, now)
        self.timeline = TimelineService(store, account, clock, self.links, now)
        self.export = ExportService(store, account, self.links, now)

    def close(self) -> None:
        self.store.close()
