"""Every screen of the youth app, by path. Adding a feature screen is one line here.

Example for the next feature: `Screen("/goals", GoalsScreen)` adds the Goals tab (the tab
appears because TABS in navigation.py already lists "/goals");
`Screen("/more/reminders", RemindersScreen, more=MoreItem("reminders.title", ft.Icons.ALARM, 10))`
adds a More-menu entry.
"""

from __future__ import annotations

import flet as ft

from companion.views.navigation import MoreItem, Registry, Screen
from companion.views.screens.chat import ChatScreen, ChatThreadScreen
from companion.views.screens.delete_account import DeleteAccountScreen
from companion.views.screens.diary import DiaryScreen
from companion.views.screens.diary_edit import DiaryEditScreen
from companion.views.screens.goal_edit import GoalEditScreen
from companion.views.screens.goals import GoalsScreen
from companion.views.screens.help import HelpScreen
from companion.views.screens.more import MoreScreen
from companion.views.screens.network import NetworkScreen
from companion.views.screens.onboarding import OnboardingScreen
from companion.views.screens.reminder_edit import ReminderEditScreen
from companion.views.screens.reminders import RemindersScreen
from companion.views.screens.settings import SettingsScreen
from companion.views.screens.timeline import DocumentScreen, TimelineScreen
from companion.views.screens.today import TodayScreen

MAIN = Registry(
    [
        Screen("/", TodayScreen),
        Screen("/diary", DiaryScreen),
        Screen("/diary/new", DiaryEditScreen),
        Screen("/diary/:entry_id", DiaryEditScreen),
        Screen("/goals", GoalsScreen),
        Screen("/goals/new", GoalEditScreen),
        Screen("/goals/:goal_id", GoalEditScreen),
        Screen("/chat", ChatScreen),
        Screen("/chat/:person_id", ChatThreadScreen),
        Screen("/more", MoreScreen),
        Screen(
            "/more/reminders",
            RemindersScreen,
            more=MoreItem("reminders.title", ft.Icons.ALARM, 10),
        ),
        Screen("/more/reminders/new", ReminderEditScreen),
        Screen("/more/reminders/:reminder_id", ReminderEditScreen),
        Screen(
            "/more/timeline",
            TimelineScreen,
            more=MoreItem("timeline.title", ft.Icons.TIMELINE, 20),
        ),
        Screen("/more/timeline/documents/:document_id", DocumentScreen),
        Screen(
            "/more/network",
            NetworkScreen,
            more=MoreItem("network.title", ft.Icons.GROUPS_OUTLINED, 30),
        ),
        Screen(
            "/more/settings", SettingsScreen, more=MoreItem("settings.title", ft.Icons.SETTINGS, 40)
        ),
        Screen("/more/settings/delete", DeleteAccountScreen),
        Screen(
            "/help", HelpScreen, modal=True, more=MoreItem("help.title", ft.Icons.HELP_OUTLINE, 50)
        ),
    ]
)

# before an account exists (or while sign-up is unfinished): only the welcome flow and help
ONBOARDING = Registry(
    [
        Screen("/", OnboardingScreen),
        Screen("/help", HelpScreen, modal=True),
    ]
)
