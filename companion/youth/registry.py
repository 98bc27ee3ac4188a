"""Every screen of the youth app, by path. Adding a feature screen is one line here.

Example for the next feature: `Screen("/goals", GoalsScreen)` adds the Goals tab (the tab
appears because TABS in navigation.py already lists "/goals");
`Screen("/more/reminders", RemindersScreen, more=MoreItem("reminders.title", ft.Icons.ALARM, 10))`
adds a More-menu entry.
"""

from __future__ import annotations

import flet as ft

from companion.core.views.help_view import HelpScreen
from companion.core.views.navigation import MoreItem, Registry, Screen
from companion.youth.appointments.detail_view import AppointmentScreen
from companion.youth.appointments.edit_view import AppointmentEditScreen
from companion.youth.appointments.view import AppointmentsScreen
from companion.youth.chat.view import ChatScreen, ChatThreadScreen
from companion.youth.diary.edit_view import DiaryEditScreen
from companion.youth.diary.view import DiaryScreen
from companion.youth.goals.edit_view import GoalEditScreen
from companion.youth.goals.view import GoalsScreen
from companion.youth.more_view import MoreScreen
from companion.youth.network.view import NetworkScreen
from companion.youth.onboarding.view import OnboardingScreen
from companion.youth.papers.view import PapersScreen
from companion.youth.reminders.edit_view import ReminderEditScreen
from companion.youth.reminders.view import RemindersScreen
from companion.youth.safety.help_view import YouthHelpScreen
from companion.youth.safety.plan_edit_view import SafetyPlanEditScreen
from companion.youth.safety.plan_view import SafetyPlanScreen
from companion.youth.settings.delete_account_view import DeleteAccountScreen
from companion.youth.settings.view import SettingsScreen
from companion.youth.timeline.view import DocumentScreen, TimelineScreen
from companion.youth.today.view import TodayScreen

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
            "/more/appointments",
            AppointmentsScreen,
            more=MoreItem("appointments.title", ft.Icons.EVENT, 5),
        ),
        Screen("/more/appointments/new", AppointmentEditScreen),
        Screen("/more/appointments/:appointment_id", AppointmentScreen),
        Screen("/more/appointments/:appointment_id/edit", AppointmentEditScreen),
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
            "/more/papers",
            PapersScreen,
            more=MoreItem("papers.title", ft.Icons.FOLDER_OUTLINED, 25),
        ),
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
            "/help",
            YouthHelpScreen,
            modal=True,
            more=MoreItem("help.title", ft.Icons.HELP_OUTLINE, 50),
        ),
        Screen("/help/plan", SafetyPlanScreen),
        Screen("/help/plan/edit", SafetyPlanEditScreen),
    ]
)

# before an account exists (or while sign-up is unfinished): only the welcome flow and help
ONBOARDING = Registry(
    [
        Screen("/", OnboardingScreen),
        Screen("/help", HelpScreen, modal=True),
    ]
)
