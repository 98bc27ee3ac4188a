"""Every screen of the caregiver app, by path (the same Registry the youth app uses)."""

from __future__ import annotations

from companion.views.caregiver.availability import AvailabilityScreen
from companion.views.caregiver.caseload import CaseloadScreen
from companion.views.caregiver.chat import ChatScreen
from companion.views.caregiver.documents import DocumentsScreen
from companion.views.caregiver.help import CaregiverHelpScreen
from companion.views.caregiver.settings import CaregiverSettingsScreen
from companion.views.caregiver.suggest import SuggestScreen
from companion.views.caregiver.youth import YouthScreen
from companion.views.navigation import Registry, Screen

CAREGIVER = Registry(
    [
        Screen("/", CaseloadScreen),
        Screen("/youth/:space_id", YouthScreen),
        Screen("/youth/:space_id/chat", ChatScreen),
        Screen("/youth/:space_id/suggest", SuggestScreen),
        Screen("/youth/:space_id/documents", DocumentsScreen),
        Screen("/availability", AvailabilityScreen),
        Screen("/settings", CaregiverSettingsScreen),
        Screen("/help", CaregiverHelpScreen),
    ]
)
