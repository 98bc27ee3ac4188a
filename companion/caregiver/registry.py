"""Every screen of the caregiver app, by path (the same Registry the youth app uses)."""

from __future__ import annotations

from companion.caregiver.appointments.meeting_view import MeetingScreen
from companion.caregiver.appointments.view import MeetingsScreen
from companion.caregiver.availability.view import AvailabilityScreen
from companion.caregiver.caseload.view import CaseloadScreen
from companion.caregiver.chat.view import ChatScreen
from companion.caregiver.documents.view import DocumentsScreen
from companion.caregiver.help_view import CaregiverHelpScreen
from companion.caregiver.settings_view import CaregiverSettingsScreen
from companion.caregiver.suggestions.view import SuggestScreen
from companion.caregiver.youth.view import YouthScreen
from companion.core.views.navigation import Registry, Screen

CAREGIVER = Registry(
    [
        Screen("/", CaseloadScreen),
        Screen("/youth/:space_id", YouthScreen),
        Screen("/youth/:space_id/chat", ChatScreen),
        Screen("/youth/:space_id/suggest", SuggestScreen),
        Screen("/youth/:space_id/documents", DocumentsScreen),
        Screen("/youth/:space_id/appointments", MeetingsScreen),
        Screen("/youth/:space_id/appointments/:appointment_id", MeetingScreen),
        Screen("/availability", AvailabilityScreen),
        Screen("/settings", CaregiverSettingsScreen),
        Screen("/help", CaregiverHelpScreen),
    ]
)
